import { status as grpcStatus, type ServerDuplexStream, type ServerReadableStream, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import * as shared from '@eventstore/db-client/generated/shared_pb';
import * as code from '@eventstore/db-client/generated/code_pb';
import * as status from '@eventstore/db-client/generated/status_pb';
import * as streams from '@eventstore/db-client/generated/streams_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { type AppendOutcome, expectedAny, expectedNoStream, expectedStreamExists, type ProposedEvent, type WireLog, type WireRecord } from './wire-log';
import { fillRecordedEvent, type Resolved, resolveRecord, rpcError, streamIdentifier, streamNameOf, uuidMessage, uuidString } from './wire-messages';

const ReadDirection = streams.ReadReq.Options.ReadDirection;
const StreamOptionCase = streams.ReadReq.Options.StreamOptionCase;
const RevisionCase = streams.ReadReq.Options.StreamOptions.RevisionOptionCase;
const AllCase = streams.ReadReq.Options.AllOptions.AllOptionCase;

/** Hooks a test uses to make the double misbehave on purpose. */
export interface StreamsFaults {
  /** Called before every append; throwing makes the append fail with that error. */
  beforeAppend?: (stream: string) => void;
}

const readEventMessage = ({ event, link, position }: Resolved): streams.ReadResp.ReadEvent => {
  const message = new streams.ReadResp.ReadEvent();
  if (event !== undefined) message.setEvent(fillRecordedEvent(new streams.ReadResp.ReadEvent.RecordedEvent(), event, position));
  if (link !== undefined) message.setLink(fillRecordedEvent(new streams.ReadResp.ReadEvent.RecordedEvent(), link, position));
  message.setCommitPosition(position.toString());
  return message;
};

const eventResponse = (resolved: Resolved): streams.ReadResp => new streams.ReadResp().setEvent(readEventMessage(resolved));

/** Event-type and stream filters of `$all` subscriptions (prefixes or a regex), as `EventFilter` in KurrentDB. */
const filterOf = (options: streams.ReadReq.Options): ((record: WireRecord) => boolean) | undefined => {
  if (!options.hasFilter()) return undefined;
  const filter = options.getFilter()!;
  const byType = filter.hasEventType();
  const expression = byType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() === '' ? undefined : new RegExp(expression.getRegex());
  return (record) => {
    const subject = byType ? record.type : record.stream;
    return regex !== undefined ? regex.test(subject) : prefixes.some((prefix) => subject.startsWith(prefix));
  };
};

/** Writes with the call's backpressure: resolves once the message is buffered below the high-water mark. */
const writeWithBackpressure = (call: ServerWritableStream<unknown, streams.ReadResp>, message: streams.ReadResp): Promise<void> =>
  call.write(message) ? Promise.resolve() : new Promise((resolve) => call.once('drain', resolve));

export const streamsService = (log: WireLog, faults: StreamsFaults = {}) => ({
  read: (call: ServerWritableStream<streams.ReadReq, streams.ReadResp>) => {
    void read(log, call).catch((error: unknown) => call.emit('error', error instanceof Error ? error : new Error(String(error))));
  },

  append: (call: ServerReadableStream<streams.AppendReq, streams.AppendResp>, callback: sendUnaryData<streams.AppendResp>) => {
    let options: streams.AppendReq.Options | undefined;
    const proposed: ProposedEvent[] = [];
    call.on('data', (request: streams.AppendReq) => {
      if (request.hasOptions()) options = request.getOptions();
      else if (request.hasProposedMessage()) proposed.push(toProposed(request.getProposedMessage()!));
    });
    call.on('end', () => {
      const stream = streamNameOf(options?.getStreamIdentifier());
      const caseOf = options?.getExpectedStreamRevisionCase();
      const Case = streams.AppendReq.Options.ExpectedStreamRevisionCase;
      const expected =
        caseOf === Case.REVISION ? Number(options!.getRevision()) : caseOf === Case.NO_STREAM ? expectedNoStream : caseOf === Case.STREAM_EXISTS ? expectedStreamExists : expectedAny;
      try {
        faults.beforeAppend?.(stream);
      } catch (error) {
        callback(error as Error);
        return;
      }
      const outcome = log.append(stream, expected, proposed);
      if (outcome.kind === 'too-large') {
        callback(rpcError(grpcStatus.INVALID_ARGUMENT, `Maximum Append Size of ${outcome.maxAppendSize} Exceeded.`, 'maximum-append-size-exceeded', { 'maximum-append-size': String(outcome.maxAppendSize) }));
        return;
      }
      const response = new streams.AppendResp();
      if (outcome.kind === 'wrong-expected-version') {
        const wrong = new streams.AppendResp.WrongExpectedVersion();
        if (outcome.current < 0) wrong.setCurrentNoStream(new shared.Empty());
        else wrong.setCurrentRevision(String(outcome.current));
        if (caseOf === Case.REVISION) wrong.setExpectedRevision(options!.getRevision());
        else if (caseOf === Case.NO_STREAM) wrong.setExpectedNoStream(new shared.Empty());
        else if (caseOf === Case.STREAM_EXISTS) wrong.setExpectedStreamExists(new shared.Empty());
        else wrong.setExpectedAny(new shared.Empty());
        callback(null, response.setWrongExpectedVersion(wrong));
        return;
      }
      const success = new streams.AppendResp.Success();
      if (outcome.lastRevision < 0) success.setNoStream(new shared.Empty());
      else success.setCurrentRevision(String(outcome.lastRevision));
      success.setPosition(new streams.AppendResp.Position().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
      callback(null, response.setSuccess(success));
    });
  },

  /**
   * KurrentDB `Streams.BatchAppend.cs`: requests of one correlation id gather proposed messages
   * until `is_final`; the answer carries the correlation id and, on failure, a `google.rpc.Status`
   * whose details pack `event_store.client.WrongExpectedVersion` (or another shared error).
   */
  batchAppend: (call: ServerDuplexStream<streams.BatchAppendReq, streams.BatchAppendResp>) => {
    const pending = new Map<string, { options?: streams.BatchAppendReq.Options; proposed: ProposedEvent[] }>();
    call.on('data', (request: streams.BatchAppendReq) => {
      const correlationId = uuidString(request.getCorrelationId());
      const batch = pending.get(correlationId) ?? { proposed: [] };
      if (request.hasOptions()) batch.options = request.getOptions();
      batch.proposed.push(...request.getProposedMessagesList().map(toProposed));
      pending.set(correlationId, batch);
      if (!request.getIsFinal()) return;
      pending.delete(correlationId);
      call.write(batchAppend(log, faults, correlationId, batch.options!, batch.proposed));
    });
    call.on('end', () => call.end());
  },

  /** Soft delete (KurrentDB `Streams.Delete.cs`): the stream's metadata gets a `$tb` past its last event; appending again starts it anew. */
  delete: (call: { request: streams.DeleteReq }, callback: sendUnaryData<streams.DeleteResp>) => {
    const stream = streamNameOf(call.request.getOptions()?.getStreamIdentifier());
    const last = log.lastRevision(stream);
    const outcome = log.setMetadata(stream, { $tb: last + 1 });
    const position = outcome.kind === 'written' ? outcome.position : 0n;
    callback(null, new streams.DeleteResp().setPosition(new streams.DeleteResp.Position().setCommitPosition(position.toString()).setPreparePosition(position.toString())));
  },
});

const toProposed = (message: streams.AppendReq.ProposedMessage | streams.BatchAppendReq.ProposedMessage): ProposedEvent => {
  const metadata = message.getMetadataMap();
  return {
    id: uuidString(message.getId()),
    type: metadata.get('type') ?? '',
    isJson: metadata.get('content-type') === 'application/json',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
};

const batchAppend = (
  log: WireLog,
  faults: StreamsFaults,
  correlationId: string,
  options: streams.BatchAppendReq.Options,
  proposed: readonly ProposedEvent[],
): streams.BatchAppendResp => {
  const stream = streamNameOf(options.getStreamIdentifier());
  const Case = streams.BatchAppendReq.Options.ExpectedStreamPositionCase;
  const caseOf = options.getExpectedStreamPositionCase();
  const expected =
    caseOf === Case.STREAM_POSITION ? Number(options.getStreamPosition()) : caseOf === Case.NO_STREAM ? expectedNoStream : caseOf === Case.STREAM_EXISTS ? expectedStreamExists : expectedAny;
  const response = new streams.BatchAppendResp().setCorrelationId(uuidMessage(correlationId)).setStreamIdentifier(streamIdentifier(stream));
  if (caseOf === Case.STREAM_POSITION) response.setStreamPosition(options.getStreamPosition());
  else if (caseOf === Case.NO_STREAM) response.setNoStream(new GoogleEmpty());
  else if (caseOf === Case.STREAM_EXISTS) response.setStreamExists(new GoogleEmpty());
  else response.setAny(new GoogleEmpty());
  let outcome: AppendOutcome;
  try {
    faults.beforeAppend?.(stream);
    outcome = log.append(stream, expected, proposed);
  } catch {
    return response.setError(errorStatus(code.Code.UNAVAILABLE, 'injected failure', new shared.Unknown(), 'event_store.client.Unknown'));
  }
  switch (outcome.kind) {
    case 'too-large':
      return response.setError(
        errorStatus(code.Code.INVALID_ARGUMENT, 'Maximum append size exceeded', new shared.MaximumAppendSizeExceeded().setMaxappendsize(outcome.maxAppendSize), 'event_store.client.MaximumAppendSizeExceeded'),
      );
    case 'wrong-expected-version': {
      const wrong = new shared.WrongExpectedVersion();
      if (outcome.current < 0) wrong.setCurrentNoStream(new GoogleEmpty());
      else wrong.setCurrentStreamRevision(String(outcome.current));
      if (caseOf === Case.STREAM_POSITION) wrong.setExpectedStreamPosition(options.getStreamPosition());
      else if (caseOf === Case.NO_STREAM) wrong.setExpectedNoStream(new GoogleEmpty());
      else if (caseOf === Case.STREAM_EXISTS) wrong.setExpectedStreamExists(new GoogleEmpty());
      else wrong.setExpectedAny(new GoogleEmpty());
      return response.setError(errorStatus(code.Code.FAILED_PRECONDITION, 'Wrong expected version.', wrong, 'event_store.client.WrongExpectedVersion'));
    }
    default: {
      const success = new streams.BatchAppendResp.Success();
      if (outcome.lastRevision < 0) success.setNoStream(new GoogleEmpty());
      else success.setCurrentRevision(String(outcome.lastRevision));
      success.setPosition(new shared.AllStreamPosition().setCommitPosition(outcome.position.toString()).setPreparePosition(outcome.position.toString()));
      return response.setSuccess(success);
    }
  }
};

const errorStatus = (statusCode: code.Code, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): status.Status => {
  const details = new Any();
  details.pack(detail.serializeBinary(), typeName);
  return new status.Status().setCode(statusCode).setMessage(message).setDetails(details as never);
};

/**
 * `Streams.Read`: a read of a stream or of `$all` (`count`), or a subscription to either. Reads of
 * a stream that has no events answer `stream_not_found`. `$all` read from a position where no record
 * starts fails with InvalidArgument, as KurrentDB's `ReadResponseException.InvalidPosition`.
 */
const read = async (log: WireLog, call: ServerWritableStream<streams.ReadReq, streams.ReadResp>): Promise<void> => {
  const options = call.request.getOptions()!;
  const resolveLinks = options.getResolveLinks();
  const backwards = options.getReadDirection() === ReadDirection.BACKWARDS;
  const subscription = options.hasSubscription();
  const maxCount = subscription ? Number.MAX_SAFE_INTEGER : Number(options.getCount());
  if (options.getStreamOptionCase() === StreamOptionCase.STREAM) {
    const streamOptions = options.getStream()!;
    const stream = streamNameOf(streamOptions.getStreamIdentifier());
    const revisionCase = streamOptions.getRevisionOptionCase();
    if (subscription) {
      // A stream subscription starts after the revision given (exclusive), at the start, or at the end.
      const after = revisionCase === RevisionCase.REVISION ? Number(streamOptions.getRevision()) : revisionCase === RevisionCase.END ? log.lastRevision(stream) : -1;
      return subscribe(log, call, (record) => record.stream === stream && record.revision > after, (record) => resolveRecord(log, record, resolveLinks), () =>
        log.streamEvents(stream).filter((record) => record.revision > after),
      );
    }
    const events = log.streamEvents(stream);
    if (events.length === 0) {
      call.write(new streams.ReadResp().setStreamNotFound(new streams.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(stream))));
      call.end();
      return;
    }
    const from = revisionCase === RevisionCase.REVISION ? Number(streamOptions.getRevision()) : revisionCase === RevisionCase.END ? (backwards ? Number.MAX_SAFE_INTEGER : events.length + events[0]!.revision) : backwards ? Number.MAX_SAFE_INTEGER : 0;
    const selected = backwards ? events.filter((record) => record.revision <= from).reverse() : events.filter((record) => record.revision >= from);
    for (const record of selected.slice(0, maxCount)) await writeWithBackpressure(call, eventResponse(resolveRecord(log, record, resolveLinks)));
    call.end();
    return;
  }
  const all = options.getAll()!;
  const allCase = all.getAllOptionCase();
  const position = allCase === AllCase.POSITION ? BigInt(all.getPosition()!.getCommitPosition()) : undefined;
  const filter = filterOf(options);
  if (subscription) {
    const after = allCase === AllCase.END ? log.endPosition : (position ?? -1n);
    return subscribe(
      log,
      call,
      (record) => record.position > after && (filter === undefined || filter(record)),
      (record) => resolveRecord(log, record, resolveLinks),
      () => log.records.filter((record) => record.position > after && (filter === undefined || filter(record))),
    );
  }
  let start: number;
  if (backwards) {
    start = position === undefined || allCase === AllCase.END ? log.records.length - 1 : (log.indexAt(position) ?? log.records.findIndex((record) => record.position >= position)) - 1;
  } else if (position === undefined || position === 0n) {
    start = 0;
  } else if (position >= log.endPosition) {
    start = log.records.length;
  } else {
    const at = log.indexAt(position);
    if (at === undefined) {
      call.emit('error', rpcError(grpcStatus.INVALID_ARGUMENT, 'Trying to read from an invalid position.'));
      return;
    }
    start = at;
  }
  let sent = 0;
  for (let index = start; index >= 0 && index < log.records.length && sent < maxCount; index += backwards ? -1 : 1) {
    const record = log.records[index]!;
    if (filter !== undefined && !filter(record)) continue;
    await writeWithBackpressure(call, eventResponse(resolveRecord(log, record, resolveLinks)));
    sent++;
  }
  call.end();
};

/**
 * A subscription: the confirmation first, then the events already there, then each new one as it is
 * written, in log order, until the client cancels. (Caught-up and fell-behind messages, which newer
 * servers send, are left out: the client this project uses ignores them.)
 */
const subscribe = async (
  log: WireLog,
  call: ServerWritableStream<streams.ReadReq, streams.ReadResp>,
  wanted: (record: WireRecord) => boolean,
  resolve: (record: WireRecord) => Resolved,
  history: () => readonly WireRecord[],
): Promise<void> => {
  const queue: WireRecord[] = [];
  let wake: (() => void) | undefined;
  const onAppended = (written: readonly WireRecord[]) => {
    for (const record of written) if (wanted(record)) queue.push(record);
    wake?.();
  };
  let open = true;
  const stop = () => {
    open = false;
    log.off('appended', onAppended);
    wake?.();
  };
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
  call.write(new streams.ReadResp().setConfirmation(new streams.ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID())));
  // Taken and listened to in the same turn: nothing is written in between, so nothing is missed or sent twice.
  const caughtUp = history();
  log.on('appended', onAppended);
  for (const record of caughtUp) {
    if (!open) return;
    await writeWithBackpressure(call, eventResponse(resolve(record)));
  }
  while (open) {
    const record = queue.shift();
    if (record === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    await writeWithBackpressure(call, eventResponse(resolve(record)));
  }
};
