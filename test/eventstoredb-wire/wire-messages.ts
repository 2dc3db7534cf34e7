import type { status as grpcStatus} from '@grpc/grpc-js';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import * as shared from '@eventstore/db-client/generated/shared_pb';
import type { WireLog, WireRecord } from './wire-log';

/** The client's own generated message classes build every answer, so the wire format matches by construction. */

export const streamNameOf = (identifier: shared.StreamIdentifier | undefined): string =>
  identifier === undefined ? '' : Buffer.from(identifier.getStreamName_asU8()).toString('utf8');

export const streamIdentifier = (name: string): shared.StreamIdentifier => new shared.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));

export const uuidString = (uuid: shared.UUID | undefined): string => {
  if (uuid === undefined) return '';
  if (uuid.hasString()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const bytes = Buffer.alloc(16);
  bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
  bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const uuidMessage = (id: string): shared.UUID => new shared.UUID().setString(id);

/** What a recorded event carries on the wire, whichever service's `RecordedEvent` class holds it. */
interface RecordedEventMessage {
  setId(value?: shared.UUID): unknown;
  setStreamIdentifier(value?: shared.StreamIdentifier): unknown;
  setStreamRevision(value: string): unknown;
  setPreparePosition(value: string): unknown;
  setCommitPosition(value: string): unknown;
  getMetadataMap(): { set(key: string, value: string): unknown };
  setCustomMetadata(value: Uint8Array): unknown;
  setData(value: Uint8Array): unknown;
}

/**
 * A record as `ConvertToRecordedEvent` in KurrentDB `Streams.Read.cs` / `PersistentSubscriptions.Read.cs`
 * writes it: metadata `type`, `created` (ticks), `content-type`; the position it is given, which is
 * the ORIGINAL event's (the link's, for a resolved link) for both event and link.
 */
export const fillRecordedEvent = <Message extends RecordedEventMessage>(message: Message, record: WireRecord, position: bigint): Message => {
  message.setId(uuidMessage(record.id));
  message.setStreamIdentifier(streamIdentifier(record.stream));
  message.setStreamRevision(String(record.revision));
  message.setCommitPosition(position.toString());
  message.setPreparePosition(position.toString());
  const metadata = message.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('created', record.createdTicks.toString());
  metadata.set('content-type', record.isJson ? 'application/json' : 'application/octet-stream');
  message.setCustomMetadata(record.metadata);
  message.setData(record.data);
  return message;
};

/** A record as read: with `resolveLinks`, a link comes with the event it points at (none when that is gone). */
export interface Resolved {
  readonly event?: WireRecord;
  readonly link?: WireRecord;
  /** `OriginalPosition`: the link's when there is one. */
  readonly position: bigint;
}

export const resolveRecord = (log: WireLog, record: WireRecord, resolveLinks: boolean): Resolved =>
  resolveLinks && record.type === '$>' ? { event: log.resolve(record), link: record, position: record.position } : { event: record, position: record.position };

/**
 * An error the way KurrentDB's `RpcExceptions` raise it: a status code and the `exception` trailer
 * that `@eventstore/db-client`'s `convertToCommandError` maps to its error classes.
 */
export const rpcError = (code: grpcStatus, message: string, exception?: string, extra: Record<string, string> = {}): ServiceError => {
  const metadata = new Metadata();
  if (exception !== undefined) metadata.set('exception', exception);
  for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
  return Object.assign(new Error(message), { code, details: message, metadata });
};
