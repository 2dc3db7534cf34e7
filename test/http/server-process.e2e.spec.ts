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
});
