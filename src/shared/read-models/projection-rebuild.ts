import type Database from 'better-sqlite3';
import type { EventStore, ReadManyOptions, ReplayPage } from '../../event-store/event-store.port';
import { eventByEvent, type Projection } from './projection';
import { type Copy, physicalNames, type ProjectionCatalog, type RebuildCopy } from './projection-catalog';

export interface RebuildParts {
  readonly store: EventStore;
  readonly db: Database.Database;
  readonly catalog: ProjectionCatalog;
  /** Events read per page; without a batch writer, also the events applied per transaction. */
  readonly batchSize: number;
  /** With a batch writer: events folded in memory, over several pages, before they are written in one transaction. */
  readonly foldSize: number;
}

/** How a rebuild ended: swapped in, stopped (the process stops), or lost (another owner took it over). */
export type RebuildEnd = { readonly ended: 'swapped'; readonly copy: Copy; readonly events: number } | { readonly ended: 'stopped' | 'lost' };

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The store's replay fast path, or `readCategory` where the store has none. */
const replayOf =
  (store: EventStore) =>
  async (category: string, options: ReadManyOptions): Promise<ReplayPage> => {
    if (store.replayCategory !== undefined) return store.replayCategory(category, options);
    const page = await store.readCategory(category, options);
    return { events: page.map(({ event }) => event), checkpoint: page[page.length - 1]?.checkpoint };
  };

/**
 * Fills a claimed copy by replaying the projection's category from the start of the store, and
 * swaps it in once it has caught up with the head of the category (a page shorter than a batch).
 * Events go to the projection's batch writer when it has one (folded over up to `foldSize`
 * events, then each row written once), else to its writer a page per transaction; each write
 * saves the rebuild's checkpoint in its transaction. Until the swap it keeps reading what is
 * appended meanwhile, and readers keep the serving copy. It yields to the event loop between
 * pages, so a server that rebuilds keeps answering. A failure drops the copy and leaves the
 * serving one as it was.
 */
export const runRebuild = async (
  { store, db, catalog, batchSize, foldSize }: RebuildParts,
  projection: Projection,
  rebuild: RebuildCopy,
  stopped: () => boolean,
): Promise<RebuildEnd> => {
  const { name, owner } = rebuild;
  const names = physicalNames(rebuild.tables, rebuild.generation);
  const writer = projection.batchWriter?.(db, names) ?? eventByEvent(projection.writer(db, names));
  const eventsPerWrite = projection.batchWriter === undefined ? batchSize : Math.max(foldSize, batchSize);
  const replay = replayOf(store);
  let taken = 0;
  let takenUpTo: bigint | undefined;
  const take = ({ events, checkpoint }: ReplayPage) => {
    for (const event of events) writer.add(event);
    taken += events.length;
    if (checkpoint !== undefined) takenUpTo = checkpoint;
  };
  const write = db.transaction((): boolean => {
    // Not ours any more (taken over as dead, its tables dropped): write nothing.
    if (!catalog.ownsRebuild(name, owner)) return false;
    writer.write();
    if (taken > 0) catalog.saveRebuildCheckpoint(name, owner, takenUpTo!);
    taken = 0;
    return true;
  });
  const makeIndexes = db.transaction((): boolean => {
    if (!catalog.ownsRebuild(name, owner)) return false;
    projection.indexes?.(db, names);
    return true;
  });
  // The last page and the swap in one transaction: the copy swaps in holding everything the store
  // held at that read. What is appended later, the live runner applies to it from its checkpoint.
  const writeLastAndSwap = db.transaction((): Copy | undefined => (write() ? catalog.swap(name, owner) : undefined));
  let events = 0;
  let indexed = false;
  try {
    for (;;) {
      if (stopped()) {
        catalog.abandon(name, owner);
        return { ended: 'stopped' };
      }
      const page = await replay(projection.category, { after: takenUpTo, maxCount: batchSize });
      take(page);
      events += page.events.length;
      const caughtUp = page.events.length < batchSize;
      if (caughtUp && indexed) {
        const copy = writeLastAndSwap.immediate();
        return copy === undefined ? { ended: 'lost' } : { ended: 'swapped', copy, events };
      }
      if ((caughtUp || taken >= eventsPerWrite) && !write.immediate()) return { ended: 'lost' };
      if (caughtUp) {
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
