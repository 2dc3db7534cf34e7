import { keyedId } from '../../../shared/application/event-ids';
import type { InstallationSecret } from '../../../shared/application/installation-secret';
import type { Clock } from '../../../shared/tokens';
import { createHmac } from 'node:crypto';

/** What a request with an Idempotency-Key is placed under. */
export interface KeyedRequest {
  readonly orderId: string;
  /** The causation id of its OrderPlaced: its event id derives from it, so racing requests append one event. */
  readonly causationId: string;
  /** Tells a second use of the key with another body apart: keyed too, so the event shows nothing to guess a body from. */
  readonly requestHash: string;
  /** An order is placed under this id already (an earlier use of the key). */
  readonly placed: boolean;
}

/** Canonical JSON (sorted keys) so that the same request hashes the same however its keys were ordered. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value !== null && typeof value === 'object'
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
          .join(',')}}`
      : JSON.stringify(value);

/**
 * Idempotency keys. The order id is a keyed hash (HMAC with the installation's secret) of the key
 * and the period of `ttlMs` it came in, so nobody can compute it from a guessed key, and a second
 * installation makes another. A key is honoured while the order it placed is of this period or the
 * one before: at least `ttlMs`, at most twice that; after that the key places a new order. Nothing
 * is kept per key besides the order's own stream, so the cost does not grow with history.
 */
export class IdempotencyKeys {
  constructor(
    private readonly secret: InstallationSecret,
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  async resolve(key: string, request: unknown, isPlaced: (orderId: string) => Promise<boolean>): Promise<KeyedRequest> {
    const secret = await this.secret.get();
    const period = Math.floor(this.clock().getTime() / this.ttlMs);
    const requestHash = createHmac('sha256', secret).update(`request\u0000${canonical(request)}`).digest('hex');
    const under = (at: number) => ({
      orderId: keyedId(secret, `idempotency-key\u0000${at}\u0000${key}`),
      causationId: keyedId(secret, `idempotency-request\u0000${at}\u0000${key}`),
      requestHash,
    });
    const earlier = under(period - 1);
    if (await isPlaced(earlier.orderId)) return { ...earlier, placed: true };
    const current = under(period);
    return { ...current, placed: await isPlaced(current.orderId) };
  }
}
