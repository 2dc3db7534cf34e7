import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

type Row = [position: number, type: string, data: string, createdAt: number];

const FOLD = 100_000;

const openCopy = (dir: string) => {
  const file = join(dir, 'floor.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE orders (order_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, status TEXT NOT NULL, total REAL NOT NULL,
    currency TEXT NOT NULL, items TEXT NOT NULL, shipping_address TEXT NOT NULL, payment_id TEXT, shipment_id TEXT, tracking_number TEXT,
    reason TEXT, placed_position INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
  return db;
};

/** The raw rows of the Order category, a page of 2,000 at a time (a little faster than one `iterate()`). */
const pagesOf = (source: Database.Database) =>
  function* pages(): Generator<Row[]> {
    const page = source
      .prepare("SELECT position, type, data, created_at FROM events WHERE category = 'Order' AND position > ? ORDER BY position LIMIT 2000")
      .raw(true);
    for (let rows = page.all(0) as Row[]; rows.length > 0; rows = page.all(rows[rows.length - 1]![0]) as Row[]) yield rows;
  };

let lastTime = Number.NaN;
let lastIso = '';
/** The ISO time of a commit, formatted once for the events that share it, as the projections do. */
const isoOf = (time: number) => {
  if (time !== lastTime) [lastTime, lastIso] = [time, new Date(time).toISOString()];
  return lastIso;
};

/** Times `rebuild` over the pages of the Order category (it answers how many events it applied); returns events/s. */
const timed = (storeFile: string, dir: string, rebuild: (db: Database.Database, pages: () => Generator<Row[]>) => number): number => {
  const source = new Database(storeFile, { readonly: true });
  const db = openCopy(dir);
  const start = performance.now();
  const events = rebuild(db, pagesOf(source));
  const rate = events / ((performance.now() - start) / 1000);
  db.close();
  source.close();
  return rate;
};

/**
 * The floor: "a quick SQLite-table rebuild script" over the same store file, for calibration on
 * the machine at hand, doing the work our rebuild does with nothing around it. Bare
 * better-sqlite3: raw rows of the Order category, JSON.parse, each order's events of 100,000 folded
 * in a Map, then one INSERT per order placed in them (one UPDATE for an order placed before) into
 * the same orders table (without its readers' indexes), one transaction per 100,000 events; no
 * port, no copy, no checkpoint. Returns events/s.
 */
export const floorRebuild = (storeFile: string, dir: string): number =>
  timed(storeFile, dir, (db, pages) => {
    const insert = db.prepare(`INSERT OR IGNORE INTO orders VALUES (${new Array(14).fill('?').join(', ')})`);
    const update = db.prepare(`UPDATE orders SET status = ?, payment_id = coalesce(?, payment_id), shipment_id = coalesce(?, shipment_id),
      tracking_number = coalesce(?, tracking_number), updated_at = ? WHERE order_id = ?`);
    type Order = { placed: boolean; row: unknown[] };
    let orders = new Map<string, Order>();
    const flush = db.transaction((folded: Map<string, Order>) => {
      for (const [orderId, { placed, row }] of folded) {
        if (placed) insert.run(row);
        else update.run(row[2], row[7], row[8], row[9], row[13], orderId);
      }
    });
    let events = 0;
    for (const rows of pages()) {
      for (const [position, type, data, createdAt] of rows) {
        const event = JSON.parse(data);
        const at = isoOf(createdAt);
        let order = orders.get(event.orderId);
        // The row in the table's column order; an order placed before this fold gets an UPDATE of what changed.
        if (type === 'OrderPlaced') {
          const row = [event.orderId, event.customerId, 'PENDING', event.total, event.currency, JSON.stringify(event.items), JSON.stringify(event.shippingAddress)];
          orders.set(event.orderId, { placed: true, row: [...row, null, null, null, null, position, at, at] });
        } else {
          if (order === undefined) orders.set(event.orderId, (order = { placed: false, row: new Array(14).fill(null) }));
          order.row[13] = at;
          if (type === 'OrderConfirmed') order.row[2] = 'CONFIRMED';
          else if (type === 'OrderPaid') [order.row[2], order.row[7]] = ['PAID', event.paymentId];
          else if (type === 'OrderShipped') [order.row[2], order.row[8], order.row[9]] = ['SHIPPED', event.shipmentId, event.trackingNumber];
        }
        if (++events % FOLD === 0) {
          flush(orders);
          orders = new Map();
        }
      }
    }
    flush(orders);
    return events;
  });

/** The floor before rebuilds folded: the same script applying each event with its own statement, a page per transaction. */
export const perEventFloorRebuild = (storeFile: string, dir: string): number =>
  timed(storeFile, dir, (db, pages) => {
    const insert = db.prepare(`INSERT OR IGNORE INTO orders VALUES (?, ?, 'PENDING', ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, ?)`);
    const status = db.prepare('UPDATE orders SET status = ?, updated_at = ? WHERE order_id = ?');
    const paid = db.prepare(`UPDATE orders SET status = 'PAID', payment_id = ?, updated_at = ? WHERE order_id = ?`);
    const shipped = db.prepare(`UPDATE orders SET status = 'SHIPPED', shipment_id = ?, tracking_number = ?, updated_at = ? WHERE order_id = ?`);
    const flush = db.transaction((batch: readonly Row[]) => {
      for (const [position, type, data, createdAt] of batch) {
        const event = JSON.parse(data);
        const at = isoOf(createdAt);
        if (type === 'OrderPlaced') {
          insert.run(event.orderId, event.customerId, event.total, event.currency, JSON.stringify(event.items), JSON.stringify(event.shippingAddress), position, at, at);
        } else if (type === 'OrderConfirmed') status.run('CONFIRMED', at, event.orderId);
        else if (type === 'OrderPaid') paid.run(event.paymentId, at, event.orderId);
        else if (type === 'OrderShipped') shipped.run(event.shipmentId, event.trackingNumber, at, event.orderId);
      }
    });
    let events = 0;
    for (const rows of pages()) {
      flush(rows);
      events += rows.length;
    }
    return events;
  });
