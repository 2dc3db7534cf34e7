import pino from 'pino';
import { v7 as uuid } from 'uuid';
import { composeSystem, type System } from '../../src/container';
import type { ShipmentCommands } from '../../src/modules/shipments/application/shipment-commands';
import { shipmentsModule } from '../../src/modules/shipments/shipments.module';
import { ShipmentsTokens } from '../../src/modules/shipments/shipments.tokens';
import { loadConfig } from '../../src/shared/config';

/** Shipments learns SHIPPED from orders' published events into a read model of its own: it may lag, and a dispatch must not see that. */
describe('dispatch and the orders shipments knows SHIPPED', () => {
  let system: System;
  let shipments: ShipmentCommands;

  beforeEach(async () => {
    system = await composeSystem({ ...loadConfig({ EVENT_STORE: 'memory', LOG_LEVEL: 'silent' }), ADMIN_TOKEN: 'shipped-orders-token' }, {
      logger: pino({ level: 'silent' }),
      modules: [shipmentsModule],
    });
    shipments = system.container.get<ShipmentCommands>(ShipmentsTokens.ShipmentCommands);
  });

  afterEach(() => system.stop());

  const shipped = async (orderId: string) => {
    const created = await shipments.create(orderId);
    if (!created.ok) throw new Error(created.rejection.reason);
    const { shipmentId, trackingNumber } = created.shipment;
    await system.eventStore.append(`Order-${orderId}`, [{ id: uuid(), type: 'OrderShipped', data: { orderId, shipmentId, trackingNumber } }], 'any');
    return shipmentId;
  };

  it('dispatches a shipment whose order shipped before the dispatch was asked, though the read model had not applied it yet', async () => {
    const shipmentId = await shipped(uuid());
    let answered = false;
    const dispatch = shipments.dispatch(shipmentId).finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    system.projections.start();
    expect(await dispatch).toMatchObject({ ok: true, shipment: { status: 'DISPATCHED' } });
  });

  it('refuses to dispatch a shipment whose order never shipped, once the read model has caught up', async () => {
    const created = await shipments.create(uuid());
    if (!created.ok) throw new Error(created.rejection.reason);
    system.projections.start();
    expect(await shipments.dispatch(created.shipment.shipmentId)).toMatchObject({ ok: false, rejection: { code: 'conflict' } });
  });
});
