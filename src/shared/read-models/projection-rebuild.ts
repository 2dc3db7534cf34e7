import type Database from 'better-sqlite3';
import type { EventStore, PositionedEvent } from '../../event-store/event-store.port';
import type { Projection } from './projection';
import { type Copy, physicalNames, type ProjectionCatalog, type RebuildCopy } from './projection-catalog';

export interface RebuildParts {
  readonly store: EventStore;
  readonly db: Database.Database;
  readonly catalog: ProjectionCatalog;
  /** Events applied per transaction. */
  readonly batchSize: number;
}

/** How a rebuild ended: swapped in, stopped (the process stops), or lost (another owner took it over). */
export type RebuildEnd = { readonly ended: 'swapped'; readonly copy: Copy; readonly events: number } | { readonly ended: 'stopped' | 'lost' };

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Fills a claimed copy by replaying the projection's category from the start of the store, a
 * batch of events per transaction with statements prepared once, and swaps it in once it has
 * caught up with the head of the category (a page shorter than a batch). Until then it keeps
 * reading what is appended meanwhile, and readers keep the serving copy. It yields to the event
 * loop between batches, so a server that rebuilds keeps answering. A failure drops the copy and
 * leaves the serving one as it was.
 */
export const runRebuild = async (
  { store, db, catalog, batchSize }: RebuildParts,
  projection: Projection,
  rebuild: RebuildCopy,
  stopped: () => boolean,
): Promise<RebuildEnd> => {
  const { name, owner } = rebuild;
  const names = physicalNames(rebuild.tables, rebuild.generation);
  const apply = projection.writer(db, names);
  const applyBatch = db.transaction((page: readonly PositionedEvent[]): boolean => {
    // Not ours any more (taken over as dead, its tables dropped): write nothing.
    if (!catalog.ownsRebuild(name, owner)) return false;
    for (const { event } of page) apply(event);
    if (page.length > 0) catalog.saveRebuildCheckpoint(name, owner, page[page.length - 1]!.checkpoint);
    return true;
  });
  const makeIndexes = db.transaction((): boolean => {
    if (!catalog.ownsRebuild(name, owner)) return false;
    projection.indexes?.(db, names);
    return true;
  });
  // The last page and the swap in one transaction: the copy swaps in holding everything the store
  // held at that read. What is appended later, the live runner applies to it from its checkpoint.
  const applyLastAndSwap = db.transaction((page: readonly PositionedEvent[]): Copy | undefined =>
    applyBatch(page) ? catalog.swap(name, owner) : undefined,
  );
  let after: bigint | undefined;
  let events = 0;
  let indexed = false;
  try {
    for (;;) {
      if (stopped()) {
        catalog.abandon(name, owner);
        return { ended: 'stopped' };
      }
      const page = await store.readCategory(projection.category, { after, maxCount: batchSize });
      events += page.length;
      if (page.length < batchSize && indexed) {
        const copy = applyLastAndSwap.immediate(page);
        return copy === undefined ? { ended: 'lost' } : { ended: 'swapped', copy, events };
      }
      if (!applyBatch.immediate(page)) return { ended: 'lost' };
      if (page.length > 0) after = page[page.length - 1]!.checkpoint;
      if (page.length < batchSize) {
        // Caught up: the readers' indexes, then one more read to swap with what came meanwhile.
        if (!makeIndexes.immediate()) return { ended: 'lost' };
        indexed = true;
      }
      await nextTurn();
    }
  } catch (error) {
    catalog.abandon(name, owner);
    throw error;
  }
};
