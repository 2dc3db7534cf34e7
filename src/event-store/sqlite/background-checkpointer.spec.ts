import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackgroundCheckpointer } from './background-checkpointer';
import { openDatabase } from './open-database';

describe('the background checkpointer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'background-checkpointer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies committed pages from the WAL into the database file from its worker, and stops on close', async () => {
    const filename = join(dir, 'models.sqlite');
    const db = openDatabase({ filename, synchronous: 'NORMAL' });
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const checkpointer = new BackgroundCheckpointer(db, 20);
    const sizeBefore = statSync(filename).size;
    const insert = db.prepare('INSERT INTO rows (body) VALUES (?)');
    // About 200 pages: far below the writer's own automatic checkpoint, which would otherwise leave them all in the WAL.
    for (let batch = 0; batch < 20; batch++) db.transaction(() => Array.from({ length: 40 }, () => insert.run('x'.repeat(2000))))();
    const deadline = Date.now() + 5000;
    while (statSync(filename).size <= sizeBefore + 100 * 4096 && Date.now() < deadline) await sleep(20);
    expect(statSync(filename).size).toBeGreaterThan(sizeBefore + 100 * 4096);
    await checkpointer.close();
    expect(db.prepare('SELECT count(*) FROM rows').pluck().get()).toBe(800);
    db.close();
  });

  it('does not keep a process alive that forgot to close it', () => {
    const script = `
      const { BackgroundCheckpointer } = require(${JSON.stringify(join(__dirname, 'background-checkpointer.ts'))});
      const { openDatabase } = require(${JSON.stringify(join(__dirname, 'open-database.ts'))});
      new BackgroundCheckpointer(openDatabase({ filename: ${JSON.stringify(join(dir, 'forgotten.sqlite'))} }), 20);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 20_000, encoding: 'utf8' });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  });
});
