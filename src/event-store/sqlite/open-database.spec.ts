import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { openDatabase } from './open-database';

describe('the embedded store’s durability', () => {
  const dir = mkdtempSync(join(tmpdir(), 'open-database-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is synchronous=FULL unless the operator chooses NORMAL: an acknowledged append survives a power loss', () => {
    expect(loadConfig({}).SQLITE_SYNCHRONOUS).toBe('FULL');
    const db = openDatabase({ filename: join(dir, 'events.sqlite') });
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    db.close();
    const normal = openDatabase({ filename: join(dir, 'events.sqlite'), synchronous: loadConfig({ SQLITE_SYNCHRONOUS: 'NORMAL' }).SQLITE_SYNCHRONOUS });
    expect(normal.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    normal.close();
  });
});
