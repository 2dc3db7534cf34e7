import Database from 'better-sqlite3';
import { ReadModelCommits } from './read-model-commits';

describe('read-model group commit', () => {
  let db: Database.Database;
  let commits: ReadModelCommits;
  const rows = () => db.prepare('SELECT value FROM t ORDER BY value').pluck().all();
  const insert = (value: number) => () => db.prepare('INSERT INTO t (value) VALUES (?)').run(value).changes;

  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (value INTEGER NOT NULL CHECK (value > 0))');
    commits = new ReadModelCommits(db);
  });
  afterEach(() => db.close());

  it('commits the work of one turn in one transaction and answers each with its own result', async () => {
    const results = await Promise.all([commits.run(insert(1)), commits.run(insert(2)), commits.run(() => 'three')]);
    expect(results).toEqual([1, 1, 'three']);
    expect(rows()).toEqual([1, 2]);
  });

  it('undoes only the work that threw: the others in its transaction commit', async () => {
    const outcomes = await Promise.allSettled([
      commits.run(insert(1)),
      commits.run(() => {
        insert(2)();
        insert(-1)();
      }),
      commits.run(insert(3)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rows()).toEqual([1, 3]);
  });

  it('runs a turn together, without savepoints; only when a piece throws does each piece run again alone', async () => {
    const passes: string[] = [];
    const noted = (name: string, value: number) => (pass: string) => {
      passes.push(`${name}:${pass}`);
      return insert(value)();
    };
    await Promise.all([commits.run(noted('a', 1)), commits.run(noted('b', 2))]);
    expect(passes).toEqual(['a:together', 'b:together']);
    passes.length = 0;
    const outcomes = await Promise.allSettled([commits.run(noted('a', 3)), commits.run(noted('b', -1)), commits.run(noted('c', 4))]);
    expect(passes).toEqual(['a:together', 'b:together', 'a:alone', 'b:alone', 'c:alone']);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rows()).toEqual([1, 2, 3, 4]);
  });

  it('settles a promise only once its transaction has committed', async () => {
    const pending = commits.run(insert(1));
    expect(db.inTransaction).toBe(false);
    expect(rows()).toEqual([]);
    await pending;
    expect(rows()).toEqual([1]);
  });
});
