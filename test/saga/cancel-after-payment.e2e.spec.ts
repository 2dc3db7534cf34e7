import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemModules } from '../../src/container';
import { shipmentsModule } from '../../src/modules/shipments/shipments.module';
import { eventually } from '../../src/shared/testing/eventually';
import { describeStoreLegs } from '../support/store-legs';
import { startTestSystem, type TestSystem } from '../support/test-system';
import { createProduct, eventsOf, eventuallyStatus, expectEachAtMostOnce, placeOrder, stockOf, typesOf } from './saga-support';

describeStoreLegs('cancelling a PAID order', (leg) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cancel-paid-'));
  const environment = leg.restartable(dataDir);
  let t: TestSystem | undefined;
  afterEach(async () => t?.stop());
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refunds the payment, releases the stock, and cancels a shipment created for it afterwards', async () => {
    // Without the shipments module nothing ships the order: it stays PAID until it is cancelled.
    const widget = leg.uniqueNames()('WIDGET-1');
    t = await startTestSystem(environment, { modules: systemModules.filter((module) => module !== shipmentsModule) });
    await createProduct(t, widget, 10);
    const orderId = await placeOrder(t, [{ sku: widget, quantity: 4 }]);
    await eventuallyStatus(t, orderId, 'PAID');
    const cancelled = await t.http().post(`/api/orders/${orderId}/cancel`).send({ reason: 'found it cheaper' });
    expect(cancelled.status).toBe(202);
    await eventually(async () => expect(await typesOf(t!, orderId)).toEqual(expect.arrayContaining(['PaymentRefunded', 'InventoryReleased'])));
    await eventually(async () => expect(await stockOf(t!, widget)).toEqual({ onHand: 10, reserved: 0, available: 10 }));
    const refunded = (await eventsOf(t, orderId)).find((event) => event.type === 'PaymentRefunded')!;
    expect(refunded.data).toMatchObject({ orderId, amount: 40, reason: 'order cancelled: found it cheaper' });
    await t.stop();

    // The shipments module now starts and reads the order's history: OrderPaid, then OrderCancelled.
    // It creates the shipment the payment asked for, then cancels it; the order stays CANCELLED.
    t = await startTestSystem(environment);
    await eventually(async () => expect(await typesOf(t!, orderId)).toContain('ShipmentCancelled'));
    await eventually(async () => {
      for (const item of (await t!.admin().get('/api/admin/subscriptions')).body.items) expect(item.lag).toBe(0);
    });
    const types = await typesOf(t, orderId);
    expect(types).toEqual(expect.arrayContaining(['ShipmentCreated', 'ShipmentCancelled']));
    expect(types).not.toContain('OrderShipped');
    expect(types).not.toContain('ShipmentDispatched');
    expectEachAtMostOnce(types);
    expect((await t.http().get(`/api/orders/${orderId}`)).body.status).toBe('CANCELLED');
    const { shipmentId } = (await eventsOf(t, orderId)).find((event) => event.type === 'ShipmentCreated')!.data as { shipmentId: string };
    expect((await t.admin().post(`/api/shipments/${shipmentId}/dispatch`)).status).toBe(409);
    expect((await t.admin().get(`/api/orders/${orderId}/saga`)).body).toMatchObject({
      status: 'CANCELLED',
      steps: { inventory: 'compensated', payment: 'compensated', shipping: 'compensated' },
      compensations: expect.arrayContaining([
        expect.objectContaining({ eventType: 'PaymentRefunded' }),
        expect.objectContaining({ eventType: 'InventoryReleased' }),
        expect.objectContaining({ eventType: 'ShipmentCancelled' }),
      ]),
    });
  });
});
