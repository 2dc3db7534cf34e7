import {
  CancelledError,
  convertToCommandError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { EventStoreUnavailable, WrongExpectedVersion } from '../errors';
import type { ExpectedRevision } from '../event-store.port';
import { toActualRevision } from './revision-mapping';

/**
 * Some calls reject with the raw gRPC error (e.g. the server-features probe made before the first
 * append); the client's own converter turns those into its typed errors, and leaves others alone.
 */
const asCommandError = (error: unknown): unknown => {
  if (!(error instanceof Error)) return error;
  try {
    return convertToCommandError(error);
  } catch {
    return error;
  }
};

/**
 * Errors that mean "the store did not answer" rather than "the store said no": the HTTP edge turns
 * them into 503, and subscriptions resubscribe after them. `CancelledError` is the server ending a
 * long call (shutdown, leader change), not our own `unsubscribe()`, which the client swallows.
 * The client throws a plain Error when cluster discovery gives up.
 */
export const isConnectionError = (raw: unknown): boolean => {
  const error = asCommandError(raw);
  return (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError ||
    (error instanceof Error && /^Failed to discover after \d+ attempts/.test(error.message))
  );
};

/**
 * The server refusing to read `$all` from a position where no record starts: `InvalidArgument`,
 * "Trying to read from an invalid position." (KurrentDB `RpcExceptions.InvalidPositionException`,
 * src/KurrentDB.Core/Services/Transport/Grpc/RpcExceptions.cs, thrown for
 * `ReadResponseException.InvalidPosition` in Streams.Read.cs). The client has no type of its own
 * for it: an `UnknownError` carrying the gRPC code. Our reads pass no other argument the server
 * could refuse, so the code alone tells it.
 */
/** gRPC's `INVALID_ARGUMENT` status code (`status.INVALID_ARGUMENT` of @grpc/grpc-js, which is not our dependency). */
const invalidArgument = 3;

export const isInvalidPositionError = (raw: unknown): boolean => {
  const error = asCommandError(raw);
  return error instanceof UnknownError && (error as UnknownError & { code?: number }).code === invalidArgument;
};

export interface AppendContext {
  readonly stream: string;
  readonly expected: ExpectedRevision;
}

/** Maps the client's errors to the port's; anything else passes through unchanged. */
export const toStoreError = (raw: unknown, append?: AppendContext): unknown => {
  const error = asCommandError(raw);
  if (error instanceof WrongExpectedVersionError) {
    return new WrongExpectedVersion(append?.stream ?? error.streamName, append?.expected ?? 'any', toActualRevision(error.actualVersion));
  }
  if (isConnectionError(error)) {
    const reason = error instanceof Error && error.message !== '' ? error.message : (error as Error).constructor.name;
    return new EventStoreUnavailable(`EventStoreDB did not answer: ${reason}`, { cause: error });
  }
  return raw;
};
