import { createEventStore } from '../../src/event-store/create-event-store';
import type { EventStore } from '../../src/event-store/event-store.port';
import {
  ShipmentCommands,
  type ShipmentOutcome,
  trackingNumberFor,
} from '../../src/modules/shipments/application/shipment-commands';
import { CommandHandler } from '../../src/shared/application/command-handler';
import { loadConfig } from '../../src/shared/config';
import { shipmentIdFor, shipmentStream } from '../../src/modules/shipments/application/shipment-stream';

const expectOk = (outcome: ShipmentOutcome) => {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.rejection.code}: ${outcome.rejection.reason}`);
  return outcome.shipment;
};

describe('shipment commands', () => {
  let store: EventStore;
  let commands: ShipmentCommands;
  let now: Date;

  const at = (iso: string) => {
    now = new Date(iso);
  };
  const eventsOf = async (orderId: string) => store.readStream(shipmentStream(shipmentIdFor(orderId)));

  beforeEach(async () => {
    store = await createEventStore(loadConfig({ EVENT_STORE: 'memory' }));
    at('2026-11-21T10:30:00.000Z');
    // The order of every shipment here is taken as SHIPPED; the gate itself is tested with the saga.
    commands = new ShipmentCommands(new CommandHandler(store), () => now, async () => true);
  });
  afterEach(() => store.close());

  it('creates an order\'s shipment in Shipment-<shipmentId>, tracking number derived from its id, correlated to the order', async () => {
    const shipment = expectOk(await commands.create('order-1', 'order-paid-event'));
    const shipmentId = shipmentIdFor('order-1');
    expect(shipment).toEqual({
      status: 'CREATED',
      shipmentId,
      orderId: 'order-1',
      trackingNumber: trackingNumberFor(shipmentId),
      createdAt: '2026-11-21T10:30:00.000Z',
      updatedAt: '2026-11-21T10:30:00.000Z',
    });
    expect(shipment.trackingNumber).toMatch(/^TRK[A-Z2-7]{12}$/);
    const [created] = await eventsOf('order-1');
    expect(created).toMatchObject({
      type: 'ShipmentCreated',
      data: { orderId: 'order-1', shipmentId, trackingNumber: shipment.trackingNumber, createdAt: '2026-11-21T10:30:00.000Z' },
      metadata: { correlationId: 'order-1', causationId: 'order-paid-event' },
    });
  });

  it('creates one shipment per order, however often and however concurrently it is asked', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => commands.create('order-1')));
    expect(new Set(outcomes.map((outcome) => JSON.stringify(expectOk(outcome)))).size).toBe(1);
    at('2026-11-22T00:00:00.000Z');
    expect(expectOk(await commands.create('order-1')).createdAt).toBe('2026-11-21T10:30:00.000Z');
    expect(await eventsOf('order-1')).toHaveLength(1);
  });

  it('gives different orders different shipments and tracking numbers', () => {
    const ids = Array.from({ length: 2000 }, (_, n) => shipmentIdFor(`order-${n}`));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map(trackingNumberFor)).size).toBe(ids.length);
    expect(trackingNumberFor(ids[0]!)).toBe(trackingNumberFor(shipmentIdFor('order-0')));
  });

  it('dispatches then delivers, each at the clock time, each once', async () => {
    const { shipmentId } = expectOk(await commands.create('order-1'));
    at('2026-11-21T12:00:00.000Z');
    expect(expectOk(await commands.dispatch(shipmentId))).toMatchObject({
      status: 'DISPATCHED',
      dispatchedAt: '2026-11-21T12:00:00.000Z',
      updatedAt: '2026-11-21T12:00:00.000Z',
    });
    expect(await commands.dispatch(shipmentId)).toMatchObject({ ok: false, rejection: { code: 'conflict' } });
    at('2026-11-22T09:00:00.000Z');
    expect(expectOk(await commands.deliver(shipmentId))).toMatchObject({
      status: 'DELIVERED',
      dispatchedAt: '2026-11-21T12:00:00.000Z',
      deliveredAt: '2026-11-22T09:00:00.000Z',
    });
    expect(await commands.deliver(shipmentId)).toMatchObject({ ok: false, rejection: { code: 'conflict' } });
    const events = await eventsOf('order-1');
    expect(events.map((event) => event.type)).toEqual(['ShipmentCreated', 'ShipmentDispatched', 'ShipmentDelivered']);
    expect(events.every((event) => event.metadata.correlationId === 'order-1')).toBe(true);
  });

  it('dispatches once when dispatches race', async () => {
    const { shipmentId } = expectOk(await commands.create('order-1'));
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => commands.dispatch(shipmentId)));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect((await eventsOf('order-1')).map((event) => event.type)).toEqual(['ShipmentCreated', 'ShipmentDispatched']);
  });

  it('refuses to deliver before dispatch', async () => {
    const { shipmentId } = expectOk(await commands.create('order-1'));
    expect(await commands.deliver(shipmentId)).toMatchObject({ ok: false, rejection: { code: 'conflict' } });
    expect(await eventsOf('order-1')).toHaveLength(1);
  });

  it('cancels a created shipment (once), which then is never dispatched', async () => {
    const { shipmentId } = expectOk(await commands.create('order-1'));
    expect(expectOk(await commands.cancel(shipmentId, 'order cancelled first'))).toMatchObject({
      status: 'CANCELLED',
      reason: 'order cancelled first',
    });
    expect(expectOk(await commands.cancel(shipmentId, 'again')).reason).toBe('order cancelled first');
    expect(await commands.dispatch(shipmentId)).toMatchObject({ ok: false, rejection: { code: 'conflict' } });
    expect((await eventsOf('order-1')).map((event) => event.type)).toEqual(['ShipmentCreated', 'ShipmentCancelled']);
  });

  it('refuses to cancel a dispatched shipment', async () => {
    const { shipmentId } = expectOk(await commands.create('order-1'));
    await commands.dispatch(shipmentId);
    expect(await commands.cancel(shipmentId, 'too late')).toMatchObject({ ok: false, rejection: { code: 'conflict' } });
  });

  it('answers not_found for a shipment that does not exist, and writes nothing', async () => {
    const shipmentId = shipmentIdFor('nowhere');
    const outcomes = [await commands.dispatch(shipmentId), await commands.deliver(shipmentId), await commands.cancel(shipmentId, 'x')];
    for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: false, rejection: { code: 'not_found' } });
    expect(await store.readAll()).toEqual([]);
  });
});
