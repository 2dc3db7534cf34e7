import type { Cents } from '../../../shared/domain/money';

export interface CatalogEntry {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: Cents;
  readonly currency: string;
}

/** Where prices come from: the catalog, never the client. */
export interface ProductCatalog {
  /** The entries of the skus that exist; unknown skus are simply absent. */
  find(skus: readonly string[]): Promise<Map<string, CatalogEntry>>;
}
