import type { EventStore } from '../../../event-store/event-store.port';
import { asOrderEvent } from '../contracts/order-events';
import { evolveOrder, initialOrder, type PlacedOrder } from '../domain/order';
import { orderStream } from './order-stream';

export interface ReadOrder {
  readonly order: PlacedOrder;
  /** ISO 8601: when it was placed (OrderPlaced's `placedAt`, else the store's time of that event). */
  readonly createdAt: string;
  /** ISO 8601: the time of its last event (the time the event carries, else the store's). */
  readonly updatedAt: string;
  /** The stream's last revision: the order's version, served as its ETag. */
  readonly revision: number;
  /** The global position of that last event. */
  readonly position: bigint;
}

/**
 * The order a command just decided on, as a read of its stream would find it, when its events carry
 * their times (orders placed and cancelled from #14 on): the write path answers from it without
 * reading the stream again. Undefined when a time is only in the store, or nothing was appended.
 */
export const decidedOrder = (order: PlacedOrder, revision: number, position: bigint | undefined): ReadOrder | undefined =>
  order.placedAt === undefined || order.changedAt === undefined || position === undefined
    ? undefined
    : { order, createdAt: order.placedAt, updatedAt: order.changedAt, revision, position };

/**
 * Reads one order from its own stream, the source of truth, so that a GET right after the 201 can
 * never miss it (read your own writes); an order's stream holds a handful of events.
 */
export class OrderReader {
  constructor(private readonly store: EventStore) {}

  /** With `asOf`, the order as it stood at that global position: its own events up to it, folded. */
  async read(orderId: string, asOf?: bigint): Promise<ReadOrder | undefined> {
    const stored = await this.store.readStream(orderStream(orderId));
    const events = asOf === undefined ? stored : stored.filter((event) => event.position <= asOf);
    const first = events[0];
    const last = events[events.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const order = events.reduce(
      (state, recorded) => {
        const event = asOrderEvent(recorded);
        return event === undefined ? state : evolveOrder(state, event);
      },
      initialOrder,
    );
    if (order.status === 'NONE') return undefined;
    return {
      order,
      createdAt: order.placedAt ?? first.createdAt.toISOString(),
      updatedAt: order.changedAt ?? last.createdAt.toISOString(),
      revision: last.revision,
      position: last.position,
    };
  }
}
