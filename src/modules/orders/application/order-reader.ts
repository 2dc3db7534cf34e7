import type { EventStore } from '../../../event-store/event-store.port';
import { asOrderEvent } from '../contracts/order-events';
import { evolveOrder, initialOrder } from '../domain/order';
import { toOrderView, type OrderView } from './order.view';
import { orderStream } from './order-stream';

export interface ReadOrder {
  readonly view: OrderView;
  /** The stream's last revision: the order's version, served as its ETag. */
  readonly revision: number;
  /** The global position of that last event. */
  readonly position: bigint;
}

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
    return { view: toOrderView(order, first.createdAt, last.createdAt), revision: last.revision, position: last.position };
  }
}
