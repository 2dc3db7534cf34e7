import type { EventStoreDBClient } from '@eventstore/db-client';

/**
 * The part of `@eventstore/db-client`'s client the adapter uses. Narrowed so that unit tests can
 * hand in a fake with the same method signatures (the real client is a lazily connecting gRPC
 * channel; nothing here talks to a server until a method is called).
 */
export type EsdbClient = Pick<
  EventStoreDBClient,
  'appendToStream' | 'readStream' | 'readAll' | 'subscribeToStream' | 'subscribeToAll' | 'setStreamMetadata' | 'deleteStream' | 'dispose'
> &
  EsdbConsumerGroupClient;

/** What the persistent-subscription consumer uses (consumer groups, scale-out mode). */
export type EsdbPersistentClient = Pick<
  EventStoreDBClient,
  | 'createPersistentSubscriptionToStream'
  | 'subscribeToPersistentSubscriptionToStream'
  | 'getPersistentSubscriptionToStreamInfo'
  | 'updatePersistentSubscriptionToStream'
>;

/** What the parked-message (dead-letter) view uses. */
export type EsdbParkedClient = Pick<EventStoreDBClient, 'readStream' | 'replayParkedMessagesToStream'>;

/** Everything the consumer groups use: members, parked messages, and the server's statistics of a group. */
export type EsdbConsumerGroupClient = EsdbPersistentClient & EsdbParkedClient;

/** pino's `Logger` fits this; the adapter logs only warnings and errors. */
export interface StoreLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: StoreLogger = { warn: () => undefined, error: () => undefined };
