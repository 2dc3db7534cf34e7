import type Database from 'better-sqlite3';

/**
 * How a piece of work runs: `together` with the rest of its turn, in one transaction with no
 * savepoint, all of it undone if any piece throws; then, only after that, `alone`: each piece again,
 * in a savepoint of its own, so that only the one that throws is undone.
 */
export type CommitPass = 'together' | 'alone';

interface Queued {
  readonly work: (pass: CommitPass) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly value: unknown } | { readonly error: unknown };

/**
 * Group commit for the read-model database: the writes that the read models queue in one turn of
 * the event loop commit in one transaction. A promise settles only after the commit; if the commit
 * itself fails, every piece of work in it fails. Live events arrive a few at a time for each of
 * several read models, and a transaction each would cost more than the writes in it.
 *
 * The turn runs first with no savepoint: SQLite copies every page that a savepoint's writes touch
 * into a statement journal, which spilled to a temporary file (created, written and deleted in each
 * transaction): 7 KB of the 70 written per order, and about 2% of the CPU. Only if a piece throws is the turn
 * undone and run again piece by piece (`CommitPass`), so a piece of work may run twice: it must do
 * nothing but its writes, and the same ones again.
 */
export class ReadModelCommits {
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly together: Database.Transaction<(queue: readonly Queued[]) => Outcome[]>;
  private readonly alone: Database.Transaction<(queue: readonly Queued[]) => Outcome[]>;

  constructor(db: Database.Database) {
    const inSavepoint = db.transaction((work: () => unknown) => work());
    this.together = db.transaction((queue: readonly Queued[]) =>
      queue.map((queued): Outcome => {
        try {
          return { value: queued.work('together') };
        } catch (error) {
          throw new WorkFailed('a read-model write failed', { cause: error });
        }
      }),
    );
    this.alone = db.transaction((queue: readonly Queued[]) =>
      queue.map((queued): Outcome => {
        try {
          return { value: inSavepoint(() => queued.work('alone')) };
        } catch (error) {
          return { error };
        }
      }),
    );
  }

  /** Runs `work` in the next group transaction; resolves with its result once that has committed. */
  run<T>(work: (pass: CommitPass) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.commit(queue);
    } catch (error) {
      for (const queued of queue) queued.reject(error);
      return;
    }
    queue.forEach((queued, index) => {
      const outcome = outcomes[index]!;
      if ('error' in outcome) queued.reject(outcome.error);
      else queued.resolve(outcome.value);
    });
  }

  private commit(queue: readonly Queued[]): Outcome[] {
    try {
      return this.together.immediate(queue);
    } catch (error) {
      // The transaction itself failed (a lock, the disk): so would every piece alone.
      if (!(error instanceof WorkFailed)) throw error;
      return this.alone.immediate(queue);
    }
  }
}

/** A piece of work threw in the `together` pass: the turn runs again piece by piece. */
class WorkFailed extends Error {}
