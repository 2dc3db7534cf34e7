import type { Logger } from 'pino';
import type { BackgroundService, Clock } from '../../../shared/tokens';
import type { DueDeadlines } from '../read-models/payment-deadlines.projection';
import type { OrderCommands } from './order-commands';

/**
 * Cancels, with reason `timeout`, every order not PAID by its deadline. The deadline is in the
 * order's OrderPlaced, and the due list is a read model of the store, so a restart loses none: the
 * watcher only looks for what is due.
 */
export class PaymentDeadlineWatcher implements BackgroundService {
  readonly name = 'payment-deadline-watcher';
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly orders: OrderCommands,
    private readonly deadlines: DueDeadlines,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping = this.sweeping.then(() => this.sweep());
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  async sweep(): Promise<void> {
    try {
      for (const orderId of this.deadlines.due(this.clock(), 500)) await this.orders.timeOut(orderId);
    } catch (error) {
      this.logger.error({ err: error }, 'payment deadline sweep failed; the next one retries');
    }
  }
}
