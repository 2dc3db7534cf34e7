import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { ReplayedEvent } from '../../../event-store/event-store.port';
import { ownTableNames } from '../../../shared/read-models/projection';
import type { OrderEvent } from '../contracts/order-events';
import { OrdersProjection } from './orders.projection';

const projection = new OrdersProjection();
const names = ownTableNames(projection);

type Data<Type extends OrderEvent['type']> = Extract<OrderEvent, { type: Type }>['data'];
type Given = { [Type in OrderEvent['type']]: { type: Type; data: Data<Type> } }[OrderEvent['type']];

/** The events as a replay reads them: store positions in order, a second apart. */
const recorded = (events: readonly Given[]): ReplayedEvent[] =>
  events.map((event, index) => ({
    type: event.type,
    data: event.data,
    streamName: `Order-${event.data.orderId}`,
    position: BigInt(index + 1),
    createdAt: new Date(Date.UTC(2026, 10, 21, 10, 0, index)),
  }));

const fresh = () => {
  const db = new Database(':memory:');
  projection.setup(db, names);
  return db;
};
const rowsOf = (db: Database.Database) => db.prepare('SELECT * FROM orders ORDER BY order_id').all();

/** The rows the live writer leaves, each event written on its own. */
const oneByOne = (events: readonly ReplayedEvent[]) => {
  const db = fresh();
  const apply = projection.writer(db, names);
  for (const event of events) apply(event);
  return rowsOf(db);
};

/** The rows the batch writer leaves, writing after each batch; the events before `written` are applied one by one first. */
const inBatches = (events: readonly ReplayedEvent[], cuts: readonly number[], written = 0) => {
  const db = fresh();
  const apply = projection.writer(db, names);
  for (const event of events.slice(0, written)) apply(event);
  const writer = projection.batchWriter(db, names);
  const ends = [...new Set(cuts.filter((cut) => cut > written && cut < events.length)), events.length].sort((a, b) => a - b);
  let from = written;
  for (const end of ends) {
    for (const event of events.slice(from, end)) writer.add(event);
    db.transaction(() => writer.write())();
    from = end;
  }
  return rowsOf(db);
};

const items = [{ sku: 'WIDGET-001', name: 'Widget', quantity: 2, unitPrice: 9.99, lineTotal: 19.98 }];
const address = { street: '1 Main St', city: 'Portland', state: 'OR', zip: '97201', country: 'US' };
const placed = (orderId: string, customerId = 'cust-1', total = 19.98): Given => ({
  type: 'OrderPlaced',
  data: { orderId, customerId, items, total, currency: 'USD', shippingAddress: address, paymentMethod: { token: 'tok_visa' }, paymentDueBy: '2026-11-21T10:30:00.000Z' },
});
const confirmed = (orderId: string): Given => ({ type: 'OrderConfirmed', data: { orderId, amount: 19.98, paymentMethod: { token: 'tok_visa' } } });
const paid = (orderId: string, paymentId = `pay-${orderId}`): Given => ({ type: 'OrderPaid', data: { orderId, paymentId } });
const shipped = (orderId: string): Given => ({ type: 'OrderShipped', data: { orderId, shipmentId: `ship-${orderId}`, trackingNumber: `TRK-${orderId}` } });
const delivered = (orderId: string): Given => ({ type: 'OrderDelivered', data: { orderId, shipmentId: `ship-${orderId}` } });
const rejected = (orderId: string, reason = 'out of stock'): Given => ({ type: 'OrderRejected', data: { orderId, reason, paymentMethod: { token: 'tok_visa' } } });
const paymentFailed = (orderId: string, reason = 'declined'): Given => ({ type: 'OrderPaymentFailed', data: { orderId, reason } });
const cancelled = (orderId: string, reason = 'timeout'): Given => ({ type: 'OrderCancelled', data: { orderId, reason, previousStatus: 'CONFIRMED', paymentMethod: { token: 'tok_visa' } } });

describe('orders batch writer', () => {
  it('writes an order placed in the batch once, with every later change in it: the row of applying its events one by one', () => {
    const events = recorded([placed('a'), confirmed('a'), paid('a'), shipped('a'), delivered('a'), placed('b'), rejected('b')]);
    const rows = inBatches(events, []);
    expect(rows).toEqual(oneByOne(events));
    expect(rows).toMatchObject([
      { order_id: 'a', status: 'DELIVERED', payment_id: 'pay-a', shipment_id: 'ship-a', tracking_number: 'TRK-a', reason: null },
      { order_id: 'b', status: 'REJECTED', reason: 'out of stock', placed_position: 6, updated_at: '2026-11-21T10:00:06.000Z' },
    ]);
  });

  it('updates an order placed in an earlier batch, whichever event the batch starts with', () => {
    const events = recorded([placed('a'), placed('b'), placed('c'), confirmed('a'), paymentFailed('a'), confirmed('b'), paid('b'), cancelled('b'), cancelled('c')]);
    for (const cut of [1, 2, 3, 4, 5, 6, 7, 8]) expect(inBatches(events, [cut])).toEqual(oneByOne(events));
    expect(inBatches(events, [1, 2, 3, 4, 5, 6, 7, 8])).toEqual(oneByOne(events));
  });

  it('ignores a second OrderPlaced, as the insert does, and applies a redelivered change again, as the update does', () => {
    const events = recorded([placed('a'), placed('a', 'someone-else', 1), confirmed('a'), paid('a'), confirmed('a'), paid('a', 'pay-again'), placed('a', 'late', 2)]);
    const rows = inBatches(events, []);
    expect(rows).toEqual(oneByOne(events));
    expect(rows).toMatchObject([{ customer_id: 'cust-1', total: 19.98, status: 'PAID', payment_id: 'pay-again' }]);
    expect(inBatches(events, [2, 4, 6])).toEqual(oneByOne(events));
  });

  it('drops changes to an order not placed yet, unless its row was written before', () => {
    const events = recorded([confirmed('a'), paid('a'), placed('a'), shipped('a')]);
    expect(inBatches(events, [])).toEqual(oneByOne(events));
    expect(inBatches(events, [])).toMatchObject([{ status: 'SHIPPED', payment_id: null }]);
    // Placed before, placed again: every change applies to the row written before.
    const again = recorded([placed('a'), confirmed('a'), paid('a'), placed('a', 'other'), shipped('a')]);
    expect(inBatches(again, [], 1)).toEqual(oneByOne(again));
    expect(inBatches(again, [], 1)).toMatchObject([{ customer_id: 'cust-1', status: 'SHIPPED', payment_id: 'pay-a' }]);
  });

  it('leaves the rows of applying each event, for any events of every type, redelivered, in any order, over any rows, cut into any batches', () => {
    const orderId = fc.constantFrom('a', 'b');
    const reason = fc.option(fc.constantFrom('timeout', 'declined', 'changed my mind'), { nil: undefined }) as fc.Arbitrary<string>;
    const event: fc.Arbitrary<Given> = fc.oneof(
      fc.tuple(orderId, fc.constantFrom('cust-1', 'cust-2'), fc.integer({ min: 0, max: 9999 })).map(([id, customer, cents]) => placed(id, customer, cents / 100)),
      orderId.map(confirmed),
      fc.tuple(orderId, fc.constantFrom('pay-1', 'pay-2')).map(([id, payment]) => paid(id, payment)),
      orderId.map(shipped),
      orderId.map(delivered),
      fc.tuple(orderId, reason).map(([id, why]) => rejected(id, why)),
      fc.tuple(orderId, reason).map(([id, why]) => paymentFailed(id, why)),
      fc.tuple(orderId, reason).map(([id, why]) => cancelled(id, why)),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.array(fc.array(event, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }), (before, batches) => {
        const events = recorded([...before, ...batches.flat()]);
        const cuts = batches.map((_, index) => before.length + batches.slice(0, index + 1).flat().length);
        expect(inBatches(events, cuts, before.length)).toEqual(oneByOne(events));
      }),
      { numRuns: 500 },
    );
  });
});
