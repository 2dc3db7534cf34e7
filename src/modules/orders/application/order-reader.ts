import type { EventStore } from '../../../event-store/event-store.port';
import { orderStream, type OrderEvent } from '../contracts/order-events';
import { evolveOrder, initialOrder } from '../domain/order';
import { toOrderView, type OrderView } from './order-view';

export interface ReadOrder {
  readonly view: OrderView;
  /** The stream's last revision: the order's version, served as its ETag. */
  readonly revision: number;
}

/**
 * Reads one order from its own stream, the source of truth, so that a GET right after the 201 can
 * never miss it (read your own writes); an order's stream holds a handful of events.
 */
export class OrderReader {
  constructor(private readonly store: EventStore) {}

  async read(orderId: string): Promise<ReadOrder | undefined> {
    const events = await this.store.readStream(orderStream(orderId));
    const first = events[0];
    const last = events[events.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const order = events.reduce(
      (state, recorded) => evolveOrder(state, { type: recorded.type, data: recorded.data } as OrderEvent),
      initialOrder,
    );
    if (order.status === 'NONE') return undefined;
    return { view: toOrderView(order, first.createdAt, last.createdAt), revision: last.revision };
  }
}
