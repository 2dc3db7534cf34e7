import type { RecordedEvent } from '../../src/event-store/event-store.port';

/**
 * The invariants of CONTRACT §1-§2, checked on the whole event store after the fact: every order
 * settled, money kept only for shipped orders and at most once, stock never oversold and every
 * hold accounted for, each step of an order's life at most once. Pure: it reads a list of events
 * and returns what it found wrong, so a failing check can name the orders and show their events.
 */

export const settledStatuses = ['SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED'] as const;
const keepsMoney = new Set(['SHIPPED', 'DELIVERED']);
const keepsNothing = new Set(['REJECTED', 'PAYMENT_FAILED', 'CANCELLED']);

const statusAfter: Readonly<Record<string, string>> = {
  OrderPlaced: 'PENDING',
  OrderConfirmed: 'CONFIRMED',
  OrderRejected: 'REJECTED',
  OrderPaid: 'PAID',
  OrderPaymentFailed: 'PAYMENT_FAILED',
  OrderShipped: 'SHIPPED',
  OrderDelivered: 'DELIVERED',
  OrderCancelled: 'CANCELLED',
};

/** Contract events that happen at most once in an order's life, however often messages are redelivered. */
export const onceOnly = [
  'OrderPlaced', 'InventoryReserved', 'InventoryReservationFailed', 'OrderConfirmed', 'OrderRejected', 'PaymentProcessed',
  'PaymentFailed', 'OrderPaid', 'OrderPaymentFailed', 'ShipmentCreated', 'OrderShipped', 'ShipmentDispatched',
  'InventoryDeducted', 'ShipmentDelivered', 'OrderDelivered', 'OrderCancelled', 'InventoryReleased', 'PaymentRefunded',
  'ShipmentCancelled',
] as const;

const happyPath = ['OrderPlaced', 'InventoryReserved', 'OrderConfirmed', 'PaymentProcessed', 'OrderPaid', 'ShipmentCreated', 'OrderShipped'];

export interface Violation {
  readonly orderId?: string;
  readonly message: string;
}

export interface Stock {
  onHand: number;
  reserved: number;
}

export interface StoreVerdict {
  readonly violations: Violation[];
  /** Each order's status, folded from its own stream. */
  readonly statuses: Map<string, string>;
  /** Each product's stock, folded from its stream. */
  readonly stock: Map<string, Stock>;
  /** Every event of an order's life (its correlation id), in store order. */
  readonly lives: Map<string, RecordedEvent[]>;
}

interface Line {
  readonly sku: string;
  readonly quantity: number;
}

const categoryOf = (stream: string) => stream.slice(0, stream.indexOf('-'));
const idOf = (stream: string) => stream.slice(stream.indexOf('-') + 1);

export interface Acknowledged {
  /** Order ids whose POST answered 201. */
  readonly orders: Iterable<string>;
  /** How many restocks of each sku answered 200. */
  readonly restocks?: ReadonlyMap<string, number>;
}

export const checkStore = (events: readonly RecordedEvent[], acknowledged: Acknowledged): StoreVerdict => {
  const violations: Violation[] = [];
  const flag = (orderId: string | undefined, message: string) => violations.push({ ...(orderId === undefined ? {} : { orderId }), message });

  const orderStreams = new Map<string, RecordedEvent[]>();
  const productStreams = new Map<string, RecordedEvent[]>();
  const lives = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const category = categoryOf(event.streamName);
    if (category === 'Order') push(orderStreams, idOf(event.streamName), event);
    if (category === 'Product') push(productStreams, idOf(event.streamName), event);
    const correlationId = event.metadata.correlationId;
    if (typeof correlationId === 'string') push(lives, correlationId, event);
  }

  // 1. None lost: every acknowledged order has its OrderPlaced.
  for (const orderId of acknowledged.orders) {
    if (orderStreams.get(orderId)?.[0]?.type !== 'OrderPlaced') flag(orderId, 'acknowledged (201) but not in the store: lost');
  }

  // 2. None unsettled: every order in the store (acknowledged or not) ends in a settled state.
  const statuses = new Map<string, string>();
  for (const [orderId, stream] of orderStreams) {
    if (stream[0]?.type !== 'OrderPlaced') flag(orderId, `its stream starts with ${stream[0]?.type}, not OrderPlaced`);
    const status = stream.reduce((current, event) => statusAfter[event.type] ?? current, 'NONE');
    statuses.set(orderId, status);
    if (!(settledStatuses as readonly string[]).includes(status)) flag(orderId, `left ${status}, not settled`);
  }

  // 5. Exactly once, and each life in the order the contract tells.
  const holds = new Map<string, Line[]>();
  for (const [orderId, status] of statuses) {
    const life = lives.get(orderId) ?? [];
    const types = life.map((event) => event.type).filter((type) => !type.startsWith('ProductStock'));
    const count = (type: string) => types.filter((candidate) => candidate === type).length;
    const has = (type: string) => count(type) > 0;
    const placed = life.find((event) => event.type === 'OrderPlaced')?.data as
      | { total?: number; items?: Line[]; paymentDueBy?: string }
      | undefined;
    const repeated = onceOnly.filter((type) => count(type) > 1);
    if (repeated.length > 0) flag(orderId, `repeated: ${repeated.join(', ')}`);

    if (keepsMoney.has(status)) {
      const at = happyPath.map((type) => types.indexOf(type));
      if (at.some((index, n) => index < 0 || (n > 0 && index <= at[n - 1]!))) {
        flag(orderId, `${status} without the happy path in order: ${types.join(', ')}`);
      }
      if (has('OrderCancelled') || has('ShipmentCancelled')) flag(orderId, `${status} and cancelled`);
    }
    if (status === 'DELIVERED') {
      const [dispatched, delivered, orderDelivered] = ['ShipmentDispatched', 'ShipmentDelivered', 'OrderDelivered'].map((type) => types.indexOf(type));
      if (!(dispatched! >= 0 && dispatched! < delivered! && delivered! < orderDelivered!)) flag(orderId, 'DELIVERED without dispatch → delivery in order');
      if (!has('InventoryDeducted')) flag(orderId, 'DELIVERED (so dispatched) but its stock was never deducted');
    }
    if (has('ShipmentDispatched') && !keepsMoney.has(status)) flag(orderId, `a shipment was dispatched for an order that ended ${status}`);
    if (status === 'CANCELLED' && has('ShipmentCreated') && !has('ShipmentCancelled')) {
      flag(orderId, 'cancelled after its shipment was created, but the shipment was not cancelled');
    }
    if (status === 'REJECTED' && (has('InventoryReserved') || has('PaymentProcessed') || !has('InventoryReservationFailed'))) {
      flag(orderId, `REJECTED with ${types.join(', ')}`);
    }
    if (status === 'PAYMENT_FAILED' && (!has('PaymentFailed') || has('PaymentProcessed'))) flag(orderId, `PAYMENT_FAILED with ${types.join(', ')}`);
    if (has('InventoryReserved') && has('InventoryReservationFailed')) flag(orderId, 'both reserved and failed to reserve');
    if (has('InventoryReleased') && has('InventoryDeducted')) flag(orderId, 'its stock was both released and deducted');

    // The payment deadline cancels only an order not PAID in time.
    const paidAt = life.find((event) => event.type === 'OrderPaid')?.createdAt.getTime();
    for (const cancelled of life.filter((event) => event.type === 'OrderCancelled' && (event.data as { reason?: string }).reason === 'timeout')) {
      const dueBy = Date.parse(placed?.paymentDueBy ?? '');
      if (!(cancelled.createdAt.getTime() >= dueBy)) flag(orderId, `timed out at ${cancelled.createdAt.toISOString()}, before its deadline`);
      if (paidAt !== undefined && paidAt <= dueBy) flag(orderId, `timed out although it was PAID in time (${new Date(paidAt).toISOString()})`);
    }

    // 3. Money: charged at most once; kept exactly once if shipped, never otherwise.
    const processed = count('PaymentProcessed');
    const net = processed - count('PaymentRefunded');
    if (processed > 1) flag(orderId, `charged ${processed} times`);
    if (net < 0) flag(orderId, 'refunded more than it was charged');
    if (keepsMoney.has(status) && net !== 1) flag(orderId, `${status} but keeps ${net} payments`);
    if (keepsNothing.has(status) && net !== 0) flag(orderId, `${status} but keeps ${net} payment(s)`);
    if (has('PaymentProcessed') && has('PaymentFailed')) flag(orderId, 'both a processed and a failed payment');
    for (const payment of life.filter((event) => event.type === 'PaymentProcessed')) {
      const amount = (payment.data as { amount?: number }).amount;
      if (amount !== placed?.total) flag(orderId, `charged ${amount}, its total is ${placed?.total}`);
    }

    // What the order's reservation holds now (Inventory-<orderId>): reserved, and neither released nor deducted.
    const reserved = life.find((event) => event.type === 'InventoryReserved');
    if (reserved !== undefined && !has('InventoryReleased') && !has('InventoryDeducted')) {
      holds.set(orderId, (reserved.data as { reservations: Line[] }).reservations);
    }
    if (keepsNothing.has(status) && holds.has(orderId)) flag(orderId, `${status} but still holds its stock`);
    if (reserved !== undefined) {
      const asked = [...(placed?.items ?? [])].map(({ sku, quantity }) => `${sku}x${quantity}`).sort().join(',');
      const got = (reserved.data as { reservations: Line[] }).reservations.map(({ sku, quantity }) => `${sku}x${quantity}`).sort().join(',');
      if (asked !== got) flag(orderId, `reserved ${got}, ordered ${asked}`);
    }

    // The per-product side of the same order: each product step at most once, and the net hold agrees.
    const perSku = new Map<string, { reserved: number; released: number; deducted: number }>();
    for (const event of life.filter((candidate) => candidate.type.startsWith('ProductStock'))) {
      const { sku, quantity } = event.data as Line;
      const entry = perSku.get(sku) ?? { reserved: 0, released: 0, deducted: 0 };
      if (event.type === 'ProductStockReserved') entry.reserved += quantity;
      if (event.type === 'ProductStockReleased') entry.released += quantity;
      if (event.type === 'ProductStockDeducted') entry.deducted += quantity;
      perSku.set(sku, entry);
    }
    const productSteps = life.filter((event) => event.type.startsWith('ProductStock')).map((event) => `${event.type}:${(event.data as Line).sku}`);
    const seen = new Set<string>();
    for (const step of productSteps) {
      if (seen.has(step)) flag(orderId, `repeated product step ${step}`);
      seen.add(step);
    }
    const held = new Map((holds.get(orderId) ?? []).map(({ sku, quantity }) => [sku, quantity]));
    const deductedLines = has('InventoryDeducted') ? (reserved?.data as { reservations: Line[] } | undefined)?.reservations ?? [] : [];
    const deducted = new Map(deductedLines.map(({ sku, quantity }) => [sku, quantity]));
    for (const sku of new Set([...perSku.keys(), ...held.keys()])) {
      const entry = perSku.get(sku) ?? { reserved: 0, released: 0, deducted: 0 };
      const net = entry.reserved - entry.released - entry.deducted;
      if (net !== (held.get(sku) ?? 0)) flag(orderId, `products hold ${net} of ${sku}, its reservation ${held.get(sku) ?? 0}`);
      if (entry.deducted !== (deducted.get(sku) ?? 0)) flag(orderId, `products deducted ${entry.deducted} of ${sku}, its reservation ${deducted.get(sku) ?? 0}`);
    }
  }

  // 4. Stock: never below zero at any step; at the end, reserved is exactly what the orders hold.
  const stock = new Map<string, Stock>();
  for (const [sku, stream] of productStreams) {
    const state: Stock = { onHand: 0, reserved: 0 };
    for (const event of stream) {
      const data = event.data as { initialStock?: number; quantity?: number };
      if (event.type === 'ProductCreated') state.onHand = data.initialStock ?? Number.NaN;
      else if (event.type === 'ProductRestocked') state.onHand += data.quantity ?? Number.NaN;
      else if (event.type === 'ProductStockReserved') state.reserved += data.quantity ?? Number.NaN;
      else if (event.type === 'ProductStockReleased') state.reserved -= data.quantity ?? Number.NaN;
      else if (event.type === 'ProductStockDeducted') {
        state.onHand -= data.quantity ?? Number.NaN;
        state.reserved -= data.quantity ?? Number.NaN;
      } else flag(undefined, `unknown product event ${event.type} in ${event.streamName}`);
      if (!(state.onHand >= 0 && state.reserved >= 0 && state.onHand - state.reserved >= 0)) {
        flag(event.metadata.correlationId, `${sku} went to onHand ${state.onHand}, reserved ${state.reserved} at revision ${event.revision} (${event.type})`);
      }
    }
    stock.set(sku, state);
    const restocked = stream.filter((event) => event.type === 'ProductRestocked').length;
    const restocksAcknowledged = acknowledged.restocks?.get(sku) ?? 0;
    if (restocked < restocksAcknowledged) flag(undefined, `${sku}: ${restocksAcknowledged} restocks acknowledged, ${restocked} in the store`);
    let held = 0;
    for (const lines of holds.values()) for (const line of lines) if (line.sku === sku) held += line.quantity;
    if (state.reserved !== held) flag(undefined, `${sku}: reserved ${state.reserved}, but the orders hold ${held}`);
  }

  return { violations, statuses, stock, lives };
};

function push<Key, Value>(map: Map<Key, Value[]>, key: Key, value: Value): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** An order's life, one event per line, for a failure message. */
export const describeLife = (orderId: string, life: readonly RecordedEvent[]): string =>
  [
    `order ${orderId}:`,
    ...life.map(
      (event) =>
        `  #${event.position} ${event.createdAt.toISOString()} ${event.streamName}@${event.revision} ${event.type} ${JSON.stringify(event.data)} cause=${String(event.metadata.causationId)} id=${event.id}`,
    ),
  ].join('\n');
