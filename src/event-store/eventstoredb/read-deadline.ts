import type { StreamingRead } from '@eventstore/db-client';

export interface ReadDeadline {
  /** Whether the read was ended by its deadline (what it threw or how it ended says nothing then). */
  readonly expired: boolean;
  clear(): void;
}

/**
 * Ends a read at its deadline, which the client will not do. A read's own `deadline` option never
 * reaches gRPC: `readStream` passes `this.callArguments(baseOptions, { deadline: Infinity })`, and
 * `callArguments` keeps a deadline already in the call options (`options.deadline = options.deadline
 * ?? this.createDeadline(deadline)`, dist/Client/index.js). Cancelling the call is not enough either:
 * the client's ReadStream swallows its own cancellation error and the gRPC stream it pipes from
 * ends without ending it, so the read is destroyed as well.
 */
export const endReadAt = (read: Pick<StreamingRead<unknown>, 'cancel' | 'destroy'>, ms: number): ReadDeadline => {
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    void read.cancel().catch(() => undefined);
    read.destroy();
  }, ms);
  return {
    get expired() {
      return expired;
    },
    clear: () => clearTimeout(timer),
  };
};
