import { randomBytes } from 'node:crypto';
import { composeSystem } from './container';
import { loadConfig } from './shared/config';
import { createLogger } from './shared/logger';
import { startServer } from './server';

const main = async (): Promise<void> => {
  const loaded = loadConfig();
  const logger = createLogger(loaded);
  let adminToken = loaded.ADMIN_TOKEN;
  if (adminToken === undefined) {
    adminToken = randomBytes(24).toString('base64url');
    // Printed once, on purpose: it is the only way to learn a token nobody set.
    process.stdout.write(`ADMIN_TOKEN was not set; generated one for this run: ${adminToken}\n`);
  }
  const system = await composeSystem({ ...loaded, ADMIN_TOKEN: adminToken }, { logger });
  const running = await startServer(system);
  logger.info({ port: running.port, eventStore: loaded.EVENT_STORE, dataDir: loaded.DATA_DIR }, 'order platform listening');

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
