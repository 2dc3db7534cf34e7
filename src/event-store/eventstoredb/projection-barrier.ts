import { BACKWARDS, END, StreamNotFoundError } from '@eventstore/db-client';
import { silentLogger, type EsdbClient, type StoreLogger } from './client';
import { endReadAt } from './read-deadline';
import { isBookkeepingEvent } from './resolved-event';
import { leftCleanly } from './left-cleanly';

export const categoryStream = (category: string): string => `$ce-${category}`;
export const eventTypeStream = (type: string): string => `$et-${type}`;

export interface BarrierOptions {
  /** How long a read waits for the system projections; 0 turns the barrier off. */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Link streams remembered at most (oldest forgotten first). */
  readonly maxTracked?: number;
}

/**
 * Read-your-writes for `$ce-`/`$et-` reads. The system projections write the link events a moment
 * after the append (they follow `$all` in order), so a category read straight after an append can
 * miss it, which the embedded store never does. This remembers, per link stream, the position of
 * the newest event this process appended to it, and a read of that stream first waits (polling the
 * stream's newest link, up to `timeoutMs`) until the projection has linked an event at or past it.
 * Appends made by other processes are not waited for: across processes the views are eventually
 * consistent, which catch-up subscriptions handle anyway.
 */
export class ProjectionBarrier {
  private readonly pending = new Map<string, bigint>();
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly maxTracked: number;

  constructor(
    private readonly client: Pick<EsdbClient, 'readStream'>,
    options: BarrierOptions = {},
    private readonly logger: StoreLogger = silentLogger,
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.pollMs = options.pollMs ?? 10;
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /** Records an append: the `$ce-` stream of its stream's category and the `$et-` stream of each type will link it. */
  appended(stream: string, types: readonly string[], position: bigint): void {
    if (this.timeoutMs === 0 || stream.startsWith('$') || isBookkeepingEvent({ streamId: stream })) return;
    const dash = stream.indexOf('-');
    if (dash > 0) this.note(categoryStream(stream.slice(0, dash)), position);
    for (const type of new Set(types)) if (!type.startsWith('$')) this.note(eventTypeStream(type), position);
  }

  /** Resolves once `linkStream` links everything this process appended to it, or after the timeout. */
  async settle(linkStream: string): Promise<void> {
    const target = this.pending.get(linkStream);
    if (target === undefined) return;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const head = await this.newestLinkedPosition(linkStream, Math.max(1, deadline - Date.now()));
      if (head === 'unresolvable' || (head !== undefined && head >= target)) {
        if (this.pending.get(linkStream) === target) this.pending.delete(linkStream);
        return;
      }
      if (Date.now() >= deadline) {
        this.logger.warn(
          { linkStream, target: target.toString(), head: head?.toString() },
          'the system projections have not linked our append yet; are they running (EVENTSTORE_RUN_PROJECTIONS=System, START_STANDARD_PROJECTIONS=true)?',
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  private note(linkStream: string, position: bigint): void {
    const previous = this.pending.get(linkStream);
    this.pending.delete(linkStream);
    this.pending.set(linkStream, previous !== undefined && previous > position ? previous : position);
    if (this.pending.size > this.maxTracked) this.pending.delete(this.pending.keys().next().value!);
  }

  /** The position of the event the stream's newest link points at; undefined when there is none, or none within `ms`. */
  private async newestLinkedPosition(linkStream: string, ms: number): Promise<bigint | 'unresolvable' | undefined> {
    const read = this.client.readStream(linkStream, { direction: BACKWARDS, fromRevision: END, maxCount: 1, resolveLinkTos: true });
    const deadline = endReadAt(read, ms);
    try {
      for await (const resolved of leftCleanly(read)) {
        if (resolved.link === undefined || resolved.event === undefined) return 'unresolvable';
        return resolved.event.position?.commit ?? 'unresolvable';
      }
      return undefined;
    } catch (error) {
      if (deadline.expired || error instanceof StreamNotFoundError) return undefined;
      throw error;
    } finally {
      deadline.clear();
      await read.cancel().catch(() => undefined);
    }
  }
}
