import type Database from 'better-sqlite3';
import { LruCache } from '../../../shared/application/lru-cache';
import type { CatchUp } from '../../../shared/read-models/catch-up';
import type { CatalogEntry, ProductCatalog } from './product-catalog.port';

interface CatalogRow {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
}

/**
 * The catalog from orders' own read model (`order-catalog`). It follows inventory's events, so a
 * product created a moment ago may not be in it yet: an order naming a sku it does not know waits
 * for the read model to apply every product event committed before the order arrived, then looks
 * again. So an order never misses a product whose creation was acknowledged before it was sent,
 * and only orders for unknown skus pay the wait. An entry found is final (a price is fixed when its
 * product is created), so the recent ones are kept in memory, and only a miss reads the table.
 */
export class ReadModelProductCatalog implements ProductCatalog {
  private bySku: Database.Statement<[string], CatalogRow> | undefined;
  private readonly found = new LruCache<CatalogEntry>(10_000);

  constructor(
    private readonly db: Database.Database,
    private readonly catchUp: CatchUp,
  ) {}

  async find(skus: readonly string[]): Promise<Map<string, CatalogEntry>> {
    const found = this.lookUp(skus);
    if (found.size === new Set(skus).size || !(await this.catchUp('order-catalog'))) return found;
    return this.lookUp(skus);
  }

  private lookUp(skus: readonly string[]): Map<string, CatalogEntry> {
    // Prepared on first use: the read model's tables are made when the projections start, after wiring.
    this.bySku ??= this.db.prepare('SELECT sku, name, price_cents, currency FROM order_catalog WHERE sku = ?');
    const found = new Map<string, CatalogEntry>();
    for (const sku of skus) {
      const known = this.found.get(sku);
      if (known !== undefined) {
        found.set(sku, known);
        continue;
      }
      const row = this.bySku.get(sku);
      if (row === undefined) continue;
      const entry = { sku, name: row.name, priceCents: row.price_cents, currency: row.currency };
      this.found.set(sku, entry);
      found.set(sku, entry);
    }
    return found;
  }
}
