import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/event-store/event-store.port';
import type { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { newEventId } from '../../src/shared/application/event-ids';

const skus = ['WIDGET-001', 'GADGET-002', 'GIZMO-003', 'DOOHICKEY-004', 'THINGAMAJIG-005'];
const cities = ['San Francisco', 'Portland', 'Austin', 'Chicago', 'Boston'];

interface OrderSeed {
  readonly orderId: string;
  lastEventId: string;
}

/** The four events of a shipped order, as the saga writes them to `Order-<id>` (payloads and metadata of CONTRACT §2). */
const eventOf = (order: OrderSeed, step: number, n: number, at: Date): NewEvent => {
  const { orderId } = order;
  const id = newEventId();
  const metadata = { correlationId: orderId, causationId: order.lastEventId };
  order.lastEventId = id;
  switch (step) {
    case 0: {
      const items = Array.from({ length: 1 + (n % 3) }, (_, line) => {
        const quantity = 1 + ((n + line) % 4);
        const unitPrice = 5 + ((n * 7 + line) % 50) + 0.99;
        return { sku: skus[(n + line) % skus.length]!, name: `Product ${line}`, quantity, unitPrice, lineTotal: Math.round(quantity * unitPrice * 100) / 100 };
      });
      const total = Math.round(items.reduce((sum, item) => sum + item.lineTotal, 0) * 100) / 100;
      return {
        id,
        type: 'OrderPlaced',
        data: {
          orderId,
          customerId: `cust_${n % 10_000}`,
          items,
          total,
          currency: 'USD',
          shippingAddress: { street: `${n % 999} Main St`, city: cities[n % cities.length]!, state: 'CA', zip: '94105', country: 'US' },
          paymentMethod: { token: 'tok_visa' },
          paymentDueBy: new Date(at.getTime() + 30_000).toISOString(),
        },
        metadata,
      };
    }
    case 1:
      return { id, type: 'OrderConfirmed', data: { orderId, amount: 42.5 }, metadata };
    case 2:
      return { id, type: 'OrderPaid', data: { orderId, paymentId: randomUUID() }, metadata };
    default:
      return { id, type: 'OrderShipped', data: { orderId, shipmentId: randomUUID(), trackingNumber: `TRK${n.toString().padStart(10, '0')}` }, metadata };
  }
};

/**
 * Appends `orders` shipped orders (4 events each) straight to the store: `chunk` orders at a time,
 * step by step (all their OrderPlaced, then all their OrderConfirmed, …), every append of a step
 * in flight at once so that they commit together. The lives of the orders of a chunk interleave in
 * store order, as they would under load. Returns the order ids.
 */
export const seedShippedOrders = async (store: SqliteEventStore, orders: number, chunk = 5000): Promise<string[]> => {
  const ids: string[] = [];
  const at = new Date();
  for (let first = 0; first < orders; first += chunk) {
    // Order ids are uuid v7, as the orders module makes them: time-ordered, so their index entries land at the end.
    const seeds: OrderSeed[] = Array.from({ length: Math.min(chunk, orders - first) }, () => ({ orderId: newEventId(), lastEventId: '' }));
    for (let step = 0; step < 4; step++) {
      await Promise.all(
        seeds.map((order, index) => store.append(`Order-${order.orderId}`, [eventOf(order, step, first + index, at)], step === 0 ? 'no_stream' : step - 1)),
      );
    }
    ids.push(...seeds.map((order) => order.orderId));
  }
  return ids;
};
