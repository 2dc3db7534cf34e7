import type { PersonalDataEraser } from '../../../event-store/personal-data/personal-data-eraser';
import type { CommandHandler } from '../../../shared/application/command-handler';
import type { ProjectionRunner } from '../../../shared/read-models/projection-runner';
import type { OrderStatus } from '../contracts/order-events';
import type { OrderListQuery } from '../read-models/order-list.query';
import { orderStream } from './order-stream';

export type ErasureOutcome =
  | { readonly outcome: 'erased'; readonly orders: number }
  | { readonly outcome: 'no_orders' }
  | { readonly outcome: 'unsettled'; readonly orderIds: readonly string[] }
  | { readonly outcome: 'read_model_behind' | 'rebuilding' };

/** An order whose saga may still need what the customer gave: its personal data waits until the order settles. */
const unsettled: ReadonlySet<OrderStatus> = new Set(['PENDING', 'CONFIRMED', 'PAID']);

const pageSize = 500;

/**
 * Erases a customer's personal data (CONTRACT §7): refused while any of the customer's orders is
 * unsettled; then the read models forget their copies at once, the store destroys the customer's
 * key (every event's personal fields read as null from then on, on every read path, rebuilds
 * included), and no cached order state keeps one.
 */
export class CustomerErasure {
  constructor(
    private readonly eraser: PersonalDataEraser,
    private readonly orders: OrderListQuery,
    private readonly projections: Pick<ProjectionRunner, 'catchUp' | 'erasePersonalData'>,
    private readonly commands: Pick<CommandHandler, 'forget'>,
  ) {}

  async erase(customerId: string): Promise<ErasureOutcome> {
    // Every order the store holds must be in the list before the list can say none is unsettled.
    if (!(await this.projections.catchUp('orders'))) return { outcome: 'read_model_behind' };
    const orders = this.ordersOf(customerId);
    if (orders.length === 0) return { outcome: 'no_orders' };
    const open = orders.filter((order) => unsettled.has(order.status)).map((order) => order.orderId);
    if (open.length > 0) return { outcome: 'unsettled', orderIds: open };
    // The read models first: one being rebuilt may be folding fields read before the key goes, so nothing happens then.
    if (this.projections.erasePersonalData(customerId) === 'rebuilding') return { outcome: 'rebuilding' };
    await this.eraser.erasePersonalData(customerId);
    for (const order of orders) this.commands.forget(orderStream(order.orderId));
    return { outcome: 'erased', orders: orders.length };
  }

  private ordersOf(customerId: string): Array<{ orderId: string; status: OrderStatus }> {
    const found: Array<{ orderId: string; status: OrderStatus }> = [];
    let cursor: bigint | undefined;
    for (;;) {
      const page = this.orders.list({ customerId, limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
      found.push(...page.items.map(({ orderId, status }) => ({ orderId, status })));
      if (page.nextCursor === null) return found;
      cursor = BigInt(page.nextCursor);
    }
  }
}
