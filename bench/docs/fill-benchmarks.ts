/**
 * Rewrites the results tables of docs/BENCHMARKS.md from bench/results/ (`<bench>.json` for the HTTP
 * benches, the report `<bench>.md` for the store and rebuild benches), so that no number there is
 * typed by hand: `npx tsx bench/docs/fill-benchmarks.ts` after a run. Each table sits between
 * `<!-- results:<bench> -->` and `<!-- /results:<bench> -->`; a bench with no results file keeps its table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const docs = resolve(root, 'docs', 'BENCHMARKS.md');

type Json = Record<string, unknown>;
const read = (bench: string): Json | undefined => {
  const file = resolve(root, 'bench', 'results', `${bench}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : undefined;
};

const num = (value: unknown, digits = 0): string => {
  const n = Number(value);
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
};
const load = (result: Json): string => `load ${num(result.loadAverageBefore, 1)}→${num(result.loadAverageAfter, 1)}, ${String(result.measuredAt).slice(0, 10)}`;

const sagaTable = (result: Json): string => {
  const row = (name: string, window: Json | undefined) =>
    window === undefined
      ? `| ${name} | — | — | — | — | — | — | — |`
      : `| ${name} | ${num(window.settledRate)} | ${num(window.acceptedRate)} | ${num(window.refusedRate)} | ${num(window.settleP99)} ms | ` +
        `${num(window.inFlightAtEnd)} (bound ${num(window.inFlightLimit)}) | ${num(window.cpuMsPerOrder, 1)} ms | ${num(window.kbWrittenPerOrder)} KB |`;
  const ratio = result.hotToThroughputRatio === undefined ? '' : `\nHot / 50 products: ${num(result.hotToThroughputRatio, 2)}× (${load(result)}).\n`;
  const floor = result.httpFloor as Json | undefined;
  const throughput = result.throughput as Json | undefined;
  const floorLine =
    floor === undefined || throughput === undefined
      ? ''
      : `\nHTTP floor (express 5 alone, the same POSTs): ${num(floor.cpuMsPerRequest, 2)} ms of CPU per request, ${num(floor.requestsPerSecond)} requests/s; ` +
        `ours ${num(throughput.cpuMsPerOrder, 2)} ms per order settled, ${num(Number(throughput.cpuMsPerOrder) / Number(floor.cpuMsPerRequest), 1)} × the floor.\n`;
  return [
    '| run | settled orders/s | POST accepted/s | refused/s | POST → settled p99 | in flight at end | server CPU per order | disk writes per order |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
    row('50 products (`throughput`)', result.throughput as Json | undefined),
    row('1 hot product (`hot`)', result.hot as Json | undefined),
  ].join('\n') + ratio + floorLine;
};

const soakTable = (result: Json): string => {
  const tenths = (result.tenths as Json[] | undefined) ?? [];
  const first = tenths[0];
  const last = tenths[tenths.length - 1];
  const firstOrder = result.firstOrder as Json | undefined;
  return [
    '| orders | first tenth | last tenth | RSS after first tenth → end | events at restart | SIGTERM → exit | ready | first order | load |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    `| ${num(result.accepted)} | ${num(first?.settledRate)}/s | ${num(last?.settledRate)}/s | ${num(first?.rssMiB)} → ${num(last?.rssMiB)} MiB | ` +
      `${num(result.events)} | ${num(result.stopMs)} ms (exit ${String(result.exitCode)}) | ${num(Number(result.readyMs) / 1000, 2)} s | ${num(firstOrder?.ms, 1)} ms | ${load(result)} |`,
    '',
    '| tenth | settled orders/s | POST → settled p99 | server RSS | server CPU per order |',
    '|--:|--:|--:|--:|--:|',
    ...tenths.map((tenth, n) => `| ${n + 1} | ${num(tenth.settledRate)} | ${num(tenth.settleP99)} ms | ${num(tenth.rssMiB)} MiB | ${num(tenth.cpuMsPerOrder, 1)} ms |`),
  ].join('\n');
};

const streamsTable = (result: Json): string => {
  const delivery = result.deliveryMs as Json | undefined;
  const idle = result.idle as Json | undefined;
  const mib = (bytes: unknown) => Number(bytes) / (1024 * 1024);
  return [
    '| live events timed | commit → client p50 | p99 | idle streams | idle CPU | RSS with them open | load |',
    '|--:|--:|--:|--:|--:|--:|---|',
    `| ${num(delivery?.samples)} | ${num(delivery?.p50, 1)} ms | ${num(delivery?.p99, 1)} ms | ${num(idle?.streams)} for ${num(idle?.seconds)} s | ` +
      `${num(Number(idle?.cpuShare) * 100, 2)}% of a core | +${num(mib(idle?.rssOpenBytes) - mib(idle?.rssBeforeBytes), 1)} MiB | ${load(result)} |`,
  ].join('\n');
};

/** A markdown report as the bench wrote it, without its title line. */
const readReport = (bench: string): string | undefined => {
  const file = resolve(root, 'bench', 'results', `${bench}.md`);
  return existsSync(file) ? readFileSync(file, 'utf8').replace(/^# .*\n+/, '').trim() : undefined;
};

let text = readFileSync(docs, 'utf8');
const fill = (bench: string, table: string | undefined): void => {
  if (table === undefined) return;
  const pattern = new RegExp(`(<!-- results:${bench} -->\\n)[\\s\\S]*?(<!-- /results:${bench} -->)`);
  if (!pattern.test(text)) throw new Error(`docs/BENCHMARKS.md has no results:${bench} markers`);
  text = text.replace(pattern, (_all, open: string, close: string) => `${open}${table}\n${close}`);
};
for (const [bench, table] of [
  ['saga', sagaTable],
  ['soak', soakTable],
  ['streams', streamsTable],
] as const) {
  const result = read(bench);
  fill(bench, result === undefined ? undefined : table(result));
}
for (const bench of ['store', 'rebuild']) fill(bench, readReport(bench));
writeFileSync(docs, text);
process.stdout.write('docs/BENCHMARKS.md: results tables rewritten from bench/results/\n');
