/** A read or subscription of the client: iterable, and cancellable. */
export interface CancellableRead<Item> extends AsyncIterable<Item> {
  cancel(): Promise<void>;
}

/**
 * The items of a client read, for a loop that may leave it early (`break`, `return`, a throw).
 * The client's `dispose()` waits for every stream it handed out to finish, and a stream left midway
 * after the server had sent its last message never does: its end is never read. So leaving a read
 * early made closing the store wait forever (found with the wire-level test double). Here the read
 * is cancelled before the loop lets go of it, while its pipe still runs: a call in progress ends
 * cancelled, a finished one drains its rest and ends.
 */
export async function* leftCleanly<Item>(read: CancellableRead<Item>): AsyncGenerator<Item> {
  const items = read[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (;;) {
      const next = await items.next();
      if (next.done === true) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!ended) {
      await read.cancel().catch(() => undefined);
      await items.return?.();
    }
  }
}
