import { performance } from 'node:perf_hooks';
import type { JsonClient } from './http-client';
import { type Order, type OrderRow, SETTLED, sleep } from './orders-api';

/** The pause after a 503 without a usable Retry-After, and the least pause after any 503. */
export const REFUSAL_PAUSE_MS = 50;
const MIN_PAUSE_MS = 10;
/** The longest a client honours a Retry-After (a bench that sleeps for minutes measures nothing). */
export const MAX_BACKOFF_MS = 5_000;

/**
 * How long to back off after a 503: its Retry-After (delta-seconds or an HTTP date), at least 10 ms
 * and at most 5 s; 50 ms when there is none.
 */
export const backoffMs = (retryAfter: string | string[] | undefined, now = Date.now()): number => {
  const value = (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter)?.trim();
  if (value === undefined || value === '') return REFUSAL_PAUSE_MS;
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return REFUSAL_PAUSE_MS;
  return Math.min(MAX_BACKOFF_MS, Math.max(MIN_PAUSE_MS, ms));
};

/** One accepted order (POST /api/orders answered 201). */
export interface Placed {
  readonly orderId: string;
  /** Date.now() when its POST started: the same clock as the store's event times on this host. */
  readonly postStartMs: number;
  /** The POST's round trip (performance.now()). */
  readonly postMs: number;
}

export interface ClosedLoopOptions {
  readonly client: JsonClient;
  /** Concurrent clients, each with one request in flight at a time. */
  readonly clients: number;
  /** The body of the n-th POST (refused POSTs use up an n too). */
  readonly body: (n: number) => unknown;
  /** No POST starts at or after this Date.now(); backoffs end there too. */
  readonly until?: number;
  /** Stop once this many POSTs were accepted. */
  readonly orders?: number;
}

/**
 * Closed-loop clients on POST /api/orders. A 201 is an accepted order; a 503 is a refusal by the
 * server's admission control, counted apart (never as accepted) and followed by a backoff of that
 * client (backoffMs); any other status is a failure, a network error an error (50 ms pause; 50 in
 * a row end the run). Counters are live, for progress and for reading at a window's end.
 */
export class ClosedLoop {
  accepted = 0;
  refused = 0;
  failed = 0;
  errors = 0;
  readonly placed: Placed[] = [];
  /** Date.now() of each refusal. */
  readonly refusedAt: number[] = [];
  /** Failures by status. */
  readonly failures = new Map<number, number>();
  readonly done: Promise<void>;
  private inFlight = 0;
  private next = 0;
  private errorsInARow = 0;
  private stopped = false;

  constructor(private readonly options: ClosedLoopOptions) {
    if (options.until === undefined && options.orders === undefined) throw new Error('a closed loop needs `until` or `orders`');
    this.done = Promise.all(Array.from({ length: options.clients }, () => this.worker())).then(() => undefined);
  }

  private open(): boolean {
    const { until, orders } = this.options;
    return !this.stopped && (until === undefined || Date.now() < until) && (orders === undefined || this.accepted + this.inFlight < orders);
  }

  private pause(ms: number): Promise<void> {
    const { until } = this.options;
    return sleep(until === undefined ? ms : Math.max(0, Math.min(ms, until - Date.now())));
  }

  private async worker(): Promise<void> {
    const { client, body } = this.options;
    while (this.open()) {
      const postStartMs = Date.now();
      const started = performance.now();
      this.inFlight++;
      let response;
      try {
        response = await client.post<Order>('/api/orders', body(this.next++));
      } catch (error) {
        this.errors++;
        if (++this.errorsInARow >= 50) {
          this.stopped = true;
          throw new Error(`50 POSTs in a row failed; the last: ${String(error)}`);
        }
        await this.pause(REFUSAL_PAUSE_MS);
        continue;
      } finally {
        this.inFlight--;
      }
      this.errorsInARow = 0;
      if (response.status === 201) {
        this.accepted++;
        this.placed.push({ orderId: response.body.orderId, postStartMs, postMs: performance.now() - started });
      } else if (response.status === 503) {
        this.refused++;
        this.refusedAt.push(Date.now());
        await this.pause(backoffMs(response.headers['retry-after']));
      } else {
        this.failed++;
        this.failures.set(response.status, (this.failures.get(response.status) ?? 0) + 1);
      }
    }
  }
}

export interface SettleSample {
  readonly postStartMs: number;
  /** The store time of the event that settled the order (OrderShipped's for SHIPPED); undefined if it has not settled. */
  readonly settledAtMs: number | undefined;
  /** settledAtMs − postStartMs; Infinity for an order not settled (so that it counts against a percentile). */
  readonly ms: number;
  readonly status: string;
}

/**
 * POST start → settled, per accepted order: the client's Date.now() when the POST started to the
 * store time (Date.now() on the server at the append, same host clock, whole ms) of the order's
 * settling event, as the orders read model's updatedAt shows it. Both clocks are read in whole ms,
 * so a sample is within about ±1 ms. Orders missing from the list or not settled get Infinity.
 */
export const settleSamples = (placed: readonly Placed[], rows: readonly OrderRow[]): SettleSample[] => {
  const byId = new Map(rows.map((row) => [row.orderId, row]));
  return placed.map((order) => {
    const row = byId.get(order.orderId);
    const settledAtMs = row !== undefined && SETTLED.has(row.status) ? row.updatedAtMs : undefined;
    return {
      postStartMs: order.postStartMs,
      settledAtMs,
      ms: settledAtMs === undefined ? Number.POSITIVE_INFINITY : settledAtMs - order.postStartMs,
      status: row?.status ?? 'MISSING',
    };
  });
};
