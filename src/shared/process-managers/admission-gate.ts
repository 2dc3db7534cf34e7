import type { Logger } from 'pino';
import type { BackgroundService } from '../tokens';
import type { ProcessManagerRuntime, ProcessManagerStatus } from './process-managers.port';

/** What a write that starts new saga work asks before it writes anything (CONTRACT §5). */
export interface AdmissionControl {
  admit(): Admission;
  status(): AdmissionStatus;
}

export type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly lag: number; readonly limit: number; readonly retryAfterSeconds: number };

export interface AdmissionStatus {
  /** Orders are refused now. */
  readonly refusing: boolean;
  /** The largest lag of any process manager, as last read. */
  readonly maxLag: number;
  /** `MAX_SAGA_LAG`: refused above it. */
  readonly limit: number;
  /** Refusals since the process started. */
  readonly refusedTotal: number;
}

export interface AdmissionGateOptions {
  /** `MAX_SAGA_LAG`. */
  readonly limit: number;
  /** How often the lag is read in the background. */
  readonly refreshMs?: number;
  /** Milliseconds, for the drain rate. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** How far back the drain rate looks: long enough to span the store's checkpoint saves (EventStoreDB: every 2 s). */
const rateWindowMs = 5000;
/** A client is not told to wait longer than this, also when nothing drains at all (the saga stalled). */
export const maxRetryAfterSeconds = 30;

interface Sample {
  readonly at: number;
  readonly checkpoint: number;
}

/**
 * Refuses new orders while the process managers are behind by more than `limit` events (the
 * largest lag of any of them). Asking costs nothing: the lag is read from the process managers'
 * `status()` in the background, every `refreshMs`, never per request; between two reads the last
 * figures answer. The Retry-After it gives is how long the slowest of the managers over the limit
 * takes to get back under it, at the rate its checkpoint moved over the last few seconds.
 */
export class AdmissionGate implements AdmissionControl, BackgroundService {
  readonly name = 'admission gate';
  private readonly limit: number;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly samples = new Map<string, Sample[]>();
  private maxLag = 0;
  private retryAfterSeconds = 1;
  private refusedTotal = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private running = false;

  constructor(
    private readonly processManagers: Pick<ProcessManagerRuntime, 'status'>,
    private readonly options: AdmissionGateOptions,
  ) {
    this.limit = options.limit;
    this.refreshMs = options.refreshMs ?? 200;
    this.now = options.now ?? Date.now;
  }

  admit(): Admission {
    if (this.maxLag <= this.limit) return { admitted: true };
    this.refusedTotal++;
    return { admitted: false, lag: this.maxLag, limit: this.limit, retryAfterSeconds: this.retryAfterSeconds };
  }

  status(): AdmissionStatus {
    return { refusing: this.maxLag > this.limit, maxLag: this.maxLag, limit: this.limit, refusedTotal: this.refusedTotal };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  /** Reads the lag now. A read that fails (the store is down) keeps the last figures. */
  refresh(): Promise<void> {
    return (this.refreshing ??= this.read().finally(() => (this.refreshing = undefined)));
  }

  private tick(): void {
    void this.refresh().then(() => {
      if (!this.running) return;
      // One read at a time: the next is scheduled once this one is done, so a slow store never piles reads up.
      this.timer = setTimeout(() => this.tick(), this.refreshMs);
      this.timer.unref();
    });
  }

  private async read(): Promise<void> {
    let statuses: readonly ProcessManagerStatus[];
    try {
      statuses = await this.processManagers.status();
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'admission: could not read the process managers’ lag; keeping the last figures');
      return;
    }
    const at = this.now();
    for (const { name, checkpoint } of statuses) this.record(name, at, Number(checkpoint));
    this.maxLag = statuses.reduce((max, { lag }) => Math.max(max, lag), 0);
    this.retryAfterSeconds = this.estimateRetryAfter(statuses);
  }

  private record(name: string, at: number, checkpoint: number): void {
    const kept = (this.samples.get(name) ?? []).filter((sample) => sample.at >= at - rateWindowMs && sample.checkpoint <= checkpoint);
    kept.push({ at, checkpoint });
    this.samples.set(name, kept);
  }

  /** Events per second a process manager's checkpoint moved over the window; 0 when it did not, or is new. */
  private drainRate(name: string): number {
    const window = this.samples.get(name) ?? [];
    const first = window[0];
    const last = window[window.length - 1];
    if (first === undefined || last === undefined || last.at <= first.at) return 0;
    return ((last.checkpoint - first.checkpoint) * 1000) / (last.at - first.at);
  }

  private estimateRetryAfter(statuses: readonly ProcessManagerStatus[]): number {
    let seconds = 1;
    for (const { name, lag } of statuses) {
      if (lag <= this.limit) continue;
      const rate = this.drainRate(name);
      seconds = Math.max(seconds, rate > 0 ? Math.ceil((lag - this.limit) / rate) : maxRetryAfterSeconds);
    }
    return Math.min(seconds, maxRetryAfterSeconds);
  }
}
