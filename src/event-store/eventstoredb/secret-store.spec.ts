import { NO_STREAM, StreamNotFoundError, WrongExpectedVersionError, type AppendToStreamOptions, type EventData, type ResolvedEvent } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { EventStoreDbSecretStore, secretEventType, secretStream } from './eventstoredb-secret-store';
import { isBookkeepingEvent } from './resolved-event';
import { FakeReadable, recorded } from './testing/client-fakes';

/**
 * The server's stream calls as far as secrets use them: a soft-deleted stream reads as not found
 * and keeps its last revision, so an append expecting no stream is refused (the stricter of the
 * server's possible answers).
 */
const fakeServer = () => {
  const streams = new Map<string, { events: ResolvedEvent[]; deleted: boolean }>();
  const client = {
    appendToStream: jest.fn(async (stream: string, event: EventData, options?: AppendToStreamOptions) => {
      const found = streams.get(stream) ?? { events: [], deleted: false };
      if (options?.expectedRevision === NO_STREAM && found.events.length > 0) {
        throw new WrongExpectedVersionError(undefined, { streamName: stream, expected: NO_STREAM, current: BigInt(found.events.length - 1) });
      }
      found.events.push({ event: recorded({ streamId: stream, revision: found.events.length, position: 1, type: event.type, data: event.data }) });
      streams.set(stream, { events: found.events, deleted: false });
      return { success: true, nextExpectedRevision: BigInt(found.events.length - 1) };
    }),
    readStream: jest.fn((stream: string) => {
      const found = streams.get(stream);
      if (found === undefined || found.deleted) return new FakeReadable([], new StreamNotFoundError(undefined, stream));
      return new FakeReadable([...found.events].reverse().slice(0, 1), 'end');
    }),
    deleteStream: jest.fn(async (stream: string) => {
      const found = streams.get(stream);
      if (found === undefined) throw new StreamNotFoundError(undefined, stream);
      found.deleted = true;
      return {};
    }),
  };
  return { client, streams };
};

describe('secrets in EventStoreDB streams', () => {
  it('keeps the first value of a key in a bookkeeping stream of its own, and answers it to a later keeper', async () => {
    const { client, streams } = fakeServer();
    const secrets = new EventStoreDbSecretStore(client as unknown as EsdbClient);
    expect(await secrets.read('installation')).toBeUndefined();
    expect(await secrets.keep('installation', 'one')).toBe('one');
    expect(await secrets.keep('installation', 'two')).toBe('one');
    expect(client.appendToStream).toHaveBeenNthCalledWith(1, 'StoredSecret-installation', expect.objectContaining({ type: secretEventType }), { expectedRevision: NO_STREAM });
    expect(streams.get(secretStream('installation'))!.events).toHaveLength(1);
    expect(isBookkeepingEvent({ streamId: secretStream('installation') })).toBe(true);
  });

  it('soft-deletes on erase, forgets a key that holds nothing, and keeps a new value after an erase', async () => {
    const { client } = fakeServer();
    const secrets = new EventStoreDbSecretStore(client as unknown as EsdbClient);
    await secrets.keep('payment-token:o-1', 'tok_visa');
    await secrets.erase('payment-token:o-1');
    expect(client.deleteStream).toHaveBeenCalledWith('StoredSecret-payment-token:o-1');
    expect(await secrets.read('payment-token:o-1')).toBeUndefined();
    await expect(secrets.erase('payment-token:o-1')).resolves.toBeUndefined();
    await expect(secrets.erase('never-kept')).resolves.toBeUndefined();
    expect(await secrets.keep('payment-token:o-1', 'tok_mastercard')).toBe('tok_mastercard');
    expect(await secrets.read('payment-token:o-1')).toBe('tok_mastercard');
  });
});
