import Database from 'better-sqlite3';
import pino from 'pino';
import type { RecordedEvent } from '../../event-store/event-store.port';
import { openDatabase } from '../../event-store/sqlite/open-database';
import { SqliteEventStore } from '../../event-store/sqlite/sqlite-event-store';
import { newEventId } from '../application/event-ids';
import { DeadLetterStore } from './dead-letter-store';
import type { ProcessManager } from '../../event-store/consumer-groups.port';
import { ProcessManagerRunner } from './process-manager-runner';
import { ProcessManagerSupervisor } from './process-manager-supervisor';
import { eventually } from '../testing/eventually';

const logger = pino({ level: 'silent' });

const append = (store: SqliteEventStore, stream: string, type: string, data: unknown = {}) =>
  store.append(stream, [{ id: newEventId(), type, data }], 'any');

describe('process manager runner', () => {
  let store: SqliteEventStore;
  let deadLetters: DeadLetterStore;
  beforeEach(() => {
    store = SqliteEventStore.open({ filename: ':memory:' });
    deadLetters = new DeadLetterStore(openDatabase({ filename: ':memory:' }));
  });
  afterEach(() => store.close());

  const processManagerOf = (handle: (event: RecordedEvent) => Promise<void>, eventTypes = ['Happened']): ProcessManager => ({
    name: 'test-process-manager',
    category: 'Thing',
    eventTypes,
    handle,
  });

  it('handles one stream in order while a slow stream does not hold up the others', async () => {
    const handled: string[] = [];
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const runner = new ProcessManagerRunner(
      store,
      processManagerOf(async (event) => {
        const { n } = event.data as { n: number };
        if (event.streamName === 'Thing-slow' && n === 0) await slow;
        handled.push(`${event.streamName}:${n}`);
      }),
      deadLetters,
      logger,
    );
    await append(store, 'Thing-slow', 'Happened', { n: 0 });
    await append(store, 'Thing-slow', 'Happened', { n: 1 });
    for (let n = 0; n < 5; n++) await append(store, 'Thing-fast', 'Happened', { n });
    await runner.start();
    await eventually(() => expect(handled).toEqual(['Thing-fast:0', 'Thing-fast:1', 'Thing-fast:2', 'Thing-fast:3', 'Thing-fast:4']));
    // Nothing after the unfinished event may be checkpointed.
    expect((await runner.status()).checkpoint).toBe('0');
    releaseSlow();
    await eventually(() => expect(handled.slice(5)).toEqual(['Thing-slow:0', 'Thing-slow:1']));
    await runner.stop();
    expect(await store.checkpoints.load('test-process-manager')).toBe(7n);
  });

  it('resumes after its checkpoint on restart, and skips event types it does not handle', async () => {
    const seen: number[] = [];
    const processManager = processManagerOf(async (event) => {
      seen.push((event.data as { n: number }).n);
    });
    await append(store, 'Thing-1', 'Happened', { n: 1 });
    await append(store, 'Thing-1', 'Ignored', { n: 2 });
    const first = new ProcessManagerRunner(store, processManager, deadLetters, logger);
    await first.start();
    await eventually(() => expect(first.caughtUp).toBe(true));
    await first.stop();
    await append(store, 'Thing-1', 'Happened', { n: 3 });
    const second = new ProcessManagerRunner(store, processManager, deadLetters, logger);
    await second.start();
    await eventually(() => expect(seen).toEqual([1, 3]));
    await second.stop();
  });

  it('retries a failing handler 3 times with backoff, then dead-letters it and carries on; the letter can be replayed', async () => {
    let attempts = 0;
    let healed = false;
    const seen: string[] = [];
    const runner = new ProcessManagerRunner(
      store,
      processManagerOf(async (event) => {
        if (event.streamName === 'Thing-bad' && !healed) {
          attempts++;
          throw new Error('downstream is down');
        }
        seen.push(event.streamName);
      }),
      deadLetters,
      logger,
      { baseDelayMs: 1 },
    );
    await append(store, 'Thing-bad', 'Happened');
    await append(store, 'Thing-good', 'Happened');
    await runner.start();
    await eventually(() => expect(deadLetters.list()).toHaveLength(1));
    expect(attempts).toBe(4);
    await eventually(() => expect(seen).toEqual(['Thing-good']));
    const [letter] = deadLetters.list();
    expect(letter).toMatchObject({ subscription: 'test-process-manager', streamName: 'Thing-bad', error: 'downstream is down', attempts: 4 });
    expect(await runner.status()).toMatchObject({ retries: 3, deadLetters: 1, lag: 0 });

    healed = true;
    await runner.replay((await store.readEvent(letter!.eventId))!);
    expect(seen).toEqual(['Thing-good', 'Thing-bad']);
    await runner.stop();
  });

  it('retries a store error that clears by itself for as long as it lasts, past its 3 retries, and dead-letters nothing', async () => {
    let failuresLeft = 8;
    const seen: string[] = [];
    const runner = new ProcessManagerRunner(
      store,
      processManagerOf(async (event) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Database.SqliteError('database is locked', 'SQLITE_BUSY');
        }
        seen.push(event.streamName);
      }),
      deadLetters,
      logger,
      { baseDelayMs: 1 },
    );
    await append(store, 'Thing-1', 'Happened');
    await runner.start();
    await eventually(() => expect(seen).toEqual(['Thing-1']));
    expect(deadLetters.list()).toEqual([]);
    expect(await runner.status()).toMatchObject({ retries: 0, transientRetries: 8, deadLetters: 0, lag: 0 });
    await runner.stop();
  });

  it('keeps an event whose dead letter cannot be written, with no unhandled rejection, and records it once the write succeeds', async () => {
    const failing = { add: deadLetters.add.bind(deadLetters), down: true };
    deadLetters.add = (letter) => {
      if (failing.down) throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE');
      failing.add(letter);
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const runner = new ProcessManagerRunner(store, processManagerOf(async () => Promise.reject(new Error('downstream is down'))), deadLetters, logger, { baseDelayMs: 1 });
      await append(store, 'Thing-1', 'Happened');
      await runner.start();
      await eventually(async () => expect((await runner.status()).transientRetries).toBeGreaterThan(2));
      // Not past it until its letter is recorded.
      expect((await runner.status()).checkpoint).toBe('0');
      failing.down = false;
      await eventually(() => expect(deadLetters.list()).toHaveLength(1));
      await eventually(async () => expect((await runner.status()).checkpoint).toBe('1'));
      await runner.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('starts a failed subscription again from its checkpoint, reporting itself down meanwhile, and counts the restarts', async () => {
    let failOnce = true;
    const flaky = new Proxy(store, {
      get(target, property) {
        if (property === 'subscribe') {
          return (options: Parameters<SqliteEventStore['subscribe']>[0]) => {
            const inner = target.subscribe(options);
            if (!failOnce) return inner;
            failOnce = false;
            return {
              close: () => inner.close(),
              async *[Symbol.asyncIterator]() {
                for await (const positioned of inner) {
                  yield positioned;
                  throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_READ');
                }
              },
            };
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const seen: string[] = [];
    const supervisor = new ProcessManagerSupervisor(flaky, [processManagerOf(async (event) => void seen.push(event.streamName))], deadLetters, logger, () => ({ baseDelayMs: 200 }));
    const status = async () => (await supervisor.status())[0]!;
    for (let n = 0; n < 3; n++) await append(store, `Thing-${n}`, 'Happened');
    await supervisor.start();
    await eventually(async () => expect((await status()).restarts).toBe(1));
    // What /ready asks: a process manager whose subscription is down is not ready, and says which.
    await expect(supervisor.assertReady()).rejects.toThrow(/down.*test-process-manager/);
    await eventually(() => expect(seen).toEqual(['Thing-0', 'Thing-1', 'Thing-2']));
    await eventually(() => expect(supervisor.assertReady()).resolves.toBeUndefined());
    await append(store, 'Thing-3', 'Happened');
    await eventually(() => expect(seen).toEqual(['Thing-0', 'Thing-1', 'Thing-2', 'Thing-3']));
    expect(await status()).toMatchObject({ restarts: 1, running: true, lag: 0 });
    await supervisor.stop();
  });

  describe('stopping', () => {

    const processManagerOf = (handle: ProcessManager['handle']): ProcessManager => ({ name: 'test-process-manager', category: 'Thing', eventTypes: ['Happened'], handle });
    const label = (event: RecordedEvent) => `${event.streamName}:${(event.data as { n: number }).n}`;

    it('finishes the events started, gives up those queued behind them, and saves the checkpoint before the first given up', async () => {
      const handled: string[] = [];
      let releaseSlow!: () => void;
      const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
      const first = new ProcessManagerRunner(
        store,
        processManagerOf(async (event) => {
          if (label(event) === 'Thing-a:0') await slow;
          handled.push(label(event));
        }),
        deadLetters,
        logger,
      );
      const a0 = await append(store, 'Thing-a', 'Happened', { n: 0 });
      await append(store, 'Thing-a', 'Happened', { n: 1 });
      await append(store, 'Thing-b', 'Happened', { n: 0 });
      await first.start();
      await eventually(() => expect(handled).toEqual(['Thing-b:0']));
      const stopped = first.stop();
      releaseSlow();
      await stopped;
      // Thing-a:1 waited behind Thing-a:0 and never started: it comes again, and Thing-b:0 with it.
      expect(handled).toEqual(['Thing-b:0', 'Thing-a:0']);
      expect(await store.checkpoints.load('test-process-manager')).toBe(a0.position);

      const second = new ProcessManagerRunner(store, processManagerOf(async (event) => void handled.push(label(event))), deadLetters, logger);
      await second.start();
      await eventually(() => expect(handled.slice(2)).toEqual(['Thing-a:1', 'Thing-b:0']));
      await second.stop();
      expect(deadLetters.list()).toEqual([]);
    });

    it('aborts the waits of the handlers in hand: no retry, no dead letter, no checkpoint past them', async () => {
      let waiting = 0;
      const runner = new ProcessManagerRunner(
        store,
        processManagerOf(async (_event, context) => {
          waiting++;
          await new Promise((_resolve, reject) => context?.signal.addEventListener('abort', () => reject(new Error('aborted'))));
        }),
        deadLetters,
        logger,
        { baseDelayMs: 1 },
      );
      for (let n = 0; n < 3; n++) await append(store, `Thing-${n}`, 'Happened', { n });
      await runner.start();
      await eventually(() => expect(waiting).toBe(3));
      await runner.stop();
      expect(waiting).toBe(3);
      expect(deadLetters.list()).toEqual([]);
      expect((await runner.status()).retries).toBe(0);
      expect(await store.checkpoints.load('test-process-manager')).toBeUndefined();
    });

    it('ends a retry backoff at once', async () => {
      let attempts = 0;
      const runner = new ProcessManagerRunner(
        store,
        processManagerOf(async () => {
          attempts++;
          throw new Error('downstream is down');
        }),
        deadLetters,
        logger,
        { baseDelayMs: 60_000, drainTimeoutMs: 60_000 },
      );
      await append(store, 'Thing-1', 'Happened', { n: 1 });
      await runner.start();
      await eventually(() => expect(attempts).toBe(1));
      await runner.stop();
      expect(attempts).toBe(1);
      expect(deadLetters.list()).toEqual([]);
    });

    it('gives up, after its drain timeout, a handler that does not end, and keeps the checkpoint before it', async () => {
      let started = false;
      const runner = new ProcessManagerRunner(
        store,
        processManagerOf(async (event) => {
          if (label(event) === 'Thing-stuck:0') {
            started = true;
            await new Promise(() => undefined);
          }
        }),
        deadLetters,
        logger,
        { drainTimeoutMs: 50 },
      );
      const before = await append(store, 'Thing-fine', 'Happened', { n: 0 });
      await append(store, 'Thing-stuck', 'Happened', { n: 0 });
      await append(store, 'Thing-fine', 'Happened', { n: 1 });
      await runner.start();
      await eventually(() => expect(started).toBe(true));
      await runner.stop();
      expect(await store.checkpoints.load('test-process-manager')).toBe(before.position);
    });
  });
});
