import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../src/shared/testing/eventually';
import { describeStoreLegs } from '../support/store-legs';
import { startTestSystem, type TestSystem } from '../support/test-system';
import {
  createProduct,
  eventsOf,
  eventuallyStatus,
  expectEachAtMostOnce,
  placeOrder,
  stockOf,
  typesOf,
} from './saga-support';

const happyPath = ['OrderPlaced', 'InventoryReserved', 'OrderConfirmed', 'PaymentProcessed', 'OrderPaid', 'ShipmentCreated', 'OrderShipped'];

describeStoreLegs('the order saga, end to end', (leg) => {
  let t: TestSystem;
  /** This test's name for a product (suffixed with a run id on EventStoreDB, which keeps earlier runs' products). */
  let sku: (name: string) => string;
  beforeEach(() => {
    sku = leg.uniqueNames();
  });
  afterEach(() => t?.stop());
  const tokenOf = (orderId: string) => t.system.eventStore.secrets.read(`payment-token:${orderId}`);

  describe('with an instant gateway', () => {
    beforeEach(async () => {
      t = await startTestSystem({ ...leg.environment, RETRY_BASE_DELAY_MS: '5' });
      await createProduct(t, sku('WIDGET-1'), 10, 19.99);
      await createProduct(t, sku('GADGET-2'), 5, 5);
    });

    it('happy path: PENDING → CONFIRMED → PAID → SHIPPED, then dispatch deducts the stock and delivery settles the order', async () => {
      const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 3 }, { sku: sku('GADGET-2'), quantity: 1 }]);
      const shipped = await eventuallyStatus(t, orderId, 'SHIPPED');
      expect(shipped).toMatchObject({ total: 64.97, paymentId: expect.any(String), shipmentId: expect.any(String), trackingNumber: expect.stringMatching(/^TRK/) });
      await eventually(async () => expect((await typesOf(t, orderId)).slice(0, 7)).toEqual(happyPath));
      expect(await stockOf(t, sku('WIDGET-1'))).toEqual({ onHand: 10, reserved: 3, available: 7 });
      // The token was kept apart from the log until the charge, then erased.
      await eventually(async () => expect(await tokenOf(orderId)).toBeUndefined());

      const events = await eventsOf(t, orderId);
      for (const event of events) expect(event.metadata.correlationId).toBe(orderId);
      const byId = new Map(events.map((event) => [event.id, event]));
      for (const event of events.slice(1)) expect(byId.has(event.metadata.causationId as string)).toBe(true);

      expect((await t.admin().post(`/api/shipments/${shipped.shipmentId}/dispatch`)).status).toBe(200);
      await eventually(async () => expect(await typesOf(t, orderId)).toContain('InventoryDeducted'));
      await eventually(async () => expect(await stockOf(t, sku('WIDGET-1'))).toEqual({ onHand: 7, reserved: 0, available: 7 }));
      expect((await t.admin().post(`/api/shipments/${shipped.shipmentId}/deliver`)).status).toBe(200);
      await eventuallyStatus(t, orderId, 'DELIVERED');
      const types = await typesOf(t, orderId);
      expect(types.slice(7)).toEqual(expect.arrayContaining(['ShipmentDispatched', 'InventoryDeducted', 'ShipmentDelivered', 'OrderDelivered']));
      expectEachAtMostOnce(types);
      expect((await t.admin().get(`/api/orders/${orderId}/saga`)).body).toMatchObject({
        status: 'DELIVERED',
        steps: { inventory: 'completed', payment: 'completed', shipping: 'completed' },
        compensations: [],
      });
      // The saga's history names events as GET /api/events does (which answers 503 on EventStoreDB: no audit query there yet, create-event-query.ts).
      if (!leg.embedded) return;
      const { history } = (await t.admin().get(`/api/orders/${orderId}/saga`)).body as { history: Array<Record<string, unknown>> };
      const { events: audit } = (await t.admin().get(`/api/events?correlationId=${orderId}&limit=1000`)).body as { events: Array<Record<string, unknown>> };
      const envelope = ({ eventId, eventType, aggregateType, aggregateId, position, occurredAt }: Record<string, unknown>) => ({ eventId, eventType, aggregateType, aggregateId, position, occurredAt });
      expect(history.length).toBeGreaterThan(0);
      for (const entry of history) expect(entry).toEqual(envelope(audit.find((event) => event.eventId === entry.eventId)!));
    });

    it('insufficient stock: InventoryReservationFailed → OrderRejected, no payment, nothing held', async () => {
      const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 2 }, { sku: sku('GADGET-2'), quantity: 6 }]);
      const rejected = await eventuallyStatus(t, orderId, 'REJECTED');
      expect(rejected.reason).toBeDefined();
      await eventually(async () => expect(await typesOf(t, orderId)).toEqual(['OrderPlaced', 'InventoryReservationFailed', 'OrderRejected']));
      const failed = (await eventsOf(t, orderId)).find((event) => event.type === 'InventoryReservationFailed');
      expect(failed!.data).toMatchObject({ shortages: [{ sku: sku('GADGET-2'), requested: 6, available: 5 }] });
      expect(await stockOf(t, sku('WIDGET-1'))).toEqual({ onHand: 10, reserved: 0, available: 10 });
      // Steps that will never happen have their own word.
      expect((await t.admin().get(`/api/orders/${orderId}/saga`)).body.steps).toEqual({ inventory: 'failed', payment: 'skipped', shipping: 'skipped' });
      await eventually(async () => expect(await tokenOf(orderId)).toBeUndefined());
    });

    it('payment declined: PaymentFailed → OrderPaymentFailed → InventoryReleased', async () => {
      const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 4 }], 'tok_chargeDeclined');
      expect((await eventuallyStatus(t, orderId, 'PAYMENT_FAILED')).reason).toBe('card_declined');
      await eventually(async () => expect(await typesOf(t, orderId)).toContain('InventoryReleased'));
      expect(await typesOf(t, orderId)).toEqual([
        'OrderPlaced', 'InventoryReserved', 'OrderConfirmed', 'PaymentFailed', 'OrderPaymentFailed', 'InventoryReleased',
      ]);
      await eventually(async () => expect(await stockOf(t, sku('WIDGET-1'))).toEqual({ onHand: 10, reserved: 0, available: 10 }));
      expect(await tokenOf(orderId)).toBeUndefined();
      expect((await t.admin().get(`/api/orders/${orderId}/saga`)).body).toMatchObject({
        steps: { inventory: 'compensated', payment: 'failed', shipping: 'skipped' },
        compensations: [{ eventType: 'InventoryReleased', aggregateType: 'Inventory', aggregateId: orderId }],
      });
    });

    it('a cancel once SHIPPED is refused 409', async () => {
      const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }]);
      await eventuallyStatus(t, orderId, 'SHIPPED');
      expect((await t.http().post(`/api/orders/${orderId}/cancel`).send({})).status).toBe(409);
    });

    // Embedded only: on EventStoreDB the process managers' positions are the consumer groups', kept by a
    // server shared with other runs; rewinding them would redeliver every earlier run's history.
    (leg.embedded ? it : it.skip)('redelivering every event to every process manager changes nothing', async () => {
      const orderIds = await Promise.all([
        placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }]),
        placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }], 'tok_chargeDeclined'),
        placeOrder(t, [{ sku: sku('GADGET-2'), quantity: 9 }]),
      ]);
      await eventuallyStatus(t, orderIds[0]!, 'SHIPPED');
      await eventuallyStatus(t, orderIds[1]!, 'PAYMENT_FAILED');
      await eventuallyStatus(t, orderIds[2]!, 'REJECTED');
      await eventually(async () => expect(await typesOf(t, orderIds[1]!)).toContain('InventoryReleased'));
      const before = await t.eventCount();
      const names = (await t.system.processManagers.status()).map((status) => status.name);
      await t.system.processManagers.stop();
      for (const name of names) await t.system.eventStore.checkpoints.save(name, 0n);
      await t.system.processManagers.start();
      await eventually(async () => {
        for (const status of await t.system.processManagers.status()) expect(status.lag).toBe(0);
      });
      expect(await t.eventCount()).toBe(before);
      // A redelivered OrderConfirmed finds its payment recorded: it needs no token, erased by then.
      expect((await t.admin().get('/api/admin/dead-letters')).body.items).toEqual([]);
    });
  });

  describe('cancellation', () => {
    it('from PENDING: OrderCancelled → InventoryReleased, nothing charged', async () => {
      t = await startTestSystem(leg.environment, { autoStart: 'read-models' });
      await createProduct(t, sku('WIDGET-1'), 10);
      const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 2 }]);
      expect((await t.http().post(`/api/orders/${orderId}/cancel`).send({ reason: 'changed my mind' })).status).toBe(202);
      await t.system.start();
      await eventually(async () => expect(await typesOf(t, orderId)).toContain('InventoryReleased'));
      await eventually(async () => expect(await stockOf(t, sku('WIDGET-1'))).toEqual({ onHand: 10, reserved: 0, available: 10 }));
      const types = await typesOf(t, orderId);
      expect(types).not.toContain('PaymentProcessed');
      expect(types).not.toContain('OrderConfirmed');
      expect((await t.http().get(`/api/orders/${orderId}`)).body.status).toBe('CANCELLED');
    });

    it('from CONFIRMED while the payment is in flight: the charge that lands is refunded and the stock comes back', async () => {
      t = await startTestSystem({ ...leg.environment, PAYMENT_DELAY_MS: '400' });
      await createProduct(t, sku('WIDGET-1'), 10);
      const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 2 }]);
      await eventuallyStatus(t, orderId, 'CONFIRMED');
      expect((await t.http().post(`/api/orders/${orderId}/cancel`).send({})).status).toBe(202);
      await eventually(async () => expect(await typesOf(t, orderId)).toEqual(expect.arrayContaining(['PaymentProcessed', 'PaymentRefunded', 'InventoryReleased'])));
      await eventually(async () => expect(await stockOf(t, sku('WIDGET-1'))).toEqual({ onHand: 10, reserved: 0, available: 10 }));
      const types = await typesOf(t, orderId);
      expect(types).not.toContain('OrderPaid');
      expect(types).not.toContain('ShipmentCreated');
      expectEachAtMostOnce(types);
      expect((await t.admin().get(`/api/orders/${orderId}/saga`)).body.steps).toEqual({
        inventory: 'compensated',
        payment: 'compensated',
        shipping: 'skipped',
      });
    });
  });

  describe('the payment deadline', () => {
    it('cancels an order not PAID in time with reason timeout, and compensates', async () => {
      t = await startTestSystem({ ...leg.environment, PAYMENT_DELAY_MS: '1500', SAGA_TIMEOUT_MS: '200' });
      await createProduct(t, sku('WIDGET-1'), 10);
      const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 3 }]);
      await eventuallyStatus(t, orderId, 'CONFIRMED');
      expect((await eventuallyStatus(t, orderId, 'CANCELLED')).reason).toBe('timeout');
      await eventually(async () => expect(await typesOf(t, orderId)).toEqual(expect.arrayContaining(['PaymentRefunded', 'InventoryReleased'])));
      await eventually(async () => expect(await stockOf(t, sku('WIDGET-1'))).toEqual({ onHand: 10, reserved: 0, available: 10 }));
      expect(await typesOf(t, orderId)).not.toContain('OrderPaid');
    });

    it('survives a restart: the deadline is in the store, not in a timer', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'saga-deadline-'));
      try {
        const environment = { ...leg.restartable(dataDir), SAGA_TIMEOUT_MS: '300' };
        t = await startTestSystem(environment, { autoStart: 'read-models' });
        await createProduct(t, sku('WIDGET-1'), 10);
        const orderId = await placeOrder(t, [{ sku: sku('WIDGET-1'), quantity: 1 }]);
        await t.stop();
        await new Promise((resolve) => setTimeout(resolve, 400));
        // Restarted with a gateway too slow to pay before anything else happens: only the deadline can settle it.
        t = await startTestSystem({ ...environment, PAYMENT_DELAY_MS: '2000' });
        expect((await eventuallyStatus(t, orderId, 'CANCELLED')).reason).toBe('timeout');
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
