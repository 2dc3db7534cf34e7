/**
 * `npm run projections -- rebuild <name|all>` and `npm run projections -- status`: the read models
 * of the store under DATA_DIR, whether the server runs or not. A rebuild fills a new copy of the
 * read model beside the serving one and swaps it in, in the read-model database; a running server
 * notices the swap and follows the new copy. Exit code 0 when everything asked for was rebuilt; 2 for
 * a wrong command, or a DATA_DIR that holds no store (nothing is created there). Compiled with the
 * service: `node dist/cli/projections.js status` where there is no tsx (the Docker image).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { composeSystem, type System } from '../container';
import { eventStoreFile } from '../event-store/create-event-store';
import { loadConfig } from '../shared/config';
import type { ProjectionStatus } from '../shared/read-models/projection-runner';

const usage = 'usage: npm run projections -- rebuild <name|all>\n       npm run projections -- status';

const line = (item: ProjectionStatus) =>
  [
    item.name.padEnd(20),
    `v${item.version}`.padEnd(5),
    `position ${item.position}`.padEnd(20),
    `lag ${item.lag}`.padEnd(12),
    item.status + (item.progress === undefined ? '' : ` ${(item.progress * 100).toFixed(1)}%`),
  ].join(' ');

const rebuild = async (system: System, names: readonly string[]): Promise<boolean> => {
  let ok = true;
  for (const name of names) {
    process.stderr.write(`rebuilding ${name}…\n`);
    const progress = setInterval(() => {
      void system.projections.status().then((items) => {
        const item = items.find((candidate) => candidate.name === name);
        if (item?.progress !== undefined) process.stderr.write(`  ${name}: ${(item.progress * 100).toFixed(1)}%\n`);
      });
    }, 1000);
    const result = await system.projections.rebuild(name).finally(() => clearInterval(progress));
    switch (result.outcome) {
      case 'rebuilt':
        process.stdout.write(`${name}: rebuilt from ${result.events} events in ${result.ms} ms, swapped in\n`);
        break;
      case 'failed':
        ok = false;
        process.stdout.write(`${name}: failed, the old copy still serves: ${result.error instanceof Error ? result.error.message : String(result.error)}\n`);
        break;
      case 'already_rebuilding':
        ok = false;
        process.stdout.write(`${name}: a rebuild of it runs already (in the server, or another CLI)\n`);
        break;
      default:
        ok = false;
        process.stdout.write(`${name}: ${result.outcome}\n`);
    }
  }
  return ok;
};

const main = async (args: readonly string[]): Promise<number> => {
  const [command, target, ...rest] = args;
  if (!((command === 'rebuild' && target !== undefined && rest.length === 0) || (command === 'status' && target === undefined))) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const config = loadConfig();
  if (config.EVENT_STORE === 'memory') {
    process.stderr.write('EVENT_STORE=memory keeps nothing between processes: there is no read model to rebuild\n');
    return 2;
  }
  // The server's files must be there: opening a store where there is none would make an empty one and report position 0.
  const expected = config.EVENT_STORE === 'sqlite' ? eventStoreFile(config.DATA_DIR) : join(config.DATA_DIR, 'read-models.sqlite');
  if (!existsSync(expected)) {
    process.stderr.write(
      `no ${config.EVENT_STORE === 'sqlite' ? 'event store' : 'read-model database'} in DATA_DIR=${config.DATA_DIR} (${resolve(expected)} does not exist).\n` +
        'Set DATA_DIR to the directory the server uses (its default is ./data, relative to where it was started).\n',
    );
    return 2;
  }
  const logger = pino({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, pino.destination(2));
  // The admin token guards HTTP routes only; the CLI serves none.
  const system = await composeSystem({ ...config, ADMIN_TOKEN: config.ADMIN_TOKEN ?? randomBytes(24).toString('base64url') }, { logger });
  try {
    const names = system.projections.names();
    if (command === 'status') {
      for (const item of await system.projections.status()) process.stdout.write(`${line(item)}\n`);
      return 0;
    }
    const chosen = target === 'all' ? names : names.filter((name) => name === target);
    if (chosen.length === 0) {
      process.stderr.write(`no read model ${target}; there are: ${names.join(', ')}, or all\n`);
      return 2;
    }
    return (await rebuild(system, chosen)) ? 0 : 1;
  } finally {
    await system.stop();
  }
};

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
