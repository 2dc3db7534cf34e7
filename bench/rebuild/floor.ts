import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

type Row = [position: number, type: string, data: string, createdAt: number];

/**
 * The floor: "a quick SQLite-table rebuild script" over the same store file, for calibration on
 * the machine at hand. Bare better-sqlite3: raw rows of the Order category, JSON.parse, the same
 * orders table (without its readers' indexes), 1,000 events per transaction; no port, no copy, no
 * checkpoint. Returns events/s.
 */
export const floorRebuild = (storeFile: string, dir: string): number => {
  const source = new Database(storeFile, { readonly: true });
  const file = join(dir, 'floor.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE orders (order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, total REAL NOT NULL,
    currency TEXT NOT NULL, items TEXT NOT NULL, shipping_address TEXT NOT NULL, payment_id TEXT, shipment_id TEXT, tracking_number TEXT,
    reason TEXT, placed_position INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  const insert = db.prepare(`INSERT OR IGNORE INTO orders VALUES (?, ?, 'PENDING', ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, ?)`);
  const status = db.prepare('UPDATE orders SET status = ?, updated_at = ? WHERE order_id = ?');
  const paid = db.prepare(`UPDATE orders SET status = 'PAID', payment_id = ?, updated_at = ? WHERE order_id = ?`);
  const shipped = db.prepare(`UPDATE orders SET status = 'SHIPPED', shipment_id = ?, tracking_number = ?, updated_at = ? WHERE order_id = ?`);
  const flush = db.transaction((rows: readonly Row[]) => {
    for (const [position, type, data, createdAt] of rows) {
      const event = JSON.parse(data);
      const at = new Date(createdAt).toISOString();
      if (type === 'OrderPlaced') {
        insert.run(event.orderId, event.customerId, event.total, event.currency, JSON.stringify(event.items), JSON.stringify(event.shippingAddress), position, at, at);
      } else if (type === 'OrderConfirmed') status.run('CONFIRMED', at, event.orderId);
      else if (type === 'OrderPaid') paid.run(event.paymentId, at, event.orderId);
      else if (type === 'OrderShipped') shipped.run(event.shipmentId, event.trackingNumber, at, event.orderId);
    }
  });
  const start = performance.now();
  let events = 0;
  let batch: Row[] = [];
  const rows = source.prepare("SELECT position, type, data, created_at FROM events WHERE category = 'Order' ORDER BY position").raw(true);
  for (const row of rows.iterate() as IterableIterator<Row>) {
    batch.push(row);
    events++;
    if (batch.length === 1000) {
      flush(batch);
      batch = [];
    }
  }
  flush(batch);
  const rate = events / ((performance.now() - start) / 1000);
  db.close();
  source.close();
  return rate;
};
