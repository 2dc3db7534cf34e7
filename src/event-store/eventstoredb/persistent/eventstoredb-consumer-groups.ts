import { PersistentSubscriptionDoesNotExistError, type PersistentSubscriptionToStreamInfo } from '@eventstore/db-client';
import type { ConsumerGroupOptions, ConsumerGroups, ConsumerGroupStatus, ParkedEvent, ProcessManager } from '../../consumer-groups.port';
import { silentLogger, type EsdbConsumerGroupClient, type StoreLogger } from '../client';
import { toStoreError } from '../error-mapping';
import { ParkedMessages } from './parked-messages';
import { PersistentProcessManagerConsumer, type PersistentConsumerOptions } from './persistent-process-manager-consumer';

export interface EventStoreDbConsumerGroupsOptions extends ConsumerGroupOptions {
  /** Where a group that does not exist yet starts: the handler's catch-up checkpoint, if it has one. */
  readonly startFrom?: (name: string) => Promise<bigint | undefined>;
  readonly logger?: StoreLogger;
  /** For tests: backoff, sleep, timeouts of every member. */
  readonly consumer?: Omit<PersistentConsumerOptions, 'startFrom' | 'logger' | 'retries' | 'baseDelayMs'>;
}

/**
 * The process managers of one service instance as members of EventStoreDB consumer groups, one
 * group per handler on `$ce-<Category>`, with the groups' parked streams as their dead letters and
 * the server's statistics as their position.
 */
export class EventStoreDbConsumerGroups implements ConsumerGroups {
  private readonly consumers: readonly PersistentProcessManagerConsumer[];
  private readonly parkedMessages: ParkedMessages;

  constructor(
    private readonly client: EsdbConsumerGroupClient,
    handlers: readonly ProcessManager[],
    options: EventStoreDbConsumerGroupsOptions = {},
  ) {
    this.parkedMessages = new ParkedMessages(client);
    this.consumers = handlers.map(
      (handler) =>
        new PersistentProcessManagerConsumer(client, handler, {
          ...options.consumer,
          ...(options.retries === undefined ? {} : { retries: options.retries }),
          ...(options.baseDelayMs === undefined ? {} : { baseDelayMs: options.baseDelayMs }),
          logger: options.logger ?? silentLogger,
          startFrom: async () => options.startFrom?.(handler.name),
        }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }

  joining(): string[] {
    return this.consumers.filter((consumer) => !consumer.joined).map((consumer) => consumer.group);
  }

  status(): Promise<ConsumerGroupStatus[]> {
    return Promise.all(
      this.consumers.map(async (consumer): Promise<ConsumerGroupStatus> => {
        const stats = (await this.info(consumer))?.stats;
        const saved = stats?.lastCheckpointedEventRevision;
        return {
          name: consumer.handler.name,
          category: consumer.handler.category,
          joined: consumer.joined,
          // The server's checkpoint is the revision of a `$ce-` link; a category checkpoint counts the links up to it.
          checkpoint: saved === undefined ? 0n : saved + 1n,
          parked: Number(stats?.parkedMessageCount ?? 0n),
          retries: consumer.status().retries,
        };
      }),
    );
  }

  async parked(): Promise<ParkedEvent[]> {
    const lists = await Promise.all(
      this.consumers.map(async (consumer) =>
        (await this.parkedMessages.list(consumer.stream, consumer.group)).map((message): ParkedEvent => ({ group: consumer.group, ...message })),
      ),
    );
    return lists.flat();
  }

  async replayParked(group: string, parkedRevision: number): Promise<boolean> {
    const consumer = this.consumers.find((candidate) => candidate.group === group);
    if (consumer === undefined) return false;
    await this.parkedMessages.replay(consumer.stream, consumer.group, parkedRevision + 1);
    return true;
  }

  private async info(consumer: PersistentProcessManagerConsumer): Promise<PersistentSubscriptionToStreamInfo | undefined> {
    try {
      return await this.client.getPersistentSubscriptionToStreamInfo(consumer.stream, consumer.group);
    } catch (error) {
      // Not created yet: this member has not joined once.
      if (error instanceof PersistentSubscriptionDoesNotExistError) return undefined;
      throw toStoreError(error);
    }
  }
}
