import type { ConsumerGroupHost, ConsumerGroupOptions, ConsumerGroups, ParkedEvent } from '../../event-store/consumer-groups.port';
import type { EventStore } from '../../event-store/event-store.port';
import type { DeadLetterEntry, DeadLetterPage, ProcessManagerRuntime, ProcessManagerStatus, RetryOutcome } from './process-managers.port';
import type { ProcessManager } from '../../event-store/consumer-groups.port';

const letterIdOf = (parked: Pick<ParkedEvent, 'group' | 'parkedRevision'>): string => `${parked.group}:${parked.parkedRevision}`;

const toDeadLetter = (parked: ParkedEvent): DeadLetterEntry => ({
  id: letterIdOf(parked),
  subscription: parked.group,
  // An entry whose event can no longer be read is listed all the same, with what the store kept of it.
  eventId: parked.event?.id ?? '',
  eventType: parked.event?.type ?? '',
  streamName: parked.event?.streamName ?? '',
  position: parked.event?.position.toString() ?? '',
  error: parked.reason,
  failedAt: parked.parkedAt.toISOString(),
});

/**
 * The process managers as members of the store's consumer groups (EventStoreDB): every instance of
 * the service joins the same groups, and the store hands each event to one of them. The store keeps
 * each group's position and parks what a member gave up on; those parked events are the dead
 * letters, seen alike from every instance, and a retry asks the store to deliver them again.
 */
export class ConsumerGroupSupervisor implements ProcessManagerRuntime {
  private readonly groups: ConsumerGroups;

  constructor(
    private readonly store: EventStore & ConsumerGroupHost,
    processManagers: readonly ProcessManager[],
    options: ConsumerGroupOptions = {},
  ) {
    // A process manager with no event type to handle is switched off (e.g. the carrier simulation when unset).
    this.groups = store.consumerGroups(
      processManagers.filter((processManager) => processManager.eventTypes.length > 0),
      options,
    );
  }

  start(): Promise<void> {
    return this.groups.start();
  }

  stop(): Promise<void> {
    return this.groups.stop();
  }

  /**
   * Ready once this instance is a member of every group. A group's backlog is shared by its members,
   * so there is no "caught up" of one instance to wait for; the group's lag is in `status()`.
   */
  async assertReady(): Promise<void> {
    const joining = this.groups.joining();
    if (joining.length > 0) throw new Error(`joining consumer groups: ${joining.join(', ')}`);
  }

  async status(): Promise<ProcessManagerStatus[]> {
    return Promise.all(
      (await this.groups.status()).map(async (group) => {
        const head = await this.store.headCheckpoint({ kind: 'category', category: group.category });
        return {
          name: group.name,
          checkpoint: group.checkpoint.toString(),
          lag: head > group.checkpoint ? Number(head - group.checkpoint) : 0,
          retries: group.retries,
          deadLetters: group.parked,
        };
      }),
    );
  }

  /** The store lists each group's parked events (at most 1,000 a group); paged here, in the store's order. */
  async listDeadLetters({ after, limit }: DeadLetterPage): Promise<{ items: DeadLetterEntry[]; next: string | null }> {
    const all = (await this.groups.parked()).map(toDeadLetter);
    const from = after === undefined ? 0 : all.findIndex((letter) => letter.id === after) + 1;
    if (from === 0 && after !== undefined) return { items: [], next: null };
    const items = all.slice(from, from + limit);
    return { items, next: from + limit < all.length ? String(items[items.length - 1]!.id) : null };
  }

  /**
   * The store replays a group's parked events from the oldest on, so retrying one letter delivers it
   * and every older letter of its group again; the answer names them. Each goes through the handler
   * once more (with its retries), and is parked again if it fails again.
   */
  async retry(id: string): Promise<RetryOutcome> {
    const match = /^(.+):(\d+)$/.exec(id);
    if (match === null) return { outcome: 'not_found' };
    const [, group, revision] = match as unknown as [string, string, string];
    const parkedRevision = Number(revision);
    // Replaying up to a letter that is gone (replayed already) would move the parked stream's start back.
    const parked = (await this.groups.parked()).filter((entry) => entry.group === group);
    if (!parked.some((entry) => entry.parkedRevision === parkedRevision)) return { outcome: 'not_found' };
    if (!(await this.groups.replayParked(group, parkedRevision))) return { outcome: 'not_found' };
    const ids = parked.filter((entry) => entry.parkedRevision <= parkedRevision).map(letterIdOf);
    return { outcome: 'replaying', id, ids };
  }
}
