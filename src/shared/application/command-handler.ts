import { WrongExpectedVersion } from '../../event-store/errors';
import type { EventMetadata, EventStore, NewEvent } from '../../event-store/event-store.port';
import { type Decider, type DomainEvent, isRejection, type Rejection } from '../domain/decider';
import { deterministicId, newEventId } from './event-ids';
import { KeyedQueue } from './keyed-queue';
import { LruCache } from './lru-cache';

export interface CommandContext {
  /** The order id for everything in an order's life. */
  readonly correlationId: string;
  /** The event (or request) that caused this command. */
  readonly causationId: string;
  /**
   * When true, the ids of the events this command appends derive from the causation id, so that a
   * redelivered cause re-appends the same ids and the store does not write them twice.
   */
  readonly deterministicIds?: boolean;
  readonly metadata?: Record<string, unknown>;
}

export type CommandResult<State, Event extends DomainEvent> =
  | {
      readonly accepted: true;
      readonly state: State;
      /** What this command appended; empty when the decider found nothing left to do. */
      readonly events: readonly Event[];
      readonly eventIds: readonly string[];
      readonly revision: number;
      readonly position: bigint | undefined;
    }
  | { readonly accepted: false; readonly rejection: Rejection; readonly state: State; readonly revision: number };

export class ConcurrencyConflict extends Error {
  override readonly name = 'ConcurrencyConflict';
}

interface Cached<State = unknown> {
  readonly state: State;
  readonly revision: number;
}

export interface CommandHandlerOptions {
  readonly maxRetries?: number;
  readonly cacheSize?: number;
}

/**
 * Read → fold → decide → append with the expected revision, retried on a conflict. Commands on one
 * stream run one at a time in this process, so they do not conflict with each other; the expected
 * revision still guards against every other writer. The folded state of recent streams is kept, so
 * a command on a recent stream reads nothing before it decides, and a read of one reads only the
 * events appended since (usually none) instead of the whole stream.
 */
export class CommandHandler {
  private readonly queue = new KeyedQueue();
  private readonly cache: LruCache<Cached>;
  private readonly maxRetries: number;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.maxRetries = options.maxRetries ?? 5;
    this.cache = new LruCache(options.cacheSize ?? 10000);
  }

  handle<State, Command, Event extends DomainEvent>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: Command,
    context: CommandContext,
  ): Promise<CommandResult<State, Event>> {
    return this.queue.run(stream, () => this.handleInTurn(decider, stream, command, context));
  }

  /** The current state of a stream, folded; the same cache serves commands and reads. */
  load<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<{ state: State; revision: number }> {
    return this.queue.run(stream, () => this.refresh(decider, stream));
  }

  private async handleInTurn<State, Command, Event extends DomainEvent>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: Command,
    context: CommandContext,
  ): Promise<CommandResult<State, Event>> {
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      // Optimistic: a cached state is decided on as it is, and the expected revision catches a
      // writer elsewhere (then the stream is read again); only a retry or a cold stream reads first.
      const cached = attempt === 0 ? (this.cache.get(stream) as Cached<State> | undefined) : undefined;
      const { state, revision } = cached ?? (await this.refresh(decider, stream));
      const decision = decider.decide(command, state);
      // A refusal or a no-op appends nothing, so no revision check would catch a stale state: decide again on a fresh one.
      if (cached !== undefined && (isRejection(decision) || decision.length === 0) && (await this.isStale(stream, revision))) continue;
      if (isRejection(decision)) return { accepted: false, rejection: decision, state, revision };
      if (decision.length === 0) {
        return { accepted: true, state, events: [], eventIds: [], revision, position: undefined };
      }
      const newEvents = this.toNewEvents(stream, decision, context);
      try {
        const appended = await this.store.append(stream, newEvents, revision === -1 ? 'no_stream' : revision);
        if (appended.nextExpectedRevision !== revision + newEvents.length) {
          // The store recognised these ids as appended earlier (a redelivered cause): nothing new was written.
          const current = await this.refresh(decider, stream);
          return { accepted: true, ...current, events: [], eventIds: [], position: undefined };
        }
        const next = decision.reduce(decider.evolve, state);
        this.cache.set(stream, { state: next, revision: appended.nextExpectedRevision });
        return {
          accepted: true,
          state: next,
          events: decision,
          eventIds: newEvents.map((event) => event.id),
          revision: appended.nextExpectedRevision,
          position: appended.position,
        };
      } catch (error) {
        this.cache.delete(stream);
        if (!(error instanceof WrongExpectedVersion)) throw error;
      }
    }
    throw new ConcurrencyConflict(`stream ${stream} kept changing; gave up after ${this.maxRetries + 1} attempts`);
  }

  private async isStale(stream: string, revision: number): Promise<boolean> {
    const newer = await this.store.readStream(stream, { fromRevision: revision + 1, maxCount: 1 });
    return newer.length > 0;
  }

  private async refresh<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    stream: string,
  ): Promise<{ state: State; revision: number }> {
    const cached = this.cache.get(stream);
    let state = (cached?.state as State | undefined) ?? decider.initialState;
    let revision = cached?.revision ?? -1;
    const newer = await this.store.readStream(stream, { fromRevision: revision + 1 });
    for (const recorded of newer) {
      state = decider.evolve(state, { type: recorded.type, data: recorded.data } as Event);
      revision = recorded.revision;
    }
    if (newer.length > 0) this.cache.set(stream, { state, revision });
    return { state, revision };
  }

  private toNewEvents(stream: string, events: readonly DomainEvent[], context: CommandContext): NewEvent[] {
    const metadata: EventMetadata = {
      correlationId: context.correlationId,
      causationId: context.causationId,
      schemaVersion: 1,
      ...context.metadata,
    };
    return events.map((event, index) => ({
      id: context.deterministicIds === true ? deterministicId(context.causationId, `${stream}#${index}`) : newEventId(),
      type: event.type,
      data: event.data,
      metadata,
    }));
  }
}
