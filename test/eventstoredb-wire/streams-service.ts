import { status, type sendUnaryData, type ServerDuplexStream, type ServerReadableStream, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { parseLink, type Expected, type ProposedEvent, type StoredRecord, type WireLog } from './wire-log';
import {
  batchWrongExpectedVersion,
  fillRecordedEvent,
  invalidPositionError,
  parseUuid,
  rpcError,
  sharedPb,
  streamIdentifier,
  streamName,
  streamsPb,
} from './wire-messages';

/** A record as read, with the link it was reached through (`ResolvedEvent` of the server). */
export interface Resolved {
  readonly event?: StoredRecord;
  readonly link?: StoredRecord;
}

/**
 * Link resolution (`ResolveLinkToEvent`, src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexReader.cs
 * and the storage reader): a `$>` record's data `<revision>@<stream>` names the event; read it with
 * the target stream's truncation and deletion applied. Found: event + link. Not found (deleted,
 * truncated by `$maxCount`/`$tb`): the link alone (`ResolvedEvent.ForFailedResolvedLink`).
 */
export const resolve = (log: WireLog, record: StoredRecord, resolveLinks: boolean): Resolved => {
  if (!resolveLinks || record.type !== '$>') return { event: record };
  const target = parseLink(record);
  const event = target === undefined || !log.existsForRead(target.stream) ? undefined : log.recordAt(target.stream, target.revision);
  return event === undefined ? { link: record } : { event, link: record };
};

/**
 * A `ReadResp.ReadEvent` as `Streams.Read.cs` `ConvertToReadEvent` builds it: link and event each with
 * their own positions, and the ORIGINAL (the link if any, else the event) position as `commit_position`.
 */
const readEvent = ({ event, link }: Resolved): streamsPb.ReadResp.ReadEvent => {
  const message = new streamsPb.ReadResp.ReadEvent();
  if (event !== undefined) message.setEvent(fillRecordedEvent(new streamsPb.ReadResp.ReadEvent.RecordedEvent(), event));
  if (link !== undefined) message.setLink(fillRecordedEvent(new streamsPb.ReadResp.ReadEvent.RecordedEvent(), link));
  message.setCommitPosition(String((link ?? event)!.position));
  return message;
};

const eventResponse = (resolved: Resolved, stats?: WireStats): streamsPb.ReadResp => {
  if (stats !== undefined) stats.eventsSent++;
  return new streamsPb.ReadResp().setEvent(readEvent(resolved));
};

/**
 * Writes responses as the call can take them: `next()` gives the next message or undefined when there
 * is none yet; writing stops while the socket's buffer is full (backpressure from the client), and
 * resumes on `drain` or when `wake()` says the log has grown.
 */
class Pump {
  private waitingForDrain = false;
  private ended = false;

  constructor(
    private readonly call: ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>,
    private readonly next: () => streamsPb.ReadResp | undefined | 'end',
  ) {
    call.on('drain', () => {
      this.waitingForDrain = false;
      this.wake();
    });
  }

  wake(): void {
    if (this.waitingForDrain || this.ended || this.call.cancelled || this.call.destroyed) return;
    for (;;) {
      const message = this.next();
      if (message === undefined) return;
      if (message === 'end') {
        this.ended = true;
        this.call.end();
        return;
      }
      if (!this.call.write(message)) {
        this.waitingForDrain = true;
        return;
      }
    }
  }
}

const expectedOf = (options: {
  hasRevision?: () => boolean;
  getRevision?: () => string;
  hasStreamPosition?: () => boolean;
  getStreamPosition?: () => string;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
}): Expected => {
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  if (options.hasRevision?.()) return Number(options.getRevision!());
  if (options.hasStreamPosition?.()) return Number(options.getStreamPosition!());
  return 'any';
};

const proposed = (message: streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage): ProposedEvent => {
  const map = message.getMetadataMap();
  return {
    id: parseUuid(message.getId()),
    type: map.get('type') ?? '',
    contentType: map.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
};

const checkpointAt = (position: bigint): streamsPb.ReadResp =>
  new streamsPb.ReadResp().setCheckpoint(new streamsPb.ReadResp.Checkpoint().setCommitPosition(String(position)).setPreparePosition(String(position)));

/** `$all` filter of a subscription (ReadReq.Options.FilterOptions): event type or stream name, regex or prefixes. */
const allFilter = (options: streamsPb.ReadReq.Options): ((record: StoredRecord) => boolean) => {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType()! : filter.getStreamIdentifier()!;
  const regex = expression.getRegex() === '' ? undefined : new RegExp(expression.getRegex());
  const prefixes = expression.getPrefixList();
  return (record) => {
    const subject = onType ? record.type : record.stream;
    if (regex !== undefined) return regex.test(subject);
    return prefixes.length === 0 || prefixes.some((prefix) => subject.startsWith(prefix));
  };
};

/** What the double has sent, for tests of backpressure. */
export interface WireStats {
  /** Events written to Streams.Read calls (reads and subscriptions). */
  eventsSent: number;
}

export const streamsService = (log: WireLog, stats: WireStats) => ({
  read(call: ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>): void {
    const options = call.request.getOptions()!;
    const resolveLinks = options.getResolveLinks();
    const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
    const maxCount = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const subscription = options.hasSubscription();

    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const stream = streamName(streamOptions.getStreamIdentifier());
      if (subscription) {
        // Stream subscriptions start AFTER the given revision (the client's start is exclusive); from END: after the last.
        let after = streamOptions.hasStart() ? -1 : streamOptions.hasEnd() ? log.lastRevision(stream) : Number(streamOptions.getRevision());
        let confirmed = false;
        const pump = new Pump(call, () => {
          if (!confirmed) {
            confirmed = true;
            return new streamsPb.ReadResp().setConfirmation(new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID()));
          }
          const first = log.firstVisible(stream);
          if (after + 1 < first) after = first - 1;
          if (after >= log.lastRevision(stream)) return undefined;
          after += 1;
          const record = log.recordAt(stream, after);
          return record === undefined ? new streamsPb.ReadResp() : eventResponse(resolve(log, record, resolveLinks), stats);
        });
        const unsubscribe = log.onCommit((records) => {
          if (records.some((record) => record.stream === stream)) pump.wake();
        });
        call.on('close', unsubscribe);
        call.on('cancelled', unsubscribe);
        pump.wake();
        return;
      }
      if (!log.existsForRead(stream)) {
        call.write(new streamsPb.ReadResp().setStreamNotFound(new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(stream))));
        call.end();
        return;
      }
      // Walks the revisions the read asks for, one at a time as the call takes them (no copy of the stream).
      const first = log.firstVisible(stream);
      const last = log.lastRevision(stream);
      let revision = backwards
        ? Math.min(last, streamOptions.hasEnd() || streamOptions.hasStart() ? last : Number(streamOptions.getRevision()))
        : Math.max(first, streamOptions.hasStart() ? 0 : streamOptions.hasEnd() ? last + 1 : Number(streamOptions.getRevision()));
      let sent = 0;
      new Pump(call, () => {
        while (sent < maxCount && (backwards ? revision >= first : revision <= last)) {
          const record = log.recordAt(stream, revision);
          revision += backwards ? -1 : 1;
          if (record === undefined) continue;
          sent++;
          return eventResponse(resolve(log, record, resolveLinks), stats);
        }
        return 'end';
      }).wake();
      return;
    }

    const allOptions = options.getAll()!;
    const position = allOptions.hasPosition() ? BigInt(allOptions.getPosition()!.getCommitPosition()) : undefined;
    // Reading from inside a record: `ReadResponseException.InvalidPosition` → RpcExceptions.InvalidPositionException
    // (Streams.Read.cs). Position 0 and positions at or past the end are where a read may start.
    const startIndex = (at: bigint): number | 'invalid' => {
      if (at >= log.endPosition) return log.all.length;
      if (at === 0n) return 0;
      return log.indexAt(at) ?? 'invalid';
    };
    if (subscription) {
      const accepts = allFilter(options);
      const filtered = options.hasFilter();
      // Checkpoints every `multiplier × window` events considered (window: the filter's `max`, else
      // DefaultReadBatchSize, 32), and one when catch-up reaches the end and the subscription goes live
      // (src/KurrentDB.Core/Services/Transport/Enumerators/Enumerator.AllSubscriptionFiltered.cs, CatchUp).
      // Live, the server checkpoints on its own timer as well; not modelled.
      const filterOptions = options.getFilter();
      const checkpointEvery = filtered ? Math.max(1, filterOptions!.getCheckpointintervalmultiplier()) * (filterOptions!.hasMax() ? filterOptions!.getMax() : 32) : 0;
      let next: number;
      if (allOptions.hasStart()) next = 0;
      else if (allOptions.hasEnd()) next = log.all.length;
      else {
        const start = startIndex(position!);
        if (start === 'invalid') {
          call.emit('error', invalidPositionError());
          return;
        }
        // $all subscriptions start AFTER the given position: catch-up skips `eventPosition <= checkpoint`
        // (Enumerator.AllSubscription.cs / AllSubscriptionFiltered.cs, CatchUp).
        next = start < log.all.length && log.all[start]!.position === position ? start + 1 : start;
      }
      let confirmed = false;
      let considered = 0;
      let checkpointDue = false;
      let live = false;
      const pump = new Pump(call, () => {
        if (!confirmed) {
          confirmed = true;
          return new streamsPb.ReadResp().setConfirmation(new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID()));
        }
        while (next < log.all.length) {
          const record = log.all[next++]!;
          considered++;
          if (checkpointEvery > 0 && considered % checkpointEvery === 0) checkpointDue = true;
          if (accepts(record)) return eventResponse({ event: record }, stats);
          if (checkpointDue) {
            checkpointDue = false;
            return checkpointAt(record.position);
          }
        }
        if (!live) {
          live = true;
          if (filtered) return checkpointAt(log.all[next - 1]?.position ?? 0n);
        }
        return undefined;
      });
      const unsubscribe = log.onCommit(() => pump.wake());
      call.on('close', unsubscribe);
      call.on('cancelled', unsubscribe);
      pump.wake();
      return;
    }

    // Backwards reads give the records before the position (AllReader.ReadAllEventsBackward: post position <= pos);
    // forwards reads include the record at the position (AllReader.ReadAllEventsForwardInternal: `>= pos`).
    const from = backwards
      ? allOptions.hasEnd() || allOptions.hasStart() || position === undefined
        ? log.all.length
        : startIndex(position)
      : allOptions.hasStart()
        ? 0
        : allOptions.hasEnd()
          ? log.all.length
          : startIndex(position!);
    if (from === 'invalid') {
      call.emit('error', invalidPositionError());
      return;
    }
    // The end of a forwards read is the end of the log when it starts (records written later are not read).
    const end = log.all.length;
    let index = backwards ? from - 1 : from;
    let sent = 0;
    new Pump(call, () => {
      if (sent >= maxCount || (backwards ? index < 0 : index >= end)) return 'end';
      sent++;
      return eventResponse({ event: log.all[backwards ? index-- : index++]! }, stats);
    }).wake();
  },

  /** Streams.Append (Streams.Append.cs): an options message, then the proposed events; one answer. */
  append(call: ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>, callback: sendUnaryData<streamsPb.AppendResp>): void {
    let stream = '';
    let expected: Expected = 'any';
    const events: ProposedEvent[] = [];
    call.on('data', (request: streamsPb.AppendReq) => {
      if (request.hasOptions()) {
        const options = request.getOptions()!;
        stream = streamName(options.getStreamIdentifier());
        expected = expectedOf(options);
      } else if (request.hasProposedMessage()) events.push(proposed(request.getProposedMessage()!));
    });
    call.on('end', () => {
      const outcome = log.append(stream, expected, events);
      const response = new streamsPb.AppendResp();
      if (outcome.kind === 'wrong_expected_version') {
        const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
        if (outcome.currentRevision === 'no_stream') wrong.setCurrentNoStream(new sharedPb.Empty());
        else wrong.setCurrentRevision(String(outcome.currentRevision));
        if (expected === 'any') wrong.setExpectedAny(new sharedPb.Empty());
        else if (expected === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
        else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
        else wrong.setExpectedRevision(String(expected));
        callback(null, response.setWrongExpectedVersion(wrong));
        return;
      }
      const success = new streamsPb.AppendResp.Success();
      if (outcome.currentRevision < 0) success.setNoStream(new sharedPb.Empty());
      else success.setCurrentRevision(String(outcome.currentRevision));
      if (outcome.position < 0n) success.setNoPosition(new sharedPb.Empty());
      else success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
      callback(null, response.setSuccess(success));
    });
  },

  /**
   * Streams.BatchAppend (Streams.BatchAppend.cs): one long duplex call; requests carry a correlation id,
   * options on the first, events, `is_final`; each write is answered with the correlation id, the
   * stream, the expectation echoed, and success or a `google.rpc.Status` error.
   */
  batchAppend(call: ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>): void {
    const pending = new Map<string, { stream: string; expected: Expected; events: ProposedEvent[] }>();
    call.on('data', (request: streamsPb.BatchAppendReq) => {
      const correlation = parseUuid(request.getCorrelationId());
      let write = pending.get(correlation);
      if (write === undefined) {
        const options = request.getOptions();
        if (options === undefined) return;
        write = { stream: streamName(options.getStreamIdentifier()), expected: expectedOf(options), events: [] };
        pending.set(correlation, write);
      }
      for (const message of request.getProposedMessagesList()) write.events.push(proposed(message));
      if (!request.getIsFinal()) return;
      pending.delete(correlation);
      const outcome = log.append(write.stream, write.expected, write.events);
      const response = new streamsPb.BatchAppendResp();
      response.setCorrelationId(request.getCorrelationId());
      response.setStreamIdentifier(streamIdentifier(write.stream));
      const { expected } = write;
      if (expected === 'any') response.setAny(new sharedPb.Empty() as never);
      else if (expected === 'no_stream') response.setNoStream(new sharedPb.Empty() as never);
      else if (expected === 'stream_exists') response.setStreamExists(new sharedPb.Empty() as never);
      else response.setStreamPosition(String(expected));
      if (outcome.kind === 'wrong_expected_version') {
        response.setError(batchWrongExpectedVersion(outcome.currentRevision, expected));
      } else {
        const success = new streamsPb.BatchAppendResp.Success();
        if (outcome.currentRevision < 0) success.setNoStream(new sharedPb.Empty() as never);
        else success.setCurrentRevision(String(outcome.currentRevision));
        if (outcome.position < 0n) success.setNoPosition(new sharedPb.Empty() as never);
        else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
        response.setSuccess(success);
      }
      call.write(response);
    });
    call.on('end', () => call.end());
  },

  /**
   * Streams.Delete (Streams.Delete.cs): a soft delete. Its wrong expected version is RpcExceptions.WrongExpectedVersion:
   * FailedPrecondition with `exception: wrong-expected-version`, `stream-name`, `expected-version`, `actual-version`.
   */
  delete(call: ServerUnaryCall<streamsPb.DeleteReq, streamsPb.DeleteResp>, callback: sendUnaryData<streamsPb.DeleteResp>): void {
    const options = call.request.getOptions()!;
    const stream = streamName(options.getStreamIdentifier());
    const expected: Expected = options.hasNoStream() ? 'no_stream' : options.hasRevision() ? Number(options.getRevision()) : options.hasStreamExists() ? 'stream_exists' : 'any';
    const outcome = log.softDelete(stream, expected);
    if (outcome.kind === 'wrong_expected_version') {
      const expectedVersion = expected === 'any' ? '-2' : expected === 'no_stream' ? '-1' : expected === 'stream_exists' ? '-4' : String(expected);
      callback(
        rpcError(status.FAILED_PRECONDITION, `Append failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersion}`, {
          exception: 'wrong-expected-version',
          'stream-name': stream,
          'expected-version': expectedVersion,
          ...(outcome.currentRevision === 'no_stream' ? {} : { 'actual-version': String(outcome.currentRevision) }),
        }),
      );
      return;
    }
    callback(null, new streamsPb.DeleteResp().setPosition(new streamsPb.DeleteResp.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position))));
  },

  tombstone(_call: unknown, callback: sendUnaryData<never>): void {
    callback(rpcError(status.UNIMPLEMENTED, 'Tombstone is not served by the wire test double'));
  },
});
