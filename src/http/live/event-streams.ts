import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { CatchUpSubscription } from '../../event-store/catch-up-subscription';
import type { EventFilter, EventQuery } from '../../event-store/event-query.port';
import type { PositionedEvent, RecordedEvent } from '../../event-store/event-store.port';
import { serviceUnavailable } from '../../shared/http-toolkit/problem';
import { toEnvelope } from '../events.router';
import type { CommitSignal } from '../../event-store/commit-signal';
import type { CommitWakeups } from './commit-wakeups';

export interface EventStreamsOptions {
  /** Streams open at once; one more is refused with 503. */
  readonly maxStreams: number;
  /** A comment line this often on every open stream. */
  readonly heartbeatMs: number;
}

export interface StreamRequest {
  /** What the stream shows (without `after` and `limit`). */
  readonly filter: Omit<EventFilter, 'after' | 'limit'>;
  /** Exclusive: the stream starts after this position. */
  readonly after: bigint | undefined;
}

interface OpenStream {
  readonly response: Response;
  /** Ends what feeds the stream; the response is ended after it. */
  readonly close: () => Promise<void>;
}

/** What a stream of snapshots shows: a value read again whenever its signal rings. */
export interface SnapshotSource<T> {
  readonly name: string;
  readonly read: () => Promise<T>;
  /** Rung when the value may have changed. */
  readonly signal: CommitSignal;
  /** Read again this often while the value says it keeps changing with no signal (a rebuild's progress); else only on the signal. */
  readonly refreshMs: (value: T) => number;
}

/** Snapshots go out at most this often, however often the signal rings. */
const snapshotIntervalMs = 250;

const pageSize = 200;

/**
 * The Server-Sent Event streams of the log (CONTRACT §6), written by hand: express 5 has no
 * well-kept helper, and the format is four lines. Each stream is a catch-up subscription over the
 * audit query with its filter: history first, then live, from one loop that always reads after the
 * last event it sent, so the switch can neither skip nor repeat an event. It wakes only on its
 * signal; an idle stream does nothing but its heartbeat. A client that reads slowly holds its own
 * stream (the next page is read once the socket has drained), never the server's memory.
 */
export class EventStreams {
  private readonly open = new Set<OpenStream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly query: EventQuery,
    private readonly wakeups: CommitWakeups,
    private readonly options: EventStreamsOptions,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Refuses (503 problem) when the server stops or holds its limit of streams; call before anything is written. */
  assertRoom(response: Response): void {
    if (this.closing) {
      response.setHeader('Retry-After', '1');
      throw serviceUnavailable('stopping', 'the server is stopping; connect again shortly');
    }
    if (this.open.size >= this.options.maxStreams) {
      response.setHeader('Retry-After', '5');
      throw serviceUnavailable('too-many-streams', `${this.options.maxStreams} event streams are open, the most this server keeps; try again shortly`, {
        maxStreams: this.options.maxStreams,
      });
    }
  }

  /** Streams the events to the response until the client goes, or the server stops. */
  async serve(request: Request, response: Response, { filter, after }: StreamRequest): Promise<void> {
    await this.wakeups.ready();
    // Checked after the await: from here to being counted, nothing else runs.
    this.assertRoom(response);
    // A stream of one order wakes only for that order's events; any other, for every event.
    const { correlationId } = filter;
    const signal = correlationId === undefined ? this.wakeups.all : this.wakeups.ofCorrelation(correlationId);
    const subscription = new CatchUpSubscription({
      read: (from, maxCount) => this.read(filter, from, maxCount),
      signal,
      after,
      pageSize,
      pollIntervalMs: Infinity,
    });
    try {
      await this.stream(request, response, () => subscription.close(), async (send) => {
        for await (const { event } of subscription) await send(message(event));
      });
    } finally {
      if (correlationId !== undefined) this.wakeups.release(correlationId);
    }
  }

  /**
   * Streams a value as it changes (a `snapshot` message each time it differs from the last one sent),
   * from one read at the start, until the client goes or the server stops. It reads again when the
   * source's signal rings (at most every 250 ms), or on a timer only while the value asks for one.
   */
  async serveSnapshots<T>(request: Request, response: Response, source: SnapshotSource<T>): Promise<void> {
    this.assertRoom(response);
    let ended = false;
    let wake: (() => void) | undefined;
    const end = async () => {
      ended = true;
      wake?.();
    };
    await this.stream(request, response, end, async (send) => {
      let sent: string | undefined;
      while (!ended) {
        const seen = source.signal.count;
        const value = await source.read();
        const data = JSON.stringify(value);
        if (data !== sent) await send(`event: ${source.name}\ndata: ${data}\n\n`);
        sent = data;
        const paused = new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, snapshotIntervalMs).unref();
        });
        await paused;
        if (ended) return;
        const refreshMs = source.refreshMs(value);
        const changed = source.signal.wait(seen, Number.isFinite(refreshMs) ? Math.max(0, refreshMs - snapshotIntervalMs) : Infinity);
        await new Promise<void>((resolve) => {
          wake = resolve;
          void changed.then(resolve);
        });
      }
    });
  }

  /** The part every stream shares: the response's head, its place among the open streams, backpressure, the end. */
  private async stream(request: Request, response: Response, close: () => Promise<void>, feed: (send: (chunk: string) => Promise<void>) => Promise<void>): Promise<void> {
    const open: OpenStream = { response, close };
    this.open.add(open);
    this.startHeartbeat();
    const closed = new Promise<void>((resolve) => response.once('close', resolve));
    void closed.then(close);
    const send = async (chunk: string) => {
      if (!response.write(chunk)) await Promise.race([new Promise((resolve) => response.once('drain', resolve)), closed]);
    };
    try {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx and its kin buffer responses unless told not to.
        'x-accel-buffering': 'no',
      });
      response.write(': connected\n\n');
      request.socket.setNoDelay(true);
      await feed(send);
    } catch (error) {
      if (!this.closing) this.logger.warn({ err: error }, 'an event stream ended on an error');
    } finally {
      this.open.delete(open);
      if (this.open.size === 0) this.stopHeartbeat();
      if (!response.writableEnded) response.end();
    }
  }

  /** Ends every stream (the clients see the end of their response, and may connect again elsewhere); refuses new ones. */
  async close(): Promise<void> {
    this.closing = true;
    this.stopHeartbeat();
    await Promise.all(
      [...this.open].map(async ({ response, close }) => {
        await close();
        if (!response.writableEnded) response.end();
      }),
    );
    await this.wakeups.close();
  }

  private async read(filter: StreamRequest['filter'], after: bigint | undefined, maxCount: number): Promise<PositionedEvent[]> {
    const page = await this.query.find({ ...filter, after, limit: maxCount });
    return page.events.map((event) => ({ event, checkpoint: event.position }));
  }

  private startHeartbeat(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = setInterval(() => {
      for (const { response } of this.open) response.write(': heartbeat\n\n');
    }, this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

/** One event as one SSE message: its position as the id a client resumes after, its type as the event name, its envelope as data. */
const message = (event: RecordedEvent): string =>
  `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(toEnvelope(event))}\n\n`;
