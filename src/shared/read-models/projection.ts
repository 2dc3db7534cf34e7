import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../event-store/event-store.port';

/**
 * A read model: tables of its own in the read-model database, kept up to date from one category of
 * the store. `apply` runs inside the transaction that also saves the projection's checkpoint, so the
 * rows and the checkpoint never disagree, however the process stops.
 */
export interface Projection {
  readonly name: string;
  /** The category whose events it reads (`Order` for `$ce-Order`). */
  readonly category: string;
  /** Creates its tables if they are missing; runs once at start. */
  setup(db: Database.Database): void;
  /** Applies one event; synchronous, on the read-model connection; ignores event types it does not know. */
  apply(db: Database.Database, event: RecordedEvent): void;
}
