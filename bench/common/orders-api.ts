import { performance } from 'node:perf_hooks';
import type { JsonClient } from './http-client';

/** What the benches read of an order (GET /api/orders/:id, the list's items). */
export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The statuses an order ends in (the saga is over for it). */
export const SETTLED = new Set(['SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED']);

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** One item of one sku, always the same address: every order goes the whole saga to SHIPPED. */
export const orderBody = (customerId: string, sku: string) => ({
  customerId,
  items: [{ sku, quantity: 1 }],
  shippingAddress: { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
});

/** The most one POST /api/products or one restock may carry (the API's maxStock). */
const STOCK_PER_REQUEST = 1_000_000;

/** Creates a product with `stock` units: the first million with it, the rest by restocks of up to a million. */
export const createProduct = async (admin: JsonClient, sku: string, stock: number): Promise<void> => {
  const initialStock = Math.min(stock, STOCK_PER_REQUEST);
  const response = await admin.post('/api/products', { sku, name: `Bench item ${sku}`, price: 19.99, initialStock });
  if (response.status !== 201) throw new Error(`POST /api/products answered ${response.status}: ${JSON.stringify(response.body)}`);
  for (let left = stock - initialStock; left > 0; left -= STOCK_PER_REQUEST) {
    const quantity = Math.min(left, STOCK_PER_REQUEST);
    const restocked = await admin.post(`/api/products/${encodeURIComponent(sku)}/restock`, { quantity });
    if (restocked.status !== 200) throw new Error(`POST /api/products/${sku}/restock answered ${restocked.status}: ${JSON.stringify(restocked.body)}`);
  }
};

export interface LatencySample {
  /** POST start → the answer of the first GET that saw SHIPPED. */
  readonly ms: number;
  readonly polls: number;
  /** OrderShipped's store time minus OrderPlaced's (ms resolution). */
  readonly serverMs: number;
}

/**
 * Places one order and polls GET /api/orders/:id until it is SHIPPED: tightly (the next GET goes
 * out when the previous answer is in) with pollMs 0, else a GET every pollMs.
 */
export const placeAndAwaitShipped = async (client: JsonClient, body: unknown, pollMs: number): Promise<LatencySample> => {
  const started = performance.now();
  const placed = await client.post<Order>('/api/orders', body);
  if (placed.status !== 201) throw new Error(`POST /api/orders answered ${placed.status}: ${JSON.stringify(placed.body)}`);
  const { orderId } = placed.body;
  for (let polls = 1; ; polls++) {
    const read = await client.get<Order>(`/api/orders/${orderId}`);
    if (read.status !== 200) throw new Error(`GET /api/orders/${orderId} answered ${read.status}`);
    const { status, createdAt, updatedAt } = read.body;
    if (status === 'SHIPPED') {
      return { ms: performance.now() - started, polls, serverMs: Date.parse(updatedAt) - Date.parse(createdAt) };
    }
    if (SETTLED.has(status)) throw new Error(`order ${orderId} settled ${status}, not SHIPPED`);
    if (performance.now() - started > 30_000) throw new Error(`order ${orderId} still ${status} after 30 s`);
    if (pollMs > 0) await sleep(pollMs);
  }
};

interface Lagging {
  readonly name: string;
  readonly lag: number;
  readonly position?: string;
}

export interface Lag {
  /** The process managers' (subscriptions') largest lag, in events. */
  readonly subscriptionsMax: number;
  readonly subscriptionsSum: number;
  /** The subscription with the largest lag. */
  readonly worst: string;
  readonly projectionsMax: number;
  readonly ordersPosition: bigint;
  /** The store's head as the orders read model saw it. */
  readonly head: bigint;
}

export const lagOf = async (admin: JsonClient): Promise<Lag> => {
  const [subscriptions, projections] = await Promise.all([
    admin.get<{ items: Lagging[] }>('/api/admin/subscriptions'),
    admin.get<{ items: Lagging[] }>('/api/admin/projections'),
  ]);
  const subs = subscriptions.body.items;
  const projs = projections.body.items;
  const orders = projs.find((item) => item.name === 'orders');
  if (orders === undefined) throw new Error('no "orders" read model in /api/admin/projections');
  return {
    subscriptionsMax: Math.max(...subs.map((item) => item.lag)),
    subscriptionsSum: subs.reduce((sum, item) => sum + item.lag, 0),
    worst: subs.reduce((worst, item) => (item.lag > worst.lag ? item : worst), subs[0]!).name,
    projectionsMax: Math.max(...projs.map((item) => item.lag)),
    ordersPosition: BigInt(orders.position ?? '0'),
    head: BigInt(orders.position ?? '0') + BigInt(orders.lag),
  };
};

/** Waits until the orders read model has applied the store up to `head` (then everything committed by then is listed). */
export const awaitReadModel = async (admin: JsonClient, head: bigint, timeoutMs: number): Promise<void> => {
  const started = Date.now();
  while ((await lagOf(admin)).ordersPosition < head) {
    if (Date.now() - started > timeoutMs) throw new Error(`the orders read model did not catch up in ${timeoutMs / 1000} s`);
    await sleep(100);
  }
};

/** Waits until no subscription and no read model lags (bounded); the lag then, or undefined on timeout. */
export const awaitDrain = async (admin: JsonClient, timeoutMs: number): Promise<Lag | undefined> => {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const lag = await lagOf(admin);
    if (lag.subscriptionsMax === 0 && lag.projectionsMax === 0) return lag;
    await sleep(100);
  }
  return undefined;
};

/** An order as the benches keep it after listing (a few fields, so that 300,000 of them stay small). */
export interface OrderRow {
  readonly orderId: string;
  readonly status: string;
  /** OrderPlaced's store time, ms since the epoch. */
  readonly createdAtMs: number;
  /** The store time of the last event applied to the order (OrderShipped's for a SHIPPED order). */
  readonly updatedAtMs: number;
}

/** Every order of one customer in the orders read model (GET /api/orders, admin, pages of 1,000). */
export const listOrders = async (admin: JsonClient, customerId: string): Promise<OrderRow[]> => {
  const all: OrderRow[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/api/orders?customerId=${encodeURIComponent(customerId)}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`;
    const page = await admin.get<{ items: Order[]; nextCursor: string | null }>(query);
    if (page.status !== 200) throw new Error(`GET ${query} answered ${page.status}`);
    for (const order of page.body.items) {
      all.push({ orderId: order.orderId, status: order.status, createdAtMs: Date.parse(order.createdAt), updatedAtMs: Date.parse(order.updatedAt) });
    }
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return all;
};

export const countByStatus = (orders: readonly OrderRow[]): Map<string, number> => {
  const byStatus = new Map<string, number>();
  for (const order of orders) byStatus.set(order.status, (byStatus.get(order.status) ?? 0) + 1);
  return byStatus;
};
