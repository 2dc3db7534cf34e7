import type Database from 'better-sqlite3';

interface Queued {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly value: unknown } | { readonly error: unknown };

/**
 * Group commit for the read-model database: the writes that the read models queue in one turn of
 * the event loop commit in one transaction, each in a savepoint of its own, so that one that throws
 * undoes only itself. A promise settles only after the commit; if the commit itself fails, every
 * piece of work in it fails. Live events arrive a few at a time for each of several read models,
 * and a transaction each would cost more than the writes in it.
 */
export class ReadModelCommits {
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly commitAll: Database.Transaction<(queue: readonly Queued[]) => Outcome[]>;

  constructor(db: Database.Database) {
    const inSavepoint = db.transaction((work: () => unknown) => work());
    this.commitAll = db.transaction((queue: readonly Queued[]) =>
      queue.map((queued): Outcome => {
        try {
          return { value: inSavepoint(queued.work) };
        } catch (error) {
          return { error };
        }
      }),
    );
  }

  /** Runs `work` in the next group transaction; resolves with its result once that has committed. */
  run<T>(work: () => T): Promise<T> {
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
      outcomes = this.commitAll.immediate(queue);
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
}
