import type { Logger } from 'pino';
import type { BackgroundService, Clock } from '../../../shared/tokens';
import type { DueDeadlines } from '../read-models/payment-deadlines.projection';
import type { OrderCommands } from './order-commands';

/** Orders looked up per sweep; a sweep that finds this many starts the next one at once. */
const sweepSize = 500;

/**
 * Cancels, with reason `timeout`, every order not PAID by its deadline. The deadline is in the
 * order's OrderPlaced, and the due list is a read model of the store, so a restart loses none: the
 * watcher only looks for what is due.
 *
 * One sweep at a time, the next one scheduled when the last has ended (a sweep of a large backlog
 * can take longer than the interval: sweeps must not pile up behind it), and a stop ends the sweep
 * after the order in hand: the rest is still due at the next start.
 */
export class PaymentDeadlineWatcher implements BackgroundService {
  readonly name = 'payment-deadline-watcher';
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly orders: OrderCommands,
    private readonly deadlines: DueDeadlines,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** Times out what is due now, up to one sweep's worth; resolves true if there may be more. */
  async sweep(): Promise<boolean> {
    try {
      const due = this.deadlines.due(this.clock(), sweepSize);
      for (const orderId of due) {
        if (this.stopped) return false;
        const started = performance.now();
        await this.orders.timeOut(orderId);
        this.logger.info({ processManager: this.name, orderId, correlationId: orderId, durationMs: Math.round(performance.now() - started) }, 'saga step: payment deadline passed');
      }
      return due.length === sweepSize;
    } catch (error) {
      this.logger.error({ err: error }, 'payment deadline sweep failed; the next one retries');
      return false;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep().then((more) => {
        this.sweeping = undefined;
        this.schedule(more ? 0 : this.intervalMs);
      });
    }, delayMs);
  }
}
