/**
 * Events are handled concurrently across streams but delivered in store order; the checkpoint may
 * only move past an event once it and every event before it are done. This tracks that low mark.
 */
export class Watermark {
  private readonly pending: Array<{ checkpoint: bigint; done: boolean }> = [];
  private mark: bigint | undefined;

  constructor(start: bigint | undefined) {
    this.mark = start;
  }

  get checkpoint(): bigint | undefined {
    return this.mark;
  }

  get inFlight(): number {
    return this.pending.length;
  }

  /** Registers a delivered event; call the returned function once it is handled. Returns true from it when the mark moved. */
  track(checkpoint: bigint): () => boolean {
    const entry = { checkpoint, done: false };
    this.pending.push(entry);
    return () => {
      entry.done = true;
      let moved = false;
      while (this.pending.length > 0 && this.pending[0]!.done) {
        this.mark = this.pending.shift()!.checkpoint;
        moved = true;
      }
      return moved;
    };
  }
}
