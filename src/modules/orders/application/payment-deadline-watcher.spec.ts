import pino from 'pino';
import { openDatabase } from '../../../event-store/sqlite/open-database';
import { eventually } from '../../../shared/testing/eventually';
import { DueDeadlines } from '../read-models/payment-deadlines.projection';
import type { OrderCommands, Outcome } from './order-commands';
import { PaymentDeadlineWatcher } from './payment-deadline-watcher';

const logger = pino({ level: 'silent' });

/** A due list of `count` orders, all past their deadline, that shrinks as they are timed out. */
const dueList = (count: number) => {
  const db = openDatabase({ filename: ':memory:' });
  db.exec('CREATE TABLE payment_deadlines (order_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO payment_deadlines (order_id, due_at) VALUES (?, ?)');
  for (let n = 0; n < count; n++) insert.run(`order-${String(n).padStart(5, '0')}`, n);
  return { deadlines: new DueDeadlines(db), remove: (orderId: string) => db.prepare('DELETE FROM payment_deadlines WHERE order_id = ?').run(orderId) };
};

/** Order commands whose time-outs take a few milliseconds each, as under load. */
const slowTimeOuts = (remove: (orderId: string) => void) => {
  const calls: string[] = [];
  let inHand = 0;
  let mostInHand = 0;
  const commands = {
    async timeOut(orderId: string): Promise<Outcome> {
      calls.push(orderId);
      mostInHand = Math.max(mostInHand, ++inHand);
      await new Promise((resolve) => setTimeout(resolve, 2));
      remove(orderId);
      inHand--;
      return { ok: true, orderId, position: undefined, state: { status: 'NONE' }, revision: -1 };
    },
  } as unknown as OrderCommands;
  return { commands, calls, inHand: () => inHand, mostInHand: () => mostInHand };
};

describe('payment deadline watcher', () => {
  it('runs one sweep at a time, sweeps again at once while more is due, and stops after the order in hand', async () => {
    const { deadlines, remove } = dueList(1200);
    const orders = slowTimeOuts(remove);
    // An interval much shorter than a sweep: sweeps must not pile up behind the one running.
    const watcher = new PaymentDeadlineWatcher(orders.commands, deadlines, () => new Date(10_000), 1, logger);
    watcher.start();
    await eventually(() => expect(orders.calls.length).toBeGreaterThan(600), 20000);
    await watcher.stop();
    const timedOut = orders.calls.length;
    expect(orders.inHand()).toBe(0);
    expect(orders.mostInHand()).toBe(1);
    expect(new Set(orders.calls).size).toBe(timedOut);
    // The stop did not wait for the rest of the due list.
    expect(timedOut).toBeLessThan(1200);
  });

  it('sweeps what is due, and then only what comes due', async () => {
    const { deadlines, remove } = dueList(3);
    const orders = slowTimeOuts(remove);
    const watcher = new PaymentDeadlineWatcher(orders.commands, deadlines, () => new Date(1), 5, logger);
    watcher.start();
    await eventually(() => expect(orders.calls).toEqual(['order-00000', 'order-00001']));
    await watcher.stop();
  });
});
