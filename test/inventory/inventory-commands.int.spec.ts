import { v7 as uuid } from 'uuid';
import type { EventStore, ExpectedRevision, NewEvent } from '../../src/event-store/event-store.port';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import type { CommandHandler } from '../../src/shared/application/command-handler';
import type { InventoryCommands } from '../../src/modules/inventory/application/inventory-commands';
import { availableOf, type Product } from '../../src/modules/inventory/domain/product';
import { productDecider } from '../../src/modules/inventory/domain/product.decider';
import { reservationDecider } from '../../src/modules/inventory/domain/reservation.decider';
import { cause, countEvents, givenProducts, inventoryProcess } from './inventory-test-system';
import { inventoryStream, productStream } from '../../src/modules/inventory/application/inventory-streams';

describe('inventory commands (on the SQLite store)', () => {
  let store: SqliteEventStore;
  let handler: CommandHandler;
  let inventory: InventoryCommands;

  beforeEach(async () => {
    store = SqliteEventStore.open({ filename: ':memory:' });
    ({ handler, inventory } = inventoryProcess(store));
    await givenProducts(inventory, { 'A-1': 10, 'B-2': 5, 'C-3': 1 });
  });
  afterEach(() => store.close());

  const product = async (sku: string): Promise<Product> => (await handler.load(productDecider, productStream(sku))).state;
  const stock = async (sku: string) => {
    const state = await product(sku);
    if (!state.created) throw new Error(`${sku} does not exist`);
    return { onHand: state.onHand, reserved: state.reserved, available: availableOf(state) };
  };
  const typesOf = async (stream: string) => (await store.readStream(stream)).map((event) => event.type);
  /** The store as a process that dies at its first append matching, after `skip` such appends. */
  const stoppingAt = (target: EventStore, matches: (stream: string, types: string[]) => boolean, skip = 0): EventStore => {
    let seen = 0;
    return new Proxy(target, {
      get: (object, property, receiver) =>
        property === 'append'
          ? (stream: string, events: readonly NewEvent[], expected?: ExpectedRevision) =>
              matches(stream, events.map((event) => event.type)) && seen++ >= skip
                ? Promise.reject(new Error('stopped here'))
                : object.append(stream, events, expected)
          : Reflect.get(object, property, receiver),
    });
  };

  describe('reserveInventory', () => {
    it('reserves every item, in sku order, then records the reservation; all correlated to the order', async () => {
      const orderId = uuid();
      const because = cause();
      const outcome = await inventory.reserveInventory(
        { orderId, items: [{ sku: 'B-2', quantity: 2 }, { sku: 'A-1', quantity: 3 }] },
        because,
      );
      expect(outcome).toMatchObject({ ok: true, reservation: { status: 'reserved', orderId }, position: expect.any(BigInt) });
      expect(await stock('A-1')).toEqual({ onHand: 10, reserved: 3, available: 7 });
      expect(await stock('B-2')).toEqual({ onHand: 5, reserved: 2, available: 3 });
      const all = (await store.readAll()).map(({ event }) => event).filter((event) => event.metadata.correlationId === orderId);
      expect(all.map((event) => [event.type, event.streamName])).toEqual([
        ['InventoryReservationRequested', `Inventory-${orderId}`],
        ['ProductStockReserved', 'Product-A-1'],
        ['ProductStockReserved', 'Product-B-2'],
        ['InventoryReserved', `Inventory-${orderId}`],
      ]);
      // The order's event caused the request; the request caused the holds and the outcome.
      const [request, ...caused] = all;
      expect(request!.metadata).toMatchObject({ correlationId: orderId, causationId: because.causationId });
      for (const event of caused) expect(event.metadata).toMatchObject({ correlationId: orderId, causationId: request!.id });
      expect(all[3]!.data).toEqual({ orderId, reservations: [{ sku: 'B-2', quantity: 2 }, { sku: 'A-1', quantity: 3 }] });
    });

    it('reserves nothing on a shortage: records every shortage first (an unknown sku has 0), then gives back what it held', async () => {
      const orderId = uuid();
      const outcome = await inventory.reserveInventory(
        { orderId, items: [{ sku: 'A-1', quantity: 3 }, { sku: 'C-3', quantity: 2 }, { sku: 'NOPE-9', quantity: 1 }] },
        cause(),
      );
      expect(outcome).toMatchObject({
        ok: true,
        reservation: {
          status: 'failed',
          reason: 'insufficient_stock',
          shortages: [
            { sku: 'C-3', requested: 2, available: 1 },
            { sku: 'NOPE-9', requested: 1, available: 0 },
          ],
        },
      });
      expect(await stock('A-1')).toEqual({ onHand: 10, reserved: 0, available: 10 });
      expect(await typesOf('Product-C-3')).toEqual(['ProductCreated']);
      expect(await typesOf('Product-NOPE-9')).toEqual([]);
      const [, failed] = await store.readStream(inventoryStream(orderId));
      expect(failed).toMatchObject({ type: 'InventoryReservationFailed', metadata: { correlationId: orderId }, data: { held: [{ sku: 'A-1', quantity: 3 }] } });
      const aEvents = await store.readStream('Product-A-1');
      expect(aEvents.map((event) => event.type)).toEqual(['ProductCreated', 'ProductStockReserved', 'ProductStockReleased']);
      expect(aEvents[2]).toMatchObject({ data: { orderId, sku: 'A-1', quantity: 3 }, metadata: { correlationId: orderId, causationId: failed!.id } });
      expect(aEvents[2]!.position).toBeGreaterThan(failed!.position);
    });

    it('checks, without holding, every sku after the first shortage', async () => {
      const orderId = uuid();
      const outcome = await inventory.reserveInventory(
        { orderId, items: [{ sku: 'C-3', quantity: 2 }, { sku: 'B-2', quantity: 9 }, { sku: 'A-1', quantity: 1 }] },
        cause(),
      );
      expect(outcome.ok && outcome.reservation.status === 'failed' && outcome.reservation.shortages).toEqual([
        { sku: 'B-2', requested: 9, available: 5 },
        { sku: 'C-3', requested: 2, available: 1 },
      ]);
      // A-1 comes first in sku order: it was held, then given back; B-2 was short; C-3 only checked.
      expect(await typesOf('Product-A-1')).toEqual(['ProductCreated', 'ProductStockReserved', 'ProductStockReleased']);
      expect(await typesOf('Product-B-2')).toEqual(['ProductCreated']);
      expect(await typesOf('Product-C-3')).toEqual(['ProductCreated']);
    });

    it('answers the recorded outcome again, and writes nothing, when called again with the same cause or another', async () => {
      const orderId = uuid();
      const because = cause();
      const request = { orderId, items: [{ sku: 'A-1', quantity: 4 }] };
      const first = await inventory.reserveInventory(request, because);
      const events = await countEvents(store);
      expect(await inventory.reserveInventory(request, because)).toEqual({ ...first, position: undefined });
      expect(await inventory.reserveInventory(request, cause())).toEqual({ ...first, position: undefined });
      const other = inventoryProcess(store).inventory; // another process, with a cold cache
      expect(await other.reserveInventory(request, because)).toMatchObject({ ok: true, reservation: { status: 'reserved' } });
      expect(await countEvents(store)).toBe(events);
      expect(await stock('A-1')).toMatchObject({ reserved: 4 });
    });

    it('finishes a run that stopped after holding some products: each product is held once', async () => {
      const orderId = uuid();
      const because = cause();
      const items = [{ sku: 'A-1', quantity: 3 }, { sku: 'B-2', quantity: 5 }];
      // The first run held A-1, then died before B-2.
      const dying = inventoryProcess(stoppingAt(store, (stream) => stream === 'Product-B-2')).inventory;
      await expect(dying.reserveInventory({ orderId, items }, because)).rejects.toThrow('stopped here');
      expect(await stock('A-1')).toMatchObject({ reserved: 3 });

      const outcome = await inventoryProcess(store).inventory.reserveInventory({ orderId, items }, because);
      expect(outcome).toMatchObject({ ok: true, reservation: { status: 'reserved' } });
      expect(await stock('A-1')).toEqual({ onHand: 10, reserved: 3, available: 7 });
      expect(await stock('B-2')).toEqual({ onHand: 5, reserved: 5, available: 0 });
      expect(await typesOf('Product-A-1')).toEqual(['ProductCreated', 'ProductStockReserved']);
      expect(await typesOf(inventoryStream(orderId))).toEqual(['InventoryReservationRequested', 'InventoryReserved']);
    });

    it('finds the hold of a run that stopped, and gives it back when the products after it have sold out meanwhile', async () => {
      const orderId = uuid();
      const because = cause();
      const items = [{ sku: 'A-1', quantity: 2 }, { sku: 'B-2', quantity: 2 }, { sku: 'C-3', quantity: 1 }];
      const dying = inventoryProcess(stoppingAt(store, (stream) => stream === 'Product-B-2')).inventory;
      await expect(dying.reserveInventory({ orderId, items }, because)).rejects.toThrow('stopped here');
      await inventory.reserveInventory({ orderId: uuid(), items: [{ sku: 'B-2', quantity: 4 }] }, cause());

      const outcome = await inventoryProcess(store).inventory.reserveInventory({ orderId, items }, because);
      expect(outcome).toMatchObject({
        ok: true,
        reservation: { status: 'failed', shortages: [{ sku: 'B-2', requested: 2, available: 1 }], held: [{ sku: 'A-1', quantity: 2 }] },
      });
      expect(await stock('A-1')).toEqual({ onHand: 10, reserved: 0, available: 10 });
      expect(await stock('B-2')).toEqual({ onHand: 5, reserved: 4, available: 1 });
      expect(await stock('C-3')).toEqual({ onHand: 1, reserved: 0, available: 1 });
    });

    it('finishes a run that stopped after recording a failure: gives back what is still held', async () => {
      const orderId = uuid();
      const because = cause();
      const items = [{ sku: 'A-1', quantity: 2 }, { sku: 'C-3', quantity: 5 }];
      const dying = inventoryProcess(stoppingAt(store, (_stream, types) => types.includes('ProductStockReleased'))).inventory;
      await expect(dying.reserveInventory({ orderId, items }, because)).rejects.toThrow('stopped here');
      expect(await stock('A-1')).toMatchObject({ reserved: 2 });

      const outcome = await inventoryProcess(store).inventory.reserveInventory({ orderId, items }, because);
      expect(outcome).toMatchObject({ ok: true, reservation: { status: 'failed', shortages: [{ sku: 'C-3', requested: 5, available: 1 }] } });
      expect(await stock('A-1')).toEqual({ onHand: 10, reserved: 0, available: 10 });
      expect(await inventory.reserveInventory({ orderId, items }, because)).toMatchObject({ ok: true, reservation: { status: 'failed' } });
      expect(await typesOf('Product-A-1')).toEqual(['ProductCreated', 'ProductStockReserved', 'ProductStockReleased']);
    });

    it('holds each product once when two processes run the same reservation at once', async () => {
      for (let round = 0; round < 20; round++) {
        const orderId = uuid();
        const because = cause();
        const items = [{ sku: 'A-1', quantity: 1 }, { sku: 'B-2', quantity: 1 }];
        const before = { a: await stock('A-1'), b: await stock('B-2') };
        const [first, second] = await Promise.all([
          inventoryProcess(store).inventory.reserveInventory({ orderId, items }, because),
          inventoryProcess(store).inventory.reserveInventory({ orderId, items }, because),
        ]);
        expect(first).toMatchObject({ ok: true, reservation: { status: 'reserved' } });
        expect(second).toMatchObject({ ok: true, reservation: { status: 'reserved' } });
        expect(await stock('A-1')).toMatchObject({ reserved: before.a.reserved + 1 });
        expect(await stock('B-2')).toMatchObject({ reserved: before.b.reserved + 1 });
        await inventory.releaseInventory(orderId, cause());
      }
    });

    it('refuses items that are not an order, and writes nothing', async () => {
      const events = await countEvents(store);
      for (const items of [[], [{ sku: 'A-1', quantity: 0 }], [{ sku: 'A-1', quantity: 1 }, { sku: 'A-1', quantity: 1 }]]) {
        expect(await inventory.reserveInventory({ orderId: uuid(), items }, cause())).toMatchObject({
          ok: false,
          rejection: { code: 'invalid' },
        });
      }
      expect(await countEvents(store)).toBe(events);
    });
  });

  describe('releaseInventory and deductInventory', () => {
    const reserveA3B2 = async () => {
      const orderId = uuid();
      await inventory.reserveInventory({ orderId, items: [{ sku: 'A-1', quantity: 3 }, { sku: 'B-2', quantity: 2 }] }, cause());
      return orderId;
    };

    it('releases a reserved order: recorded first, then each product gives its hold back; twice changes nothing', async () => {
      const orderId = await reserveA3B2();
      const because = cause();
      const outcome = await inventory.releaseInventory(orderId, because);
      expect(outcome).toMatchObject({ ok: true, reservation: { status: 'released' } });
      expect(await stock('A-1')).toEqual({ onHand: 10, reserved: 0, available: 10 });
      expect(await stock('B-2')).toEqual({ onHand: 5, reserved: 0, available: 5 });
      const [, , released] = await store.readStream(inventoryStream(orderId));
      expect(released).toMatchObject({
        type: 'InventoryReleased',
        data: { orderId, items: [{ sku: 'A-1', quantity: 3 }, { sku: 'B-2', quantity: 2 }] },
        metadata: { correlationId: orderId, causationId: because.causationId },
      });
      const [, , givenBack] = await store.readStream('Product-A-1');
      expect(givenBack).toMatchObject({ type: 'ProductStockReleased', metadata: { causationId: released!.id } });

      const events = await countEvents(store);
      expect(await inventory.releaseInventory(orderId, because)).toMatchObject({ ok: true, reservation: { status: 'released' } });
      expect(await inventory.releaseInventory(orderId, cause())).toMatchObject({ ok: true, reservation: { status: 'released' } });
      expect(await inventory.deductInventory(orderId, cause())).toMatchObject({ ok: true, reservation: { status: 'released' } });
      expect(await countEvents(store)).toBe(events);
    });

    it('deducts a reserved order from the stock on hand; twice changes nothing, nor a release after it', async () => {
      const orderId = await reserveA3B2();
      expect(await inventory.deductInventory(orderId, cause())).toMatchObject({ ok: true, reservation: { status: 'deducted' } });
      expect(await stock('A-1')).toEqual({ onHand: 7, reserved: 0, available: 7 });
      expect(await stock('B-2')).toEqual({ onHand: 3, reserved: 0, available: 3 });
      const events = await countEvents(store);
      expect(await inventory.deductInventory(orderId, cause())).toMatchObject({ reservation: { status: 'deducted' } });
      expect(await inventory.releaseInventory(orderId, cause())).toMatchObject({ reservation: { status: 'deducted' } });
      expect(await countEvents(store)).toBe(events);
      expect(await stock('A-1')).toEqual({ onHand: 7, reserved: 0, available: 7 });
    });

    it('changes nothing for an order that has no reservation, or a failed one', async () => {
      const failedOrder = uuid();
      await inventory.reserveInventory({ orderId: failedOrder, items: [{ sku: 'C-3', quantity: 2 }] }, cause());
      const events = await countEvents(store);
      expect(await inventory.releaseInventory(uuid(), cause())).toMatchObject({ ok: true, reservation: { status: 'none' } });
      expect(await inventory.deductInventory(uuid(), cause())).toMatchObject({ ok: true, reservation: { status: 'none' } });
      expect(await inventory.releaseInventory(failedOrder, cause())).toMatchObject({ ok: true, reservation: { status: 'failed' } });
      expect(await inventory.deductInventory(failedOrder, cause())).toMatchObject({ ok: true, reservation: { status: 'failed' } });
      expect(await countEvents(store)).toBe(events);
    });

    it('finishes a release that stopped after recording it: the products give their holds back on the next call', async () => {
      const orderId = await reserveA3B2();
      await handler.handle(reservationDecider, inventoryStream(orderId), { type: 'ReleaseReservation', orderId }, { correlationId: orderId, causationId: uuid() });
      expect(await stock('A-1')).toMatchObject({ reserved: 3 });
      expect(await inventoryProcess(store).inventory.releaseInventory(orderId, cause())).toMatchObject({ reservation: { status: 'released' } });
      expect(await stock('A-1')).toEqual({ onHand: 10, reserved: 0, available: 10 });
      expect(await stock('B-2')).toEqual({ onHand: 5, reserved: 0, available: 5 });
    });

    it('lets one of a release and a deduct that race win, in one process or across two, and the products follow it', async () => {
      for (const [first, second] of [
        [inventory, inventory],
        [inventory, inventoryProcess(store).inventory],
      ]) {
        const orderId = await reserveA3B2();
        const before = { a: await stock('A-1'), b: await stock('B-2') };
        const [released, deducted] = await Promise.all([first!.releaseInventory(orderId, cause()), second!.deductInventory(orderId, cause())]);
        if (!released.ok || !deducted.ok) throw new Error('refused');
        const winner = released.reservation.status;
        expect(deducted.reservation.status).toBe(winner);
        expect(['released', 'deducted']).toContain(winner);
        const taken = winner === 'deducted' ? { a: 3, b: 2 } : { a: 0, b: 0 };
        expect(await stock('A-1')).toEqual({ onHand: before.a.onHand - taken.a, reserved: before.a.reserved - 3, available: before.a.available + 3 - taken.a });
        expect(await stock('B-2')).toEqual({ onHand: before.b.onHand - taken.b, reserved: before.b.reserved - 2, available: before.b.available + 2 - taken.b });
      }
    });
  });

  describe('the catalog', () => {
    it('creates a product once (conflict after), restocks only one that exists (not_found)', async () => {
      expect(await inventory.createProduct({ sku: 'A-1', name: 'again', price: 1, initialStock: 1 })).toMatchObject({
        ok: false,
        rejection: { code: 'conflict' },
      });
      expect(await inventory.restock('NOPE-1', 5)).toMatchObject({ ok: false, rejection: { code: 'not_found' } });
      expect(await inventory.restock('A-1', 5)).toMatchObject({ ok: true, product: { onHand: 15 } });
      expect(await inventory.createProduct({ sku: 'D-4', name: 'd', price: 0.1 + 0.2, initialStock: 0 })).toMatchObject({
        ok: true,
        product: { priceCents: 30 },
      });
    });
  });
});
