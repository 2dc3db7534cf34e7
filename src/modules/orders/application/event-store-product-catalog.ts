import type { EventStore } from '../../../event-store/event-store.port';
import { toCents } from '../../../shared/domain/money';
import { type ProductCreated, productStream } from '../../inventory/contracts/inventory-events';
import type { CatalogEntry, ProductCatalog } from './product-catalog.port';

/**
 * Reads the catalog from the inventory module's published events: a product's stream starts with
 * its `ProductCreated`, which fixes its name and price. One index lookup per sku, and never stale,
 * so an order placed right after a product was created finds it.
 */
export class EventStoreProductCatalog implements ProductCatalog {
  constructor(private readonly store: EventStore) {}

  async find(skus: readonly string[]): Promise<Map<string, CatalogEntry>> {
    const found = new Map<string, CatalogEntry>();
    await Promise.all(
      skus.map(async (sku) => {
        const [first] = await this.store.readStream(productStream(sku), { maxCount: 1 });
        if (first?.type !== 'ProductCreated') return;
        const data = first.data as ProductCreated['data'];
        found.set(sku, { sku, name: data.name, priceCents: toCents(data.price), currency: data.currency });
      }),
    );
    return found;
  }
}
