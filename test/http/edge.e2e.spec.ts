import { Router } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/http/create-app';
import { jsonBody } from '../../src/shared/http-toolkit/json-body';
import { Readiness } from '../../src/shared/readiness';
import { WrongExpectedVersion } from '../../src/event-store/errors';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { sqliteBusy, sqliteIoError, StoreFaults, withFaults } from '../support/faulty-store';
import { startTestSystem } from '../support/test-system';

const echoRouter = () => {
  const router = Router();
  router.post('/echo', ...jsonBody(), (req, res) => {
    res.status(201).json({ received: req.body, prototypeUntouched: ({} as Record<string, unknown>).polluted === undefined });
  });
  return router;
};

const app = (readiness = new Readiness()) =>
  createApp({ logger: pino({ level: 'silent' }), readiness, routers: [{ name: 'echo', router: echoRouter(), registerOpenApi: () => undefined }] });

const expectProblem = (response: request.Response, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) }),
  );
};

describe('the HTTP edge', () => {
  it('answers /health while the process lives', async () => {
    const response = await request(app()).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /ready 503 naming the failing check but not its error, and 200 once every check passes', async () => {
    const readiness = new Readiness();
    let storeUp = false;
    readiness.register('event store', async () => {
      if (!storeUp) throw new Error('SQLITE_CANTOPEN: unable to open /srv/secret/events.sqlite');
    });
    readiness.register('subscriptions', async () => undefined);
    const notReady = await request(app(readiness)).get('/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'not ready', checks: { 'event store': 'not ready', subscriptions: 'ok' } });
    expect(notReady.text).not.toMatch(/SQLITE|secret/);
    storeUp = true;
    expect((await request(app(readiness)).get('/ready')).status).toBe(200);
  });

  it('answers an unknown route 404 with problem+json, whatever it is sent', async () => {
    expectProblem(await request(app()).get('/nowhere'), 404);
    expectProblem(await request(app()).post('/nowhere').set('content-type', 'application/json').send('{oops'), 404);
  });

  it('accepts a JSON body', async () => {
    const response = await request(app()).post('/echo').send({ a: 1 });
    expect(response.status).toBe(201);
    expect(response.body.received).toEqual({ a: 1 });
  });

  it('answers malformed JSON 400', async () => {
    expectProblem(await request(app()).post('/echo').set('content-type', 'application/json').send('{"a":'), 400);
  });

  it('answers a body that is not JSON 415', async () => {
    expectProblem(await request(app()).post('/echo').set('content-type', 'text/plain').send('a=1'), 415);
    expectProblem(await request(app()).post('/echo').type('form').send({ a: 1 }), 415);
  });

  it('answers a body over 64 KiB 413', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(65 * 1024) });
    expectProblem(await request(app()).post('/echo').set('content-type', 'application/json').send(big), 413);
  });

  it('answers a body nested deeper than 32 levels 400, also 32,000 levels deep (no stack overflow, no 500)', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect((await request(app()).post('/echo').set('content-type', 'application/json').send(`{"a":${nested(31)}}`)).status).toBe(201);
    for (const body of [`{"a":${nested(32)}}`, nested(32_000), `{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_001)}`]) {
      const response = await request(app()).post('/echo').set('content-type', 'application/json').send(body);
      expectProblem(response, 400);
      expect(response.body.detail).toContain('deeper than 32');
    }
    // 64 KiB of nothing but '[': not even JSON.
    expectProblem(await request(app()).post('/echo').set('content-type', 'application/json').send('['.repeat(64 * 1024 - 1)), 400);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the prototype-polluting key %s at any depth', async (key) => {
    const body = `{"a":{"b":[{"${key}":{"polluted":true}}]}}`;
    const response = await request(app()).post('/echo').set('content-type', 'application/json').send(body);
    expectProblem(response, 400);
    expect(response.body.detail).toContain(key);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('when the store cannot be reached', () => {
  it('answers 503 problem+json, not 500', async () => {
    const t = await startTestSystem();
    await t.system.eventStore.close();
    const response = await t.http().get('/api/orders/0193f0a2-0000-7000-8000-000000000000');
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await t.http().get('/ready')).status).toBe(503);
    await t.stop();
  });
});

describe('when the store fails a write', () => {
  const product = { sku: 'EDGE-1', name: 'Edge', price: 5, initialStock: 3 };
  const withFaultyStore = async () => {
    const faults = new StoreFaults();
    const t = await startTestSystem({}, { eventStore: withFaults(SqliteEventStore.open({ filename: ':memory:' }), faults) });
    return { t, faults };
  };

  it.each([
    ['busy', sqliteBusy],
    ['failing an I/O', sqliteIoError],
  ])('answers a raw SQLite error (%s) 503 problem+json with Retry-After, and the retry succeeds', async (_name, error) => {
    const { t, faults } = await withFaultyStore();
    faults.failNext('append', 1, error);
    const failed = await t.admin().post('/api/products').send(product);
    expectProblem(failed, 503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(failed.text).not.toMatch(/SQLITE|disk|locked/);
    expect((await t.admin().post('/api/products').send(product)).status).toBe(201);
    await t.stop();
  });

  it('answers 409, not 500, when a stream keeps changing under a write (ConcurrencyConflict)', async () => {
    const { t, faults } = await withFaultyStore();
    expect((await t.admin().post('/api/products').send(product)).status).toBe(201);
    faults.failNext('append', 100, () => new WrongExpectedVersion('Product-EDGE-1', 0, 1));
    expectProblem(await t.admin().post(`/api/products/${product.sku}/restock`).send({ quantity: 1 }), 409);
    await t.stop();
  });
});
