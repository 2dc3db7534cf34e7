import Database from 'better-sqlite3';
import type { CheckpointStore, EventStore } from '../../src/event-store/event-store.port';

type FaultyOperation = 'append' | 'readStream' | 'saveCheckpoint';

/** The error better-sqlite3 throws when another connection holds the write lock past busy_timeout. */
export const sqliteBusy = (): Error => new Database.SqliteError('database is locked', 'SQLITE_BUSY');
export const sqliteIoError = (): Error => new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE');

/**
 * A fault injector over a real store: the next `count` calls of an operation (or every call until a
 * time) fail with the given error, as a disk or lock hiccup would make the real store fail; every
 * other call goes to the store untouched.
 */
export class StoreFaults {
  private readonly plans = new Map<FaultyOperation, { remaining: number; until: number; error: () => Error }>();
  /** Calls failed so far, by operation. */
  readonly injected: Record<FaultyOperation, number> = { append: 0, readStream: 0, saveCheckpoint: 0 };

  failNext(operation: FaultyOperation, count: number, error: () => Error = sqliteBusy): void {
    this.plans.set(operation, { remaining: count, until: 0, error });
  }

  failFor(operation: FaultyOperation, ms: number, error: () => Error = sqliteBusy): void {
    this.plans.set(operation, { remaining: 0, until: Date.now() + ms, error });
  }

  heal(): void {
    this.plans.clear();
  }

  /** Throws the planned error, if this call is to fail. */
  check(operation: FaultyOperation): void {
    const plan = this.plans.get(operation);
    if (plan === undefined) return;
    if (plan.remaining > 0 || Date.now() < plan.until) {
      plan.remaining = Math.max(0, plan.remaining - 1);
      this.injected[operation]++;
      throw plan.error();
    }
    this.plans.delete(operation);
  }
}

/** The store, with `faults` deciding which of its appends, stream reads and checkpoint saves fail. */
export const withFaults = (store: EventStore, faults: StoreFaults): EventStore => {
  const checkpoints: CheckpointStore = new Proxy(store.checkpoints, {
    get(target, property, receiver) {
      if (property === 'save') {
        return (...args: Parameters<CheckpointStore['save']>) => {
          try {
            faults.check('saveCheckpoint');
          } catch (error) {
            return Promise.reject(error);
          }
          return target.save(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(store, {
    get(target, property) {
      if (property === 'checkpoints') return checkpoints;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'append' || property === 'readStream') {
        return (...args: unknown[]) => {
          try {
            faults.check(property);
          } catch (error) {
            return Promise.reject(error);
          }
          return (value as (...args: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
};
