import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(__dirname, '..', 'results');

/**
 * Writes bench/results/<name>.json (the folder is kept in git, its files are not): what the run
 * measured, with when and where, for regenerating docs/BENCHMARKS.md from measured numbers.
 * Maps become objects, bigints strings, non-finite numbers the strings "Infinity"/"NaN" (JSON would
 * make them null).
 */
export const writeResults = (name: string, results: Record<string, unknown>): string => {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  const document = {
    bench: name,
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}`,
    loadAverageAfter: loadavg()[0],
    ...results,
  };
  const replacer = (_key: string, value: unknown): unknown => {
    if (value instanceof Map) return Object.fromEntries(value);
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value;
  };
  writeFileSync(path, `${JSON.stringify(document, replacer, 2)}\n`);
  return path;
};

/** The closing line of a report: the machine, its load around the run, the server and the load's shape, and how long it all took. */
export const conditionsLine = (loadBefore: number, server: string, shape: string, startedAt: number, paymentDelayMs = 0, store = 'EVENT_STORE=sqlite'): string =>
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, load average ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after; ` +
  `server ${server}, ${store} in a fresh temp DATA_DIR, LOG_LEVEL=warn, PAYMENT_DELAY_MS=${paymentDelayMs}; ${shape}. ` +
  `Measured in ${((Date.now() - startedAt) / 1000).toFixed(0)} s.\n\n`;
