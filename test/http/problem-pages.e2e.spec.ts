import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { problemCatalog } from '../../src/shared/http-toolkit/problem-catalog';
import { startTestSystem, type TestSystem } from '../support/test-system';

/** Every problem slug the source names: `problemType('x')`, `new HttpProblem(status, 'x'`, `serviceUnavailable('x'`, rejection codes. */
const slugsInSource = (): Set<string> => {
  const slugs = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const [, slug] of text.matchAll(/(?:problemType\(|HttpProblem\(\s*\d+,\s*|serviceUnavailable\(\s*)'([a-z-]+)'/g)) slugs.add(slug!);
      }
    }
  };
  walk(join(__dirname, '..', '..', 'src'));
  for (const code of ['conflict', 'not_found', 'invalid']) slugs.add(code === 'invalid' ? 'unprocessable' : code.replace('_', '-'));
  return slugs;
};

describe('problem details', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(() => t.stop());

  it('has a page for every problem type the code answers', () => {
    const missing = [...slugsInSource()].filter((slug) => !Object.hasOwn(problemCatalog, slug));
    expect(missing).toEqual([]);
    expect(slugsInSource().size).toBeGreaterThan(8);
  });

  it('answers a problem whose type resolves to a page of the service, with instance set to the request path', async () => {
    const response = await t.http().post('/api/orders?customerId=someone').send({ customerId: '' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: '/problems/validation-error', instance: '/api/orders', status: 400 });
    const page = await t.http().get(response.body.type as string);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('400 Bad Request');
    const asJson = await t.http().get(response.body.type as string).set('Accept', 'application/json');
    expect(asJson.body).toMatchObject({ type: '/problems/validation-error', status: 400, title: 'Bad Request' });
  });

  it('answers every type of the catalog with its page, and an unknown one 404', async () => {
    for (const slug of Object.keys(problemCatalog)) expect((await t.http().get(`/problems/${slug}`)).status).toBe(200);
    const unknown = await t.http().get('/problems/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: '/problems/not-found', instance: '/problems/no-such-thing' });
  });

  it('gives an unknown route a not-found type too, and sends / to the API documentation', async () => {
    expect((await t.http().get('/nowhere')).body).toMatchObject({ type: '/problems/not-found', status: 404, instance: '/nowhere' });
    const root = await t.http().get('/');
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/api/docs');
  });
});
