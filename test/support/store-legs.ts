import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStoreDbEventStore } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import type { WireServer } from '../eventstoredb-wire/wire-server';

/**
 * The stores an end-to-end suite runs on: the embedded one always; the EventStoreDB adapter through
 * the real client against the wire-level test double of the server (test/eventstoredb-wire/, one per
 * suite file, in this process: servers spawned by the suite connect to its port, and a killed one
 * leaves its state as a real server would); and a real EventStoreDB too when
 * EVENTSTORE_CONNECTION_STRING names one. Without it that leg is skipped, and the output says so,
 * once per suite.
 *
 * A server is shared and keeps what earlier runs wrote (events, consumer groups, parked messages),
 * so a suite on it names its fixtures with `uniqueNames` and looks only at its own data.
 */
export interface StoreLeg {
  readonly name: 'embedded' | 'eventstoredb-wire' | 'eventstoredb';
  /** A store of this process's own, new for each test system: nothing of another run is in it. */
  readonly embedded: boolean;
  /** The environment of a test system or server on this leg (on EventStoreDB, add a DATA_DIR for the read models). */
  readonly environment: Readonly<Record<string, string>>;
  /** The environment of systems that stop and start again on the same store: a SQLite file under `dataDir` on the embedded leg. */
  restartable(dataDir: string): Record<string, string>;
  /** Names one test's fixtures (skus, customers): as given on a new store, else suffixed with an id of this run. */
  uniqueNames(): (name: string) => string;
}

export const eventStoreDbSkipReason = 'EventStoreDB leg skipped: EVENTSTORE_CONNECTION_STRING is not set';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING || undefined;

const embeddedLeg: StoreLeg = {
  name: 'embedded',
  embedded: true,
  environment: { EVENT_STORE: 'memory' },
  restartable: (dataDir) => ({ EVENT_STORE: 'sqlite', DATA_DIR: dataDir }),
  uniqueNames: () => (name) => name,
};

// Upper case and digits, so that a suffixed name is still a valid sku.
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`.toUpperCase();
let namers = 0;

const eventStoreDbLeg = (connection: string): StoreLeg => {
  const environment = { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connection };
  return {
    name: 'eventstoredb',
    embedded: false,
    environment,
    restartable: (dataDir) => ({ ...environment, DATA_DIR: dataDir }),
    uniqueNames: () => {
      const suffix = `-${runId}${(namers++).toString(36).toUpperCase()}`;
      return (name) => `${name}${suffix}`;
    },
  };
};

/**
 * The wire leg: like a server's leg (consumer groups, parked messages, read models in a DATA_DIR),
 * but on a double of this suite's own, started before its tests and stopped after them. Its
 * connection string is known only once the double listens, so the environment reads it when used
 * (spread into a test system's or a child's environment), not when the suite is declared.
 */
const wireLeg = (): StoreLeg & { start(): Promise<void>; stop(): Promise<void> } => {
  let server: WireServer | undefined;
  const connection = () => {
    if (server === undefined) throw new Error('the wire test double is not started: use the leg inside tests and hooks');
    return server.connectionString;
  };
  const withConnection = (base: Record<string, string>): Record<string, string> =>
    Object.defineProperty(base, 'EVENTSTORE_CONNECTION_STRING', { get: connection, enumerable: true });
  return {
    name: 'eventstoredb-wire',
    embedded: false,
    get environment() {
      return withConnection({ EVENT_STORE: 'eventstoredb' });
    },
    restartable: (dataDir) => withConnection({ EVENT_STORE: 'eventstoredb', DATA_DIR: dataDir }),
    // The suite's tests share the double, as they would a server.
    uniqueNames: () => {
      const suffix = `-${runId}${(namers++).toString(36).toUpperCase()}`;
      return (name) => `${name}${suffix}`;
    },
    start: async () => {
      // Loaded only on this leg: the gRPC server and the client's generated code take a moment to load.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { WireServer: Server } = require('../eventstoredb-wire/wire-server') as { WireServer: typeof WireServer };
      server = await Server.start();
    },
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
  };
};

const connectTimeoutMs = 10_000;

/** Fails the leg at once, naming the server, rather than each test after the adapter's own 30 s wait. */
const assertAnswering = async (connection: string): Promise<void> => {
  // Required only on this leg: the gRPC client takes about 0.3 s to load, which the embedded leg need not pay.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EventStoreDbEventStore: Store } = require('../../src/event-store/eventstoredb/eventstoredb-event-store') as {
    EventStoreDbEventStore: typeof EventStoreDbEventStore;
  };
  try {
    const store = await Store.connect(connection, { connectTimeoutMs });
    await store.close();
  } catch (error) {
    throw new Error(`EventStoreDB at ${connection} does not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
};

/**
 * One suite's EventStoreDB leg at a time on this machine. Every system on the server joins the same
 * consumer groups, and the server hands each event to any member: a suite running beside another
 * (jest runs files in parallel) would have its events handled by the other's systems, with their
 * modules and gateways. The lock is a directory (made atomically) naming its holder's pid; a holder
 * that is gone is taken for dead.
 */
const lockDir = join(tmpdir(), 'order-platform-eventstoredb-leg.lock');
const lockWaitMs = 10 * 60_000;

let holdingLock = false;

const acquireLegLock = async (): Promise<void> => {
  for (const deadline = Date.now() + lockWaitMs; ; ) {
    try {
      mkdirSync(lockDir);
      holdingLock = true;
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!holderAlive()) rmSync(lockDir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`another suite has held the EventStoreDB leg (${lockDir}) for ${lockWaitMs} ms`);
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

const holderAlive = (): boolean => {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
  } catch {
    return true; // being made right now: its pid is not written yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const releaseLegLock = (): void => {
  if (holdingLock) rmSync(lockDir, { recursive: true, force: true });
  holdingLock = false;
};

/** `describe(title)` once per store leg, the leg in its title; with the EventStoreDB leg skipped, a skipped test says why. */
export const describeStoreLegs = (title: string, body: (leg: StoreLeg) => void): void => {
  const wire = wireLeg();
  const legs = connectionString === undefined ? [embeddedLeg, wire] : [embeddedLeg, wire, eventStoreDbLeg(connectionString)];
  describe.each(legs)(`${title} ($name)`, (leg) => {
    if (leg.name === 'eventstoredb-wire') {
      beforeAll(() => wire.start());
      body(leg);
      afterAll(() => wire.stop());
      return;
    }
    if (connectionString !== undefined && !leg.embedded) {
      beforeAll(async () => {
        await acquireLegLock();
        await assertAnswering(connectionString);
      }, lockWaitMs + connectTimeoutMs + 5000);
    }
    body(leg);
    // After the suite's own afterAll hooks, which stop what still runs on the server.
    if (!leg.embedded) afterAll(releaseLegLock);
  });
  if (connectionString === undefined) {
    console.log(`${title}: ${eventStoreDbSkipReason}`);
    describe(`${title} (eventstoredb)`, () => {
      it.skip(eventStoreDbSkipReason, () => undefined);
    });
  }
};
