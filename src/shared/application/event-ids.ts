import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** A fresh, time-ordered id (uuid v7): cheap for the store's unique index. */
export const newEventId = (): string => uuidv7();

const hex = (bytes: Buffer): string => bytes.toString('hex');

/**
 * A deterministic id (uuid v8, RFC 9562's custom version) for an effect of a known cause: the same
 * cause and key give the same id, so a redelivered event re-appends the same ids and the store
 * answers with the first append instead of writing twice. The first 48 bits are the time of the
 * cause when it is a v7 id, so these ids stay time-ordered like v7 ones.
 */
export const deterministicId = (cause: string, key: string): string => {
  const digest = createHash('sha256').update(cause).update('\u0000').update(key).digest();
  const causeHex = cause.replace(/-/g, '');
  const time = /^[0-9a-f]{12}7/i.test(causeHex) ? Buffer.from(causeHex.slice(0, 12), 'hex') : digest.subarray(16, 22);
  const bytes = Buffer.concat([time, digest.subarray(0, 10)]);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
