import type { Logger } from 'pino';
import type { EventStore } from '../../event-store/event-store.port';
import type { DeadLetter, DeadLetterStore } from './dead-letter-store';
import type { DeadLetterPage, ProcessManagerRuntime, RetryOutcome } from './process-managers.port';
import type { ProcessManager } from '../../event-store/consumer-groups.port';
import { ProcessManagerRunner, type ProcessManagerRunnerOptions, type ProcessManagerRunnerStatus } from './process-manager-runner';

/** A dead letter's id is a positive whole number here. */
const letterId = (id: string): number | undefined => {
  const parsed = Number(id);
  return Number.isInteger(parsed) && parsed >= 1 ? parsed : undefined;
};

/**
 * Starts and stops every process manager's catch-up subscription (one `ProcessManagerRunner` each, from
 * its checkpoint), and answers for them to the admin API. Each process runs every process manager: one
 * instance per store.
 */
export class ProcessManagerSupervisor implements ProcessManagerRuntime {
  private readonly runners: ProcessManagerRunner[];

  constructor(
    private readonly store: EventStore,
    processManagers: readonly ProcessManager[],
    private readonly deadLetters: DeadLetterStore,
    logger: Logger,
    options: (processManager: ProcessManager) => ProcessManagerRunnerOptions = () => ({}),
  ) {
    // A process manager with no event type to handle is switched off (e.g. the carrier simulation when unset).
    this.runners = processManagers
      .filter((processManager) => processManager.eventTypes.length > 0)
      .map((processManager) => new ProcessManagerRunner(store, processManager, deadLetters, logger, options(processManager)));
  }

  async start(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  /** For /ready: every subscription runs, and has caught up with the store as it was when it started. */
  async assertReady(): Promise<void> {
    const down = this.runners.filter((runner) => !runner.running).map((runner) => runner.processManager.name);
    if (down.length > 0) throw new Error(`subscription down, starting again: ${down.join(', ')}`);
    const behind = this.runners.filter((runner) => !runner.caughtUp).map((runner) => runner.processManager.name);
    if (behind.length > 0) throw new Error(`catching up: ${behind.join(', ')}`);
  }

  status(): Promise<ProcessManagerRunnerStatus[]> {
    return Promise.all(this.runners.map((runner) => runner.status()));
  }

  async listDeadLetters({ after, limit }: DeadLetterPage): Promise<{ items: DeadLetter[]; next: string | null }> {
    const from = after === undefined ? 0 : letterId(after);
    if (from === undefined) return { items: [], next: null };
    const rows = this.deadLetters.page(from, limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? String(items[items.length - 1]!.id) : null };
  }

  /** Runs a dead letter's event through its handler again; on success the letter is removed. */
  async retry(id: string): Promise<RetryOutcome> {
    const number = letterId(id);
    const letter = number === undefined ? undefined : this.deadLetters.get(number);
    const runner = this.runners.find((candidate) => candidate.processManager.name === letter?.subscription);
    const event = letter === undefined ? undefined : await this.store.readEvent(letter.eventId);
    if (letter === undefined || runner === undefined || event === undefined) return { outcome: 'not_found' };
    try {
      await runner.replay(event);
    } catch (error) {
      return { outcome: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
    this.deadLetters.remove(letter.id);
    return { outcome: 'replayed', id: letter.id };
  }
}
