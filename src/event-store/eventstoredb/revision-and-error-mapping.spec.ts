import {
  AccessDeniedError,
  ANY,
  CancelledError,
  DeadlineExceededError,
  NO_STREAM,
  NotLeaderError,
  STREAM_EXISTS,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendResult as ClientAppendResult,
} from '@eventstore/db-client';
import { EventStoreUnavailable, WrongExpectedVersion } from '../errors';
import type { EsdbClient } from './client';
import { isConnectionError, toStoreError } from './error-mapping';
import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { toActualRevision, toClientExpectedRevision } from './revision-mapping';
import { FakeReadable, grpcError, grpcStatus, recorded } from './testing/client-fakes';

describe('expected revision mapping (port → client)', () => {
  it.each([
    ['any', ANY],
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    [0, 0n],
    [41, 41n],
  ] as const)('maps %p to %p', (port, client) => {
    expect(toClientExpectedRevision(port)).toBe(client);
  });

  it('refuses revisions that are not whole, non-negative numbers', () => {
    expect(() => toClientExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(1.5)).toThrow(RangeError);
  });

  it('maps the client’s current revision (bigint or no_stream) to the port’s actual revision', () => {
    expect(toActualRevision(7n)).toBe(7);
    expect(toActualRevision(NO_STREAM)).toBe('no_stream');
  });
});

describe('error mapping (client → port)', () => {
  it('turns WrongExpectedVersionError into WrongExpectedVersion with the actual revision', () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 'Order-1', expected: 1n, current: 2n });
    const mapped = toStoreError(clientError, { stream: 'Order-1', expected: 1 });
    expect(mapped).toBeInstanceOf(WrongExpectedVersion);
    expect(mapped).toMatchObject({ stream: 'Order-1', expected: 1, actual: 2 });
  });

  it('carries no_stream as the actual revision of a missing stream', () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 'Order-2', expected: STREAM_EXISTS, current: NO_STREAM });
    expect(toStoreError(clientError, { stream: 'Order-2', expected: 'stream_exists' })).toMatchObject({
      expected: 'stream_exists',
      actual: 'no_stream',
    });
  });

  it.each([
    ['UNAVAILABLE', grpcStatus.UNAVAILABLE, UnavailableError],
    ['DEADLINE_EXCEEDED', grpcStatus.DEADLINE_EXCEEDED, DeadlineExceededError],
    ['ABORTED', grpcStatus.ABORTED, TimeoutError],
    ['CANCELLED by the server', grpcStatus.CANCELLED, CancelledError],
  ])('turns a gRPC %s (the client’s %p) into EventStoreUnavailable, keeping the cause', (_name, code, clientClass) => {
    const clientError = grpcError(code, 'connection lost');
    expect(clientError).toBeInstanceOf(clientClass);
    const mapped = toStoreError(clientError);
    expect(mapped).toBeInstanceOf(EventStoreUnavailable);
    expect((mapped as Error).cause).toBe(clientError);
  });

  it('also maps a raw gRPC error that a call rejects with unconverted (the server-features probe before an append)', () => {
    const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: grpcStatus.UNAVAILABLE,
      details: 'No connection established',
      metadata: { getMap: () => ({}) },
    });
    expect(toStoreError(raw, { stream: 'Order-1', expected: 'any' })).toBeInstanceOf(EventStoreUnavailable);
  });

  it('treats a leader change and a failed cluster discovery as unavailable too', () => {
    const notLeader = grpcError(grpcStatus.NOT_FOUND, 'not leader', {
      exception: 'not-leader',
      'leader-endpoint-host': 'node2',
      'leader-endpoint-port': '2113',
    });
    expect(notLeader).toBeInstanceOf(NotLeaderError);
    expect(isConnectionError(notLeader)).toBe(true);
    expect(isConnectionError(new Error('Failed to discover after 10 attempts.'))).toBe(true);
  });

  it('passes other errors through unchanged', () => {
    const denied = grpcError(grpcStatus.NOT_FOUND, 'denied', { exception: 'access-denied' });
    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect(toStoreError(denied)).toBe(denied);
    const plain = new TypeError('bug');
    expect(toStoreError(plain)).toBe(plain);
  });
});

describe('EventStoreDbEventStore.append against a fake client', () => {
  const storeWith = (client: Partial<EsdbClient>) =>
    new EventStoreDbEventStore(client as EsdbClient, { projectionBarrier: { timeoutMs: 0 } });

  it('sends the events as JSON events with their ids and the mapped expected revision, and maps the result', async () => {
    const appendToStream = jest.fn(
      async (): Promise<ClientAppendResult> => ({ success: true, nextExpectedRevision: 4n, position: { commit: 9000n, prepare: 9000n } }),
    );
    const store = storeWith({ appendToStream: appendToStream as unknown as EsdbClient['appendToStream'] });
    const event = { id: '0190c0de-0000-7000-8000-000000000001', type: 'OrderPlaced', data: { total: 5 }, metadata: { correlationId: 'c' } };
    await expect(store.append('Order-1', [event], 3)).resolves.toEqual({ nextExpectedRevision: 4, position: 9000n });
    expect(appendToStream).toHaveBeenCalledWith(
      'Order-1',
      [{ id: event.id, contentType: 'application/json', type: 'OrderPlaced', data: { total: 5 }, metadata: { correlationId: 'c' } }],
      { expectedRevision: 3n },
    );
  });

  it('rejects with the port’s WrongExpectedVersion when the client throws WrongExpectedVersionError', async () => {
    const store = storeWith({
      appendToStream: (async () => {
        throw new WrongExpectedVersionError(undefined, { streamName: 'Order-1', expected: NO_STREAM, current: 1n });
      }) as unknown as EsdbClient['appendToStream'],
    });
    const error = await store.append('Order-1', [{ id: 'x', type: 'T', data: {} }], 'no_stream').catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(WrongExpectedVersion);
    expect(error).toMatchObject({ stream: 'Order-1', expected: 'no_stream', actual: 1 });
  });

  it('answers an idempotent retry, which the server acknowledges without a position, with the stored event’s position', async () => {
    const readStream = jest.fn(() => new FakeReadable([{ event: recorded({ streamId: 'Order-1', revision: 1, position: 4242 }) }], 'end'));
    const store = storeWith({
      appendToStream: (async () => ({ success: true, nextExpectedRevision: 1n })) as unknown as EsdbClient['appendToStream'],
      readStream: readStream as unknown as EsdbClient['readStream'],
    });
    await expect(store.append('Order-1', [{ id: 'a', type: 'T', data: {} }, { id: 'b', type: 'T', data: {} }], 'no_stream')).resolves.toEqual({
      nextExpectedRevision: 1,
      position: 4242n,
    });
    expect(readStream).toHaveBeenCalledWith('Order-1', expect.objectContaining({ fromRevision: 1n, maxCount: 1 }));
  });

  it('reads a missing stream as empty (the client errors the read with StreamNotFoundError)', async () => {
    const store = storeWith({
      readStream: (() => new FakeReadable([], new StreamNotFoundError(undefined, 'Order-404'))) as unknown as EsdbClient['readStream'],
    });
    await expect(store.readStream('Order-404')).resolves.toEqual([]);
  });

  it('maps an unreachable server to EventStoreUnavailable on ping, and a server that does not answer too', async () => {
    const down = storeWith({
      readAll: (() => new FakeReadable([], grpcError(grpcStatus.UNAVAILABLE, 'No connection established'))) as unknown as EsdbClient['readAll'],
    });
    await expect(down.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
    const silent = new EventStoreDbEventStore(
      { readAll: () => new FakeReadable([]) } as unknown as EsdbClient,
      { pingTimeoutMs: 20, projectionBarrier: { timeoutMs: 0 } },
    );
    await expect(silent.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
  });

  it('keeps to its timeout while the client is still discovering the cluster (a cancel that waits for the discovery)', async () => {
    const discovering = new FakeReadable([]);
    discovering.cancel.mockImplementation(() => new Promise<void>(() => undefined));
    const store = new EventStoreDbEventStore({ readAll: () => discovering } as unknown as EsdbClient, { pingTimeoutMs: 20, projectionBarrier: { timeoutMs: 0 } });
    const started = Date.now();
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('waiting for the server at start-up', () => {
  it('pings with backoff until the server answers', async () => {
    let calls = 0;
    const readAll = jest.fn(() =>
      ++calls < 3 ? new FakeReadable([], grpcError(grpcStatus.UNAVAILABLE, 'starting')) : new FakeReadable([], 'end'),
    );
    const store = new EventStoreDbEventStore({ readAll } as unknown as EsdbClient, { backoff: { initialMs: 1, maxMs: 2 } });
    await store.waitUntilAnswering(5000);
    expect(readAll).toHaveBeenCalledTimes(3);
  });

  it('gives up after the timeout with EventStoreUnavailable, and closes the client', async () => {
    const dispose = jest.fn(async () => undefined);
    const store = new EventStoreDbEventStore(
      { readAll: () => new FakeReadable([], grpcError(grpcStatus.UNAVAILABLE, 'down')), dispose } as unknown as EsdbClient,
      { backoff: { initialMs: 5, maxMs: 10 } },
    );
    await expect(store.waitUntilAnswering(50)).rejects.toBeInstanceOf(EventStoreUnavailable);
    expect(dispose).toHaveBeenCalled();
  });
});
