import { BACKWARDS, END, StreamNotFoundError } from '@eventstore/db-client';
import type { EsdbClient } from './client';
import { endReadAt } from './read-deadline';
import { fromLinkStream } from './resolved-event';
import { leftCleanly } from './left-cleanly';

export interface LinkCheckpointOptions {
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /**
   * The projection is known to have passed the position (it linked an event at or after it into
   * another stream): links before it are all there, so none at or past it is waited for.
   */
  readonly passed?: boolean;
}

type Scan = bigint | 'not linked yet';

/**
 * The checkpoint of a `$ce-`/`$et-` link stream (link revision + 1) that stands for a `$all`
 * position: that of the newest link whose event is at or before it. The system projections link
 * events in `$all` order, so the positions of the linked events grow with the link revisions; the
 * search reads backwards from the newest link and stops at the first one at or before the position,
 * which for a fresh append is a few links back. Until the projection has linked an event at or
 * past the position, it polls; past the timeout it answers undefined.
 */
export const linkCheckpointAt = async (
  client: Pick<EsdbClient, 'readStream'>,
  linkStream: string,
  position: bigint,
  options: LinkCheckpointOptions = {},
): Promise<bigint | undefined> => {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const found = await scan(client, linkStream, position, Math.max(1, deadline - Date.now()), options.passed === true);
    if (found !== 'not linked yet') return found;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 10));
  }
};

const scan = async (
  client: Pick<EsdbClient, 'readStream'>,
  linkStream: string,
  position: bigint,
  deadlineMs: number,
  passed: boolean,
): Promise<Scan> => {
  const read = client.readStream(linkStream, { direction: BACKWARDS, fromRevision: END, resolveLinkTos: true });
  // A server that stalls must not hold the request that waits past its timeout.
  const deadline = endReadAt(read, deadlineMs);
  let newest = true;
  try {
    for await (const resolved of leftCleanly(read)) {
      const step = fromLinkStream(resolved);
      const at = step?.positioned?.event.position;
      // A link whose event is gone says nothing about where the projection is: look at the one before.
      if (step === undefined || at === undefined) continue;
      if (newest && at < position && !passed) return 'not linked yet';
      newest = false;
      if (at <= position) return step.checkpoint;
    }
    if (deadline.expired) return 'not linked yet';
    // Every link is of a later event: none of the stream's events is at or before the position.
    return newest && !passed ? 'not linked yet' : 0n;
  } catch (error) {
    if (deadline.expired) return 'not linked yet';
    if (error instanceof StreamNotFoundError) return passed ? 0n : 'not linked yet';
    throw error;
  } finally {
    deadline.clear();
    await read.cancel().catch(() => undefined);
  }
};
