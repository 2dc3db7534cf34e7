import { ANY, NO_STREAM, STREAM_EXISTS, type AppendExpectedRevision, type CurrentRevision } from '@eventstore/db-client';
import type { ActualRevision } from '../errors';
import type { ExpectedRevision } from '../event-store.port';

/** The port's expected revision as the client's `expectedRevision` of `appendToStream`. */
export const toClientExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`invalid expected revision ${expected}`);
      return BigInt(expected);
  }
};

/** The client's `CurrentRevision` (a bigint or `no_stream`) as the port's actual revision. */
export const toActualRevision = (current: CurrentRevision): ActualRevision =>
  current === NO_STREAM ? 'no_stream' : Number(current);
