import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * The worker's code, plain CommonJS so that it runs as it is under tsc's build and under the test
 * runner alike. A PASSIVE checkpoint copies what it can without waiting for the writer or readers,
 * so it never holds up an append.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ failed: error instanceof Error ? error.message : String(error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A checkpoint the writer's own connection runs only when this has fallen this far behind (pages of the WAL). */
const safetyNetPages = 16_000;

/**
 * Checkpoints a WAL database from a worker thread, every `intervalMs`. SQLite's automatic
 * checkpoint runs inside a commit on the writer's thread, here the event loop: every 4,000 pages it
 * stalled one commit for tens of ms (copying the pages and syncing the database file), which made
 * most of the one-client latency's p99. The writer's own automatic checkpoint stays on as a safety
 * net, at `safetyNetPages`, for when this falls behind or its worker is gone.
 */
export class BackgroundCheckpointer {
  private readonly worker: Worker;

  constructor(db: Database.Database, intervalMs = 200, onFailure: (message: string) => void = () => undefined) {
    db.pragma(`wal_autocheckpoint = ${safetyNetPages}`);
    this.worker = new Worker(workerSource, {
      eval: true,
      workerData: { filename: db.name, intervalMs, driver: require.resolve('better-sqlite3') },
    });
    this.worker.on('message', (message: { failed: string }) => onFailure(message.failed));
    this.worker.on('error', (error) => onFailure(error.message));
    // It must not keep the process alive, nor take it down: a checkpoint it misses, the safety net
    // takes. (After the listeners: a 'message' listener refs the worker again.)
    this.worker.unref();
  }

  async close(): Promise<void> {
    // Held while it stops: waiting on an unref'd worker alone, the process would end here, mid-stop.
    this.worker.ref();
    const exited = once(this.worker, 'exit');
    this.worker.postMessage('stop');
    await exited;
  }
}
