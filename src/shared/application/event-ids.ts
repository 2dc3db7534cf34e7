import { createHmac, hash, randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** Random bytes for fresh ids, drawn from the CSPRNG 4 KiB at a time: uuid asks it for 16 bytes per id, a call that cost more than the id. */
const randomPool = new Uint8Array(4096);
let randomUsed = randomPool.length;
const sixteenRandomBytes = (): Uint8Array => {
  if (randomUsed === randomPool.length) {
    randomFillSync(randomPool);
    randomUsed = 0;
  }
  randomUsed += 16;
  return randomPool.subarray(randomUsed - 16, randomUsed);
};

/** A fresh, time-ordered id (uuid v7: the time in ms, then random bits): cheap for the store's unique index. */
export const newEventId = (): string => uuidv7({ random: sixteenRandomBytes() });

/** A v7 id, or a v8 one of ours: its first 48 bits are a time (for a v8, the time of its own cause, or hash bits when that had none). */
const timedPrefix = /^[0-9a-f]{8}-[0-9a-f]{4}-[78]/i;
const nibble = (value: number) => value.toString(16);

/**
 * A deterministic id (uuid v8, RFC 9562's custom version) for an effect of a known cause: the same
 * cause and key give the same id, so a redelivered event re-appends the same ids and the store
 * answers with the first append instead of writing twice. The first 48 bits are the time of the
 * cause when it is a v7 id or one of these (which carries its own cause's), so a whole saga's ids
 * stay time-ordered like v7 ones and land at the end of the store's id index instead of all over it
 * (random ids there made the cost per order grow with the store); the other bits come from SHA-256
 * of cause and key. (Worked in hex strings: it runs for every event a saga step appends.)
 */
export const deterministicId = (cause: string, key: string): string => {
  const digest = hash('sha256', `${cause}\u0000${key}`, 'hex');
  const time = timedPrefix.test(cause) ? `${cause.slice(0, 8)}${cause.slice(9, 13)}`.toLowerCase() : digest.slice(32, 44);
  const variant = nibble((Number.parseInt(digest[4]!, 16) & 0x3) | 0x8);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-8${digest.slice(1, 4)}-${variant}${digest.slice(5, 8)}-${digest.slice(8, 20)}`;
};

/**
 * An id (uuid v8) that only the holder of `secret` can derive from `input`: HMAC-SHA256 with the
 * installation's secret in place of a bare hash, so that an id derived from what a client sends (an
 * Idempotency-Key) cannot be computed by anyone else, and another installation derives another id.
 */
export const keyedId = (secret: Uint8Array, input: string): string => {
  const digest = createHmac('sha256', secret).update(input).digest('hex');
  const variant = nibble((Number.parseInt(digest[16]!, 16) & 0x3) | 0x8);
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-8${digest.slice(13, 16)}-${variant}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
};
