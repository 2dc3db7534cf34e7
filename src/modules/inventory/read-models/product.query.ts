import type Database from 'better-sqlite3';
import { productView, type ProductView } from '../application/product.view';

interface ProductRow {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
  on_hand: number;
  reserved: number;
}

const toView = (row: ProductRow): ProductView =>
  productView({
    sku: row.sku,
    name: row.name,
    priceCents: row.price_cents,
    currency: row.currency,
    onHand: row.on_hand,
    reserved: row.reserved,
  });

/** Reads the `products` read model. Statements are prepared on first use, once the projection has made its table. */
export class ProductQueries {
  private bySku?: Database.Statement<[string], ProductRow>;
  private all?: Database.Statement<[], ProductRow>;

  constructor(private readonly db: Database.Database) {}

  get(sku: string): ProductView | undefined {
    this.bySku ??= this.db.prepare<[string], ProductRow>('SELECT * FROM products WHERE sku = ?');
    const row = this.bySku.get(sku);
    return row === undefined ? undefined : toView(row);
  }

  /** Every product, in sku order. */
  list(): ProductView[] {
    this.all ??= this.db.prepare<[], ProductRow>('SELECT * FROM products ORDER BY sku');
    return this.all.all().map(toView);
  }
}
