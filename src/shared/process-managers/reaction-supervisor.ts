import type { Logger } from 'pino';
import type { EventStore } from '../../event-store/event-store.port';
import type { DeadLetter, DeadLetterStore } from './dead-letter-store';
import type { Reaction } from './reaction';
import { ReactionRunner, type ReactionRunnerOptions, type ReactionStatus } from './reaction-runner';

export type ReplayOutcome = 'replayed' | 'not_found' | { readonly failed: string };

/** Starts and stops every process manager's subscription, and answers for them to the admin API. */
export class ReactionSupervisor {
  private readonly runners: ReactionRunner[];

  constructor(
    private readonly store: EventStore,
    reactions: readonly Reaction[],
    private readonly deadLetters: DeadLetterStore,
    logger: Logger,
    options: (reaction: Reaction) => ReactionRunnerOptions = () => ({}),
  ) {
    // A reaction with no event type to handle is switched off (e.g. the carrier simulation when unset).
    this.runners = reactions
      .filter((reaction) => reaction.eventTypes.length > 0)
      .map((reaction) => new ReactionRunner(store, reaction, deadLetters, logger, options(reaction)));
  }

  async start(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  /** For /ready: every subscription has caught up with the store as it was when it started. */
  async assertCaughtUp(): Promise<void> {
    const behind = this.runners.filter((runner) => !runner.caughtUp).map((runner) => runner.reaction.name);
    if (behind.length > 0) throw new Error(`catching up: ${behind.join(', ')}`);
  }

  status(): Promise<ReactionStatus[]> {
    return Promise.all(this.runners.map((runner) => runner.status()));
  }

  listDeadLetters(): DeadLetter[] {
    return this.deadLetters.list();
  }

  /** Runs a dead letter's event through its handler again; on success the letter is removed. */
  async replay(id: number): Promise<ReplayOutcome> {
    const letter = this.deadLetters.get(id);
    const runner = this.runners.find((candidate) => candidate.reaction.name === letter?.subscription);
    const event = letter === undefined ? undefined : await this.store.readEvent(letter.eventId);
    if (letter === undefined || runner === undefined || event === undefined) return 'not_found';
    try {
      await runner.replay(event);
    } catch (error) {
      return { failed: error instanceof Error ? error.message : String(error) };
    }
    this.deadLetters.remove(id);
    return 'replayed';
  }
}
