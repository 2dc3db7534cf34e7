import type Database from 'better-sqlite3';
import type { CatchUp } from '../../../shared/read-models/catch-up';

/**
 * Whether an order is SHIPPED, from shipments' own read model. An order not found there yet may be
 * one whose `OrderShipped` the read model has not applied: it catches up with everything committed
 * before the question, then looks again, so a dispatch sent after the order shipped is never refused.
 */
export class ShippedOrdersQuery {
  private byId: Database.Statement<[string], { order_id: string }> | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly catchUp: CatchUp,
  ) {}

  async isShipped(orderId: string): Promise<boolean> {
    if (this.find(orderId)) return true;
    return (await this.catchUp('shipped-orders')) && this.find(orderId);
  }

  private find(orderId: string): boolean {
    // Prepared on first use: the read model's tables are made when the projections start, after wiring.
    this.byId ??= this.db.prepare('SELECT order_id FROM shipped_orders WHERE order_id = ?');
    return this.byId.get(orderId) !== undefined;
  }
}
