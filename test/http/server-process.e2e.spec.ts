import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from '../support/server-process';

describe('the server process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'server-process-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves on the embedded store under DATA_DIR, prints a generated admin token once, and exits 0 on SIGTERM', async () => {
    const server = await startServerProcess({ DATA_DIR: dataDir });
    const ready = await fetch(`${server.baseUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(true);
    expect(server.output().match(/generated one for this run: \S+/g)).toHaveLength(1);

    server.child.kill('SIGTERM');
    expect(await server.exited()).toEqual({ code: 0, signal: null });
  }, 30000);

  it('refuses to start on an invalid configuration, naming the variable', async () => {
    await expect(startServerProcess({ DATA_DIR: dataDir, PAYMENT_DECLINE_RATE: '2' })).rejects.toThrow(
      /PAYMENT_DECLINE_RATE/,
    );
  }, 30000);

  it('refuses to start with NODE_ENV=production and no ADMIN_TOKEN, naming the variable, and writes nothing', async () => {
    const productionDir = join(dataDir, 'production');
    const started = await startServerProcess({ DATA_DIR: productionDir, NODE_ENV: 'production' }).catch((error: unknown) => error);
    // A server that did start is not left running behind the failed test.
    if (!(started instanceof Error)) (started as Awaited<ReturnType<typeof startServerProcess>>).child.kill('SIGKILL');
    expect(started).toBeInstanceOf(Error);
    expect((started as Error).message).toMatch(/ADMIN_TOKEN: is required when NODE_ENV=production/);
    expect(existsSync(join(productionDir, 'events.sqlite'))).toBe(false);
  }, 30000);
});
