import type { RecordedEvent } from '../../src/event-store/event-store.port';
import type { DeadLetterEntry } from '../../src/shared/process-managers/process-managers.port';
import { eventually } from '../../src/shared/testing/eventually';
import type { StoreLeg } from '../support/store-legs';
import type { TestSystem } from '../support/test-system';

export const address = { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' };

export const createProduct = async (t: TestSystem, sku: string, initialStock: number, price = 10) => {
  const response = await t.admin().post('/api/products').send({ sku, name: `Product ${sku}`, price, initialStock });
  if (response.status !== 201) throw new Error(`could not create ${sku}: ${response.status} ${JSON.stringify(response.body)}`);
};

export const placeOrder = async (
  t: TestSystem,
  items: Array<{ sku: string; quantity: number }>,
  token = 'tok_visa',
): Promise<string> => {
  const response = await t
    .http()
    .post('/api/orders')
    .send({ customerId: 'cust_saga', items, shippingAddress: address, paymentMethod: { token } });
  if (response.status !== 201) throw new Error(`could not place the order: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.orderId as string;
};

export const orderOf = async (t: TestSystem, orderId: string) => (await t.http().get(`/api/orders/${orderId}`)).body;

export const eventuallyStatus = (t: TestSystem, orderId: string, status: string, timeoutMs = 10000) =>
  eventually(async () => {
    const order = await orderOf(t, orderId);
    if (order.status !== status) throw new Error(`order ${orderId} is ${order.status}, not yet ${status}`);
    return order;
  }, timeoutMs);

export const stockOf = async (t: TestSystem, sku: string) => (await t.http().get(`/api/products/${sku}`)).body.stock;

/** Every event of an order's life (its correlation id), in store order. */
export const eventsOf = async (t: TestSystem, orderId: string): Promise<RecordedEvent[]> =>
  (await t.readEvents()).map(({ event }) => event).filter((event) => event.metadata.correlationId === orderId);

/**
 * The contract's events of its life: the inventory's own bookkeeping (the per-product `ProductStock*`
 * events and the reservation's request) carries the order's correlation id too.
 */
export const typesOf = async (t: TestSystem, orderId: string) =>
  (await eventsOf(t, orderId)).map((event) => event.type).filter((type) => !type.startsWith('ProductStock') && type !== 'InventoryReservationRequested');

/** Contract events that happen at most once in an order's life, however often messages are redelivered. */
export const onceOnly = [
  'OrderPlaced', 'InventoryReserved', 'InventoryReservationFailed', 'OrderConfirmed', 'OrderRejected', 'PaymentProcessed',
  'PaymentFailed', 'OrderPaid', 'OrderPaymentFailed', 'ShipmentCreated', 'OrderShipped', 'ShipmentDispatched',
  'InventoryDeducted', 'ShipmentDelivered', 'OrderDelivered', 'OrderCancelled', 'InventoryReleased', 'PaymentRefunded',
  'ShipmentCancelled',
];

export const expectEachAtMostOnce = (types: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  const repeated = onceOnly.filter((type) => (counts.get(type) ?? 0) > 1);
  if (repeated.length > 0) throw new Error(`repeated events: ${repeated.join(', ')} in ${types.join(', ')}`);
};

/**
 * The dead letters of a test: all of them on a new embedded store; on EventStoreDB, whose groups keep
 * the letters parked by earlier runs, those of the events of the given orders' streams.
 */
export const deadLettersOf = async (t: TestSystem, leg: StoreLeg, orderIds: readonly string[]): Promise<DeadLetterEntry[]> => {
  const items = (await t.admin().get('/api/admin/dead-letters')).body.items as DeadLetterEntry[];
  if (leg.embedded) return items;
  const streams = new Set(orderIds.map((orderId) => `Order-${orderId}`));
  return items.filter((letter) => streams.has(letter.streamName));
};
