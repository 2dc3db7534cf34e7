import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DURABILITY = {
  NORMAL: 'WAL, synchronous=NORMAL: survives a process crash, not a power loss',
  FULL: 'WAL, synchronous=FULL: survives power loss',
} as const;

/** One line of the results table. */
export interface Row {
  readonly subject: string;
  readonly work: string;
  readonly value: number;
  readonly unit: 'events/s' | 'reads/s';
  readonly durability: string;
  readonly note?: string;
}

/** The seeded store every read measure runs against: 1,000,000 events, 10 in each of 100,000 streams. */
export const SEED = { streams: 100_000, perStream: 10 } as const;
export const SEED_EVENTS = SEED.streams * SEED.perStream;
/** The append measures cycle over this many streams, tracking each one's revision. */
export const APPEND_STREAMS = 100;
export const EVENT_TYPE = 'OrderLineAdded';
export const CORRELATION_ID = '0190a6f3-8c1e-7b2a-9d4e-5f6a7b8c9d0e';

/** A type, not an interface, so that it fits Emmett's `Record<string, unknown>` data. */
export type LineAdded = {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly currency: string;
  readonly warehouse: string;
  readonly note: string;
};

/** ~150 bytes of JSON; `quantity` is what the reads fold. */
export const lineAdded = (stream: number, k: number): LineAdded => ({
  orderId: `ord-${String(stream).padStart(8, '0')}`,
  sku: `SKU-${String((stream * 31 + k * 7) % 100_000).padStart(5, '0')}`,
  quantity: quantityOf(stream, k),
  unitPriceCents: 1999 + k,
  currency: 'EUR',
  warehouse: 'eu-west-1a',
  note: 'gift wrap, leave at the back door',
});
export const quantityOf = (stream: number, k: number): number => 1 + ((stream + k) % 5);
/** The fold of a seeded stream, to check what each subject read. */
export const expectedFold = (stream: number): number => {
  let sum = 0;
  for (let k = 0; k < SEED.perStream; k++) sum += quantityOf(stream, k);
  return sum;
};
export const expectedReplaySum = (): number => {
  let sum = 0;
  for (let s = 0; s < SEED.streams; s++) sum += expectedFold(s);
  return sum;
};

export const streamName = (i: number): string => `Order-${i}`;

/** A fresh directory per subject under the OS temp dir; removed by `cleanup`. */
export const freshDir = (subject: string): string => mkdtempSync(join(tmpdir(), `bench-store-${subject}-`));
export const cleanup = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** Deterministic stream picks, the same sequence for every subject. */
export const picker = (seed = 42): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % SEED.streams) as number;
  };
};

export interface Budget {
  readonly warmupOps: number;
  readonly maxOps: number;
  readonly maxMs: number;
}

/** Runs `op` (which returns how many items it did) sequentially: a warm-up, then until either bound. */
export const measure = async (budget: Budget, op: () => Promise<number>): Promise<{ rate: number; items: number; ms: number }> => {
  for (let i = 0; i < budget.warmupOps; i++) await op();
  let items = 0;
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (ops < budget.maxOps && elapsed < budget.maxMs) {
    items += await op();
    ops++;
    elapsed = performance.now() - start;
  }
  return { rate: (items / elapsed) * 1000, items, ms: elapsed };
};

/** Appends of `size` events, sequential, cycling over APPEND_STREAMS streams. */
export const appendWork = (size: number, append: (stream: number, size: number) => Promise<void>) => {
  let next = 0;
  return async (): Promise<number> => {
    const stream = next;
    next = (next + 1) % APPEND_STREAMS;
    await append(stream, size);
    return size;
  };
};

export const log = (message: string): void => {
  process.stderr.write(`[bench:store] ${message}\n`);
};
