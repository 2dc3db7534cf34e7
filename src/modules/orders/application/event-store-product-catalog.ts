import type { EventStore } from '../../../event-store/event-store.port';
import { toCents } from '../../../shared/domain/money';
import { type ProductCreated, productStream } from '../../inventory/contracts/inventory-events';
import type { CatalogEntry, ProductCatalog } from './product-catalog.port';

/**
 * Reads the catalog from the inventory module's published events: a product's stream starts with
 * its `ProductCreated`, which fixes its name and price for good, so a found entry is kept. An
 * unknown sku is looked up again every time, so an order placed right after the product was
 * created finds it.
 */
export class EventStoreProductCatalog implements ProductCatalog {
  private readonly known = new Map<string, CatalogEntry>();

  constructor(private readonly store: EventStore) {}

  async find(skus: readonly string[]): Promise<Map<string, CatalogEntry>> {
    const found = new Map<string, CatalogEntry>();
    await Promise.all(
      skus.map(async (sku) => {
        const entry = this.known.get(sku) ?? (await this.lookUp(sku));
        if (entry !== undefined) found.set(sku, entry);
      }),
    );
    return found;
  }

  private async lookUp(sku: string): Promise<CatalogEntry | undefined> {
    const [first] = await this.store.readStream(productStream(sku), { maxCount: 1 });
    if (first?.type !== 'ProductCreated') return undefined;
    const data = first.data as ProductCreated['data'];
    const entry = { sku, name: data.name, priceCents: toCents(data.price), currency: data.currency };
    if (this.known.size < 100_000) this.known.set(sku, entry);
    return entry;
  }
}
