import type { RecordedEvent } from '../../src/event-store/event-store.port';
import { checkStore } from './order-invariants';

/** The crash test is only as good as its checks: each one must fire on the fault it is there for. */

const t0 = Date.parse('2026-11-21T10:00:00.000Z');

class History {
  readonly events: RecordedEvent[] = [];
  private readonly revisions = new Map<string, number>();

  add(streamName: string, type: string, data: Record<string, unknown>, correlationId?: string): this {
    const revision = (this.revisions.get(streamName) ?? -1) + 1;
    this.revisions.set(streamName, revision);
    const position = BigInt(this.events.length + 1);
    this.events.push({
      id: `event-${position}`,
      type,
      streamName,
      revision,
      position,
      data,
      metadata: correlationId === undefined ? {} : { correlationId, causationId: `event-${position - 1n}` },
      createdAt: new Date(t0 + Number(position)),
    });
    return this;
  }

  product(sku: string, initialStock: number): this {
    return this.add(`Product-${sku}`, 'ProductCreated', { sku, name: sku, price: 10, currency: 'USD', initialStock });
  }

  placed(orderId: string, sku: string, quantity: number): this {
    return this.add(
      `Order-${orderId}`,
      'OrderPlaced',
      { orderId, items: [{ sku, quantity }], total: 10 * quantity, paymentDueBy: new Date(t0 + 60000).toISOString() },
      orderId,
    );
  }

  reserved(orderId: string, sku: string, quantity: number): this {
    return this.add(`Product-${sku}`, 'ProductStockReserved', { orderId, sku, quantity }, orderId).add(
      `Inventory-${orderId}`,
      'InventoryReserved',
      { orderId, reservations: [{ sku, quantity }] },
      orderId,
    );
  }

  released(orderId: string, sku: string, quantity: number): this {
    return this.add(`Inventory-${orderId}`, 'InventoryReleased', { orderId, items: [{ sku, quantity }] }, orderId).add(
      `Product-${sku}`,
      'ProductStockReleased',
      { orderId, sku, quantity },
      orderId,
    );
  }

  order(orderId: string, type: string, data: Record<string, unknown> = {}): this {
    return this.add(`Order-${orderId}`, type, { orderId, ...data }, orderId);
  }

  payment(orderId: string, type: string, amount: number): this {
    return this.add(`Payment-p${orderId}`, type, { orderId, paymentId: `p${orderId}`, amount }, orderId);
  }

  shipment(orderId: string, type: string): this {
    return this.add(`Shipment-s${orderId}`, type, { orderId, shipmentId: `s${orderId}` }, orderId);
  }

  /** Placed, reserved, confirmed, paid, shipped, dispatched (stock deducted) and delivered. */
  delivered(orderId: string, sku: string, quantity: number): this {
    return this.placed(orderId, sku, quantity)
      .reserved(orderId, sku, quantity)
      .order(orderId, 'OrderConfirmed', { amount: 10 * quantity })
      .payment(orderId, 'PaymentProcessed', 10 * quantity)
      .order(orderId, 'OrderPaid')
      .shipment(orderId, 'ShipmentCreated')
      .order(orderId, 'OrderShipped')
      .shipment(orderId, 'ShipmentDispatched')
      .add(`Inventory-${orderId}`, 'InventoryDeducted', { orderId, items: [{ sku, quantity }] }, orderId)
      .add(`Product-${sku}`, 'ProductStockDeducted', { orderId, sku, quantity }, orderId)
      .shipment(orderId, 'ShipmentDelivered')
      .order(orderId, 'OrderDelivered');
  }

  /** Placed, reserved, confirmed, paid, then cancelled: refunded and released. */
  cancelledAfterPayment(orderId: string, sku: string, quantity: number): this {
    return this.placed(orderId, sku, quantity)
      .reserved(orderId, sku, quantity)
      .order(orderId, 'OrderConfirmed')
      .payment(orderId, 'PaymentProcessed', 10 * quantity)
      .order(orderId, 'OrderPaid')
      .order(orderId, 'OrderCancelled', { reason: 'changed my mind', previousStatus: 'PAID' })
      .payment(orderId, 'PaymentRefunded', 10 * quantity)
      .released(orderId, sku, quantity);
  }
}

const messagesOf = (history: History, acknowledged: string[] = []) =>
  checkStore(history.events, { orders: acknowledged }).violations.map((violation) => `${violation.orderId ?? ''} ${violation.message}`);

describe('the crash test invariants', () => {
  const healthy = () =>
    new History()
      .product('A', 10)
      .delivered('o1', 'A', 3)
      .cancelledAfterPayment('o2', 'A', 2)
      .placed('o3', 'A', 9)
      .add('Inventory-o3', 'InventoryReservationFailed', { orderId: 'o3', reason: 'short', shortages: [], items: [] }, 'o3')
      .order('o3', 'OrderRejected', { reason: 'short' });

  it('find nothing wrong with settled orders whose every effect happened once', () => {
    const history = healthy();
    expect(messagesOf(history, ['o1', 'o2', 'o3'])).toEqual([]);
    const verdict = checkStore(history.events, { orders: [] });
    expect(Object.fromEntries(verdict.statuses)).toEqual({ o1: 'DELIVERED', o2: 'CANCELLED', o3: 'REJECTED' });
    expect(verdict.stock.get('A')).toEqual({ onHand: 7, reserved: 0 });
  });

  it('find an acknowledged order that is not in the store', () => {
    expect(messagesOf(healthy(), ['o1', 'o-lost'])).toEqual(['o-lost acknowledged (201) but not in the store: lost']);
  });

  it('find an order left unsettled, and the stock it still holds', () => {
    const history = healthy().placed('o4', 'A', 1).reserved('o4', 'A', 1).order('o4', 'OrderConfirmed');
    expect(messagesOf(history)).toEqual(['o4 left CONFIRMED, not settled']);
  });

  it('find a doubled charge, and money kept by a cancelled order', () => {
    const doubled = healthy().payment('o1', 'PaymentProcessed', 30);
    expect(messagesOf(doubled)).toEqual(expect.arrayContaining(['o1 repeated: PaymentProcessed', 'o1 charged 2 times', 'o1 DELIVERED but keeps 2 payments']));
    const kept = new History().product('A', 10).placed('o5', 'A', 1).reserved('o5', 'A', 1).order('o5', 'OrderConfirmed').payment('o5', 'PaymentProcessed', 10)
      .order('o5', 'OrderCancelled', { reason: 'x', previousStatus: 'CONFIRMED' }).released('o5', 'A', 1);
    expect(messagesOf(kept)).toEqual(['o5 CANCELLED but keeps 1 payment(s)']);
  });

  it('find stock oversold, and a hold a cancelled order never gave back', () => {
    const oversold = healthy().placed('o6', 'A', 9).reserved('o6', 'A', 9).order('o6', 'OrderRejected');
    expect(messagesOf(oversold)).toEqual(expect.arrayContaining(['o6 A went to onHand 7, reserved 9 at revision 5 (ProductStockReserved)']));
    const leaked = healthy().placed('o7', 'A', 1).reserved('o7', 'A', 1).order('o7', 'OrderCancelled', { reason: 'x', previousStatus: 'PENDING' });
    expect(messagesOf(leaked)).toEqual(['o7 CANCELLED but still holds its stock']);
  });

  it('find a step taken twice on a product, and a released hold the product never got back', () => {
    const twice = healthy().add('Product-A', 'ProductStockReleased', { orderId: 'o2', sku: 'A', quantity: 2 }, 'o2');
    expect(messagesOf(twice)).toEqual(expect.arrayContaining(['o2 repeated product step ProductStockReleased:A', 'o2 products hold -2 of A, its reservation 0']));
    const unreleased = new History().product('A', 10).placed('o8', 'A', 1).reserved('o8', 'A', 1).order('o8', 'OrderCancelled', { reason: 'x', previousStatus: 'PENDING' })
      .add('Inventory-o8', 'InventoryReleased', { orderId: 'o8', items: [{ sku: 'A', quantity: 1 }] }, 'o8');
    expect(messagesOf(unreleased)).toEqual(['o8 products hold 1 of A, its reservation 0', ' A: reserved 1, but the orders hold 0']);
  });

  it('find a shipment dispatched for a cancelled order', () => {
    const history = new History().product('A', 10).cancelledAfterPayment('o9', 'A', 1).shipment('o9', 'ShipmentCreated').shipment('o9', 'ShipmentDispatched');
    expect(messagesOf(history)).toEqual([
      'o9 a shipment was dispatched for an order that ended CANCELLED',
      'o9 cancelled after its shipment was created, but the shipment was not cancelled',
    ]);
  });

  it('find a payment deadline that cancelled an order paid in time', () => {
    const history = new History().product('A', 10).cancelledAfterPayment('o10', 'A', 1);
    const cancelled = history.events.find((event) => event.type === 'OrderCancelled')!;
    Object.assign(cancelled, { data: { ...(cancelled.data as object), reason: 'timeout' }, createdAt: new Date(t0 + 70000) });
    expect(messagesOf(history)).toEqual([expect.stringMatching(/^o10 timed out although it was PAID in time/)]);
  });
});
