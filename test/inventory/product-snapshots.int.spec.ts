import fc from 'fast-check';
import { v7 as uuid } from 'uuid';
import type { EventStore, ReadStreamOptions } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { productDecider } from '../../src/modules/inventory/domain/product.decider';
import { productSnapshots } from '../../src/modules/inventory/inventory.module';
import { cause, givenProducts, inventoryProcess } from './inventory-test-system';
import { productStream } from '../../src/modules/inventory/application/inventory-streams';

type Step =
  | { readonly kind: 'reserve'; readonly order: number; readonly quantity: number }
  | { readonly kind: 'release' | 'deduct'; readonly order: number }
  | { readonly kind: 'restock'; readonly quantity: number }
  | { readonly kind: 'restart' }
  | { readonly kind: 'forgetSnapshots' };

const orders = 8;
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), order: fc.nat(orders - 1), quantity: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constantFrom('release' as const, 'deduct' as const), order: fc.nat(orders - 1) }),
  fc.record({ kind: fc.constant('restock' as const), quantity: fc.integer({ min: 1, max: 5 }) }),
  fc.constant({ kind: 'restart' as const }),
  fc.constant({ kind: 'forgetSnapshots' as const }),
);

/** Counts what every load of the product stream reads, to show what a snapshot saves. */
const countingReads = (store: SqliteEventStore, read: { events: number }): EventStore =>
  new Proxy(store, {
    get: (target, property, receiver) =>
      property === 'readStream'
        ? async (stream: string, options?: ReadStreamOptions) => {
            const events = await target.readStream(stream, options);
            if (stream === productStream('HOT-1')) read.events += events.length;
            return events;
          }
        : Reflect.get(target, property, receiver),
  });

/** Runs the steps on a fresh store, each order's steps through the whole reservation protocol; answers the product's final state. */
const run = async (steps: readonly Step[], snapshotEvery: number | undefined) => {
  const store = SqliteEventStore.open({ filename: ':memory:' });
  const options = snapshotEvery === undefined ? {} : { snapshots: { Product: { every: snapshotEvery, version: 1 } } };
  let process = inventoryProcess(store, options);
  const ids = Array.from({ length: orders }, () => uuid());
  try {
    await givenProducts(process.inventory, { 'HOT-1': 10 });
    for (const next of steps) {
      switch (next.kind) {
        case 'reserve':
          await process.inventory.reserveInventory({ orderId: ids[next.order]!, items: [{ sku: 'HOT-1', quantity: next.quantity }] }, cause());
          break;
        case 'release':
          await process.inventory.releaseInventory(ids[next.order]!, cause());
          break;
        case 'deduct':
          await process.inventory.deductInventory(ids[next.order]!, cause());
          break;
        case 'restock':
          await process.inventory.restock('HOT-1', next.quantity);
          break;
        case 'restart':
          process = inventoryProcess(store, options);
          break;
        case 'forgetSnapshots':
          await store.snapshots.delete(productStream('HOT-1'));
          break;
      }
    }
    const cold = await inventoryProcess(store, options).handler.load(productDecider, productStream('HOT-1'));
    const warm = await process.handler.load(productDecider, productStream('HOT-1'));
    expect(cold).toEqual(warm);
    return { state: cold.state, revision: cold.revision, types: (await store.readStream(productStream('HOT-1'))).map((event) => event.type) };
  } finally {
    await store.close();
  }
};

describe('product snapshots', () => {
  it('leave the same stock, and the same events, as no snapshots, for any interleaving of reserve, release, deduct and restock', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const [without, everyTwo] = await Promise.all([run(steps, undefined), run(steps, 2)]);
        expect(everyTwo).toEqual(without);
        if (without.state.created) expect(without.state.onHand - without.state.reserved).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60 },
    );
  });

  it('load a product after a restart reading only the events since the newest snapshot; deleting them changes no answer', async () => {
    const store = SqliteEventStore.open({ filename: ':memory:' });
    try {
      const every = productSnapshots.Product!.every;
      const { inventory } = inventoryProcess(store, { snapshots: productSnapshots });
      await givenProducts(inventory, { 'HOT-1': 100_000 });
      for (let n = 0; n < 3 * every + 40; n += 10) {
        await Promise.all(Array.from({ length: 10 }, () => inventory.reserveInventory({ orderId: uuid(), items: [{ sku: 'HOT-1', quantity: 1 }] }, cause())));
      }
      const read = { events: 0 };
      const restarted = inventoryProcess(countingReads(store, read), { snapshots: productSnapshots }).handler;
      const loaded = await restarted.load(productDecider, productStream('HOT-1'));
      expect(loaded.revision).toBeGreaterThan(3 * every);
      expect(read.events).toBeLessThan(every);
      expect(read.events).toBe(loaded.revision - (await store.snapshots.load(productStream('HOT-1')))!.revision);

      await store.snapshots.delete(productStream('HOT-1'));
      read.events = 0;
      const fromScratch = await inventoryProcess(countingReads(store, read)).handler.load(productDecider, productStream('HOT-1'));
      expect(fromScratch).toEqual(loaded);
      expect(read.events).toBe(loaded.revision + 1);
      expect(loaded.state).toMatchObject({ onHand: 100_000, reserved: loaded.revision });
    } finally {
      await store.close();
    }
  });
});
