/**
 * Messages of the wire double, built with the client package's OWN generated protobuf classes
 * (`@eventstore/db-client/generated/*_pb`), so what the double sends is what the client decodes.
 */
import { dirname } from 'node:path';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import * as persistentPb from '@eventstore/db-client/generated/persistent_pb';
import * as sharedPb from '@eventstore/db-client/generated/shared_pb';
import * as statusPb from '@eventstore/db-client/generated/status_pb';
import * as streamsPb from '@eventstore/db-client/generated/streams_pb';
import type { Expected, StoredRecord } from './wire-log';

// google-protobuf's `Any`, from the copy the client's generated code loads (not a dependency of ours).
const clientDir = dirname(require.resolve('@eventstore/db-client/package.json'));
const fromClient = (path: string): unknown =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(require.resolve(path, { paths: [clientDir] }));
const { Any } = fromClient('google-protobuf/google/protobuf/any_pb') as { Any: new () => { pack(serialized: Uint8Array, name: string): void } };
const { Empty: GoogleEmpty } = fromClient('google-protobuf/google/protobuf/empty_pb') as { Empty: new () => never };

export { persistentPb, sharedPb, statusPb, streamsPb };

export const streamName = (identifier: sharedPb.StreamIdentifier | undefined): string =>
  identifier === undefined ? '' : Buffer.from(identifier.getStreamName_asU8()).toString('utf8');

export const streamIdentifier = (name: string): sharedPb.StreamIdentifier => {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
  return identifier;
};

export const uuidOf = (id: string): sharedPb.UUID => {
  const uuid = new sharedPb.UUID();
  uuid.setString(id);
  return uuid;
};

/** The client sends ids as strings (`createUUID`); a structured one is turned back into its text form. */
export const parseUuid = (uuid: sharedPb.UUID | undefined): string => {
  if (uuid === undefined) return '';
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured()!;
    const buffer = Buffer.alloc(16);
    buffer.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
    buffer.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
    const hex = buffer.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString();
};

type RecordedEventMessage = streamsPb.ReadResp.ReadEvent.RecordedEvent | persistentPb.ReadResp.ReadEvent.RecordedEvent;

/**
 * A record as `ConvertToRecordedEvent` sends it (src/KurrentDB.Core/Services/Transport/Grpc/Streams.Read.cs):
 * metadata map `type`, `content-type`, `created` (ticks), its own commit/prepare position.
 */
export const fillRecordedEvent = <T extends RecordedEventMessage>(message: T, record: StoredRecord, position: bigint = record.position): T => {
  message.setId(uuidOf(record.id));
  message.setStreamIdentifier(streamIdentifier(record.stream));
  message.setStreamRevision(String(record.revision));
  message.setCommitPosition(String(position));
  message.setPreparePosition(String(position));
  const map = message.getMetadataMap();
  map.set('type', record.type);
  map.set('content-type', record.contentType);
  map.set('created', String(record.created));
  message.setCustomMetadata(record.metadata);
  message.setData(record.data);
  return message;
};

/** A gRPC error as `RpcExceptions` throws it: a status code, and the client's `exception` key among the trailers. */
export const rpcError = (code: status, details: string, trailers: Record<string, string> = {}): Partial<ServiceError> => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return { code, details, metadata };
};

/** `RpcExceptions.StreamDeleted`: FailedPrecondition, `exception: stream-deleted`, `stream-name`. */
export const streamDeletedError = (stream: string) =>
  rpcError(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, { exception: 'stream-deleted', 'stream-name': stream });

/** `RpcExceptions.InvalidPositionException`: "Trying to read from an invalid position." */
export const invalidPositionError = () => rpcError(status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');

/** `RpcExceptions.PersistentSubscriptionDoesNotExist`: NotFound with its exception key. */
export const groupMissingError = (stream: string, group: string) =>
  rpcError(status.NOT_FOUND, `Subscription group ${group} on stream ${stream} does not exist.`, {
    exception: 'persistent-subscription-does-not-exist',
    'stream-name': stream,
    'group-name': group,
  });

/** `RpcExceptions.PersistentSubscriptionExists`: AlreadyExists with its exception key. */
export const groupExistsError = (stream: string, group: string) =>
  rpcError(status.ALREADY_EXISTS, `Subscription group ${group} on stream ${stream} exists.`, {
    exception: 'persistent-subscription-exists',
    'stream-name': stream,
    'group-name': group,
  });

/** `RpcExceptions.PersistentSubscriptionDropped`-like end of a member's call when its group changes (reason text not checked). */
export const groupDroppedError = (stream: string, group: string) =>
  rpcError(status.CANCELLED, `Subscription group ${group} on stream ${stream} was dropped.`, {
    exception: 'persistent-subscription-dropped',
    'stream-name': stream,
    'group-name': group,
  });

/**
 * `Google.Rpc.Status.WrongExpectedVersion` of BatchAppend (src/KurrentDB.Core/Services/Transport/Grpc/Status.cs):
 * code AlreadyExists, message "WrongExpectedVersion", details an `Any` packing
 * `event_store.client.WrongExpectedVersion` (current revision or no stream; the expectation as sent).
 */
export const batchWrongExpectedVersion = (current: number | 'no_stream', expected: Expected): statusPb.Status => {
  const details = new sharedPb.WrongExpectedVersion();
  if (current === 'no_stream') details.setCurrentNoStream(new GoogleEmpty());
  else details.setCurrentStreamRevision(String(current));
  if (expected === 'any') details.setExpectedAny(new GoogleEmpty());
  else if (expected === 'no_stream') details.setExpectedNoStream(new GoogleEmpty());
  else if (expected === 'stream_exists') details.setExpectedStreamExists(new GoogleEmpty());
  else details.setExpectedStreamPosition(String(expected));
  const any = new Any();
  any.pack(details.serializeBinary(), 'event_store.client.WrongExpectedVersion');
  const result = new statusPb.Status();
  result.setCode(status.ALREADY_EXISTS as number as statusPb.Status.AsObject["code"]);
  result.setMessage('WrongExpectedVersion');
  result.setDetails(any as never);
  return result;
};
