import type Database from 'better-sqlite3';
import type { Projection, TableNames } from './projection';

/** A copy of a read model: its tables are `<table>__g<generation>`, and it has applied the events up to `checkpoint`. */
export interface Copy {
  readonly name: string;
  readonly version: number;
  readonly generation: number;
  readonly tables: readonly string[];
  /** The checkpoint of the last event applied; undefined before the first. */
  readonly checkpoint: bigint | undefined;
}

/** The copy being rebuilt, by whom, and when it last showed it was alive. */
export interface RebuildCopy extends Copy {
  readonly owner: string;
  readonly heartbeatAt: number;
  readonly startedAt: number;
}

interface CopyRow {
  name: string;
  version: number;
  generation: number;
  tables: string;
  checkpoint: number | bigint | null;
}

interface RebuildRow extends CopyRow {
  owner: string;
  heartbeat_at: number;
  started_at: number;
}

const tableName = /^[a-z][a-z0-9_]*$/;

export const physicalNames = (tables: readonly string[], generation: number): TableNames => {
  const names: Record<string, string> = {};
  for (const table of tables) {
    if (!tableName.test(table)) throw new Error(`invalid read-model table name ${table}`);
    names[table] = `${table}__g${generation}`;
  }
  return names;
};

const toCopy = (row: CopyRow): Copy => ({
  name: row.name,
  version: row.version,
  generation: row.generation,
  tables: JSON.parse(row.tables) as string[],
  checkpoint: row.checkpoint === null ? undefined : BigInt(row.checkpoint),
});

/**
 * Where each read model's copies live, in the read-model database itself, so that every process
 * that opens it (the server, the CLI) sees the same: the copy that serves (`projection_state`,
 * readers reach it through a view per table) and the copy being rebuilt (`projection_rebuilds`, at
 * most one per read model, which is also the lock against two rebuilds at once). Every change is
 * one immediate transaction, so the swap from one copy to the next is atomic.
 */
export class ProjectionCatalog {
  private readonly liveStatement: Database.Statement<[string], CopyRow>;
  private readonly rebuildStatement: Database.Statement<[string], RebuildRow>;
  private readonly generationStatement: Database.Statement<[string], { generation: number }>;
  private readonly ownerStatement: Database.Statement<[string], { owner: string }>;
  private readonly saveLive: Database.Statement<[bigint, string]>;
  private readonly saveRebuild: Database.Statement<[bigint, number, string, string]>;
  private readonly objectType: Database.Statement<[string], { type: string }>;

  constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS projection_state (
        name TEXT PRIMARY KEY, version INTEGER NOT NULL, generation INTEGER NOT NULL, tables TEXT NOT NULL, checkpoint INTEGER
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS projection_rebuilds (
        name TEXT PRIMARY KEY, version INTEGER NOT NULL, generation INTEGER NOT NULL, tables TEXT NOT NULL, checkpoint INTEGER,
        owner TEXT NOT NULL, heartbeat_at INTEGER NOT NULL, started_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
    this.liveStatement = db.prepare('SELECT * FROM projection_state WHERE name = ?');
    this.rebuildStatement = db.prepare('SELECT * FROM projection_rebuilds WHERE name = ?');
    this.generationStatement = db.prepare('SELECT generation FROM projection_state WHERE name = ?');
    this.ownerStatement = db.prepare('SELECT owner FROM projection_rebuilds WHERE name = ?');
    this.saveLive = db.prepare('UPDATE projection_state SET checkpoint = ? WHERE name = ?');
    this.saveRebuild = db.prepare('UPDATE projection_rebuilds SET checkpoint = ?, heartbeat_at = ? WHERE name = ? AND owner = ?');
    this.objectType = db.prepare("SELECT type FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')");
  }

  live(name: string): Copy | undefined {
    const row = this.liveStatement.get(name);
    return row === undefined ? undefined : toCopy(row);
  }

  rebuildOf(name: string): RebuildCopy | undefined {
    const row = this.rebuildStatement.get(name);
    return row === undefined ? undefined : { ...toCopy(row), owner: row.owner, heartbeatAt: row.heartbeat_at, startedAt: row.started_at };
  }

  /**
   * The serving copy of a read model, made on first sight: empty tables of generation 1 that the
   * live runner fills from the start of the store. Tables of a read model from before copies
   * existed (a table under the logical name) are adopted as generation 0 with their checkpoint.
   */
  ensure(projection: Projection): Copy {
    return this.db
      .transaction((): Copy => {
        const existing = this.live(projection.name);
        if (existing !== undefined) return existing;
        const legacy = projection.tables.filter((table) => this.objectType.get(table)?.type === 'table');
        const generation = legacy.length > 0 ? 0 : 1;
        const names = physicalNames(projection.tables, generation);
        for (const table of legacy) {
          // Its indexes keep their names through a rename; setup makes them again under the copy's names.
          for (const { name } of this.db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
            .all(table) as Array<{ name: string }>) {
            this.db.exec(`DROP INDEX ${name}`);
          }
          this.db.exec(`ALTER TABLE ${table} RENAME TO ${names[table]}`);
        }
        projection.setup(this.db, names);
        projection.indexes?.(this.db, names);
        this.createViews(projection.tables, generation);
        const copy: Copy = {
          name: projection.name,
          // Adopted tables were written by the version that introduced versions.
          version: legacy.length > 0 ? 1 : projection.version,
          generation,
          tables: projection.tables,
          checkpoint: legacy.length > 0 ? this.legacyCheckpoint(projection.name) : undefined,
        };
        this.db
          .prepare('INSERT INTO projection_state (name, version, generation, tables, checkpoint) VALUES (?, ?, ?, ?, ?)')
          .run(copy.name, copy.version, copy.generation, JSON.stringify(copy.tables), copy.checkpoint ?? null);
        return copy;
      })
      .immediate();
  }

  /**
   * Replaces the serving copy with empty tables of the next generation, its checkpoint cleared, in one
   * transaction, if `isAhead` still holds for its checkpoint: for a copy past the head of the store
   * (after a power cut, or a store restored from an older backup), whose rows describe events the
   * store does not have and whose checkpoint would skip the positions the store hands out again.
   * Readers stop seeing it at once; the live runner refills the new copy from the start of the store.
   * A rebuild in progress is dropped with it.
   */
  resetLive(projection: Projection, isAhead: (checkpoint: bigint | undefined) => boolean): boolean {
    return this.db
      .transaction((): boolean => {
        const old = this.live(projection.name);
        if (old === undefined || !isAhead(old.checkpoint)) return false;
        const rebuild = this.rebuildOf(projection.name);
        if (rebuild !== undefined) this.dropRebuild(rebuild);
        const generation = Math.max(old.generation, rebuild?.generation ?? 0) + 1;
        const names = physicalNames(projection.tables, generation);
        projection.setup(this.db, names);
        projection.indexes?.(this.db, names);
        for (const table of new Set([...old.tables, ...projection.tables])) {
          if (this.objectType.get(table)?.type === 'view') this.db.exec(`DROP VIEW ${table}`);
        }
        this.dropTables(old.tables, old.generation);
        this.createViews(projection.tables, generation);
        this.db
          .prepare('UPDATE projection_state SET version = ?, generation = ?, tables = ?, checkpoint = NULL WHERE name = ?')
          .run(projection.version, generation, JSON.stringify(projection.tables), projection.name);
        return true;
      })
      .immediate();
  }

  /** Inside the live runner's transaction: whether its copy still serves (a swap, maybe by another process, ends it). */
  serves(name: string, generation: number): boolean {
    return this.generationStatement.get(name)?.generation === generation;
  }

  saveLiveCheckpoint(name: string, checkpoint: bigint): void {
    this.saveLive.run(checkpoint, name);
  }

  /**
   * Claims the rebuild of a read model for `owner` and makes the empty tables of its next
   * generation (without the readers' indexes, made once they are filled); `busy` while another
   * owner that is alive rebuilds it. A rebuild whose owner died
   * is dropped, tables and all, and this one starts from the beginning.
   */
  claimRebuild(projection: Projection, owner: string, isAlive: (rebuild: RebuildCopy) => boolean): RebuildCopy | 'busy' {
    return this.db
      .transaction((): RebuildCopy | 'busy' => {
        const previous = this.rebuildOf(projection.name);
        if (previous !== undefined && isAlive(previous)) return 'busy';
        if (previous !== undefined) this.dropRebuild(previous);
        const generation = Math.max(this.live(projection.name)?.generation ?? 0, previous?.generation ?? 0) + 1;
        this.dropTables(projection.tables, generation);
        projection.setup(this.db, physicalNames(projection.tables, generation));
        const now = Date.now();
        const rebuild: RebuildCopy = {
          name: projection.name,
          version: projection.version,
          generation,
          tables: projection.tables,
          checkpoint: undefined,
          owner,
          heartbeatAt: now,
          startedAt: now,
        };
        this.db
          .prepare(
            `INSERT INTO projection_rebuilds (name, version, generation, tables, checkpoint, owner, heartbeat_at, started_at)
             VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`,
          )
          .run(rebuild.name, rebuild.version, generation, JSON.stringify(rebuild.tables), owner, now, now);
        return rebuild;
      })
      .immediate();
  }

  /** Inside the rebuild's transaction: whether the rebuild is still the owner's. */
  ownsRebuild(name: string, owner: string): boolean {
    return this.ownerStatement.get(name)?.owner === owner;
  }

  /** Inside the rebuild's transaction: records its progress, and that its owner lives. */
  saveRebuildCheckpoint(name: string, owner: string, checkpoint: bigint): void {
    this.saveRebuild.run(checkpoint, Date.now(), name, owner);
  }

  /**
   * The swap, in one transaction: the views move to the rebuilt copy, the old copy is dropped, and
   * the rebuilt copy becomes the serving one with its checkpoint (the live runner goes on from
   * there). Undefined when the rebuild is no longer the owner's.
   */
  swap(name: string, owner: string): Copy | undefined {
    return this.db
      .transaction((): Copy | undefined => {
        const rebuild = this.rebuildOf(name);
        if (rebuild === undefined || rebuild.owner !== owner) return undefined;
        const old = this.live(name);
        for (const table of new Set([...(old?.tables ?? []), ...rebuild.tables])) {
          if (this.objectType.get(table)?.type === 'view') this.db.exec(`DROP VIEW ${table}`);
        }
        if (old !== undefined) this.dropTables(old.tables, old.generation);
        this.createViews(rebuild.tables, rebuild.generation);
        this.db
          .prepare(
            `INSERT INTO projection_state (name, version, generation, tables, checkpoint) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET version = excluded.version, generation = excluded.generation,
               tables = excluded.tables, checkpoint = excluded.checkpoint`,
          )
          .run(name, rebuild.version, rebuild.generation, JSON.stringify(rebuild.tables), rebuild.checkpoint ?? null);
        this.db.prepare('DELETE FROM projection_rebuilds WHERE name = ?').run(name);
        const { owner: _owner, heartbeatAt: _heartbeat, startedAt: _started, ...copy } = rebuild;
        return copy;
      })
      .immediate();
  }

  /** Drops a rebuild that failed or was stopped, if it is still the owner's: the serving copy stays as it was. */
  abandon(name: string, owner: string): void {
    this.db
      .transaction(() => {
        const rebuild = this.rebuildOf(name);
        if (rebuild !== undefined && rebuild.owner === owner) this.dropRebuild(rebuild);
      })
      .immediate();
  }

  /** Drops the rebuilds whose owners died (a killed process): their partial copies would only take room. */
  dropDeadRebuilds(isAlive: (rebuild: RebuildCopy) => boolean): void {
    const names = (this.db.prepare('SELECT name FROM projection_rebuilds').all() as Array<{ name: string }>).map((row) => row.name);
    for (const name of names) {
      this.db
        .transaction(() => {
          const rebuild = this.rebuildOf(name);
          if (rebuild !== undefined && !isAlive(rebuild)) this.dropRebuild(rebuild);
        })
        .immediate();
    }
  }

  private dropRebuild(rebuild: RebuildCopy): void {
    this.dropTables(rebuild.tables, rebuild.generation);
    this.db.prepare('DELETE FROM projection_rebuilds WHERE name = ?').run(rebuild.name);
  }

  private dropTables(tables: readonly string[], generation: number): void {
    for (const table of Object.values(physicalNames(tables, generation))) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
  }

  private createViews(tables: readonly string[], generation: number): void {
    const names = physicalNames(tables, generation);
    for (const table of tables) this.db.exec(`CREATE VIEW ${table} AS SELECT * FROM ${names[table]}`);
  }

  private legacyCheckpoint(name: string): bigint | undefined {
    if (this.objectType.get('projection_checkpoints') === undefined) return undefined;
    const row = this.db.prepare('SELECT checkpoint FROM projection_checkpoints WHERE name = ?').get(`projection:${name}`) as
      | { checkpoint: number | bigint }
      | undefined;
    return row === undefined ? undefined : BigInt(row.checkpoint);
  }
}
