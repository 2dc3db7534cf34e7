import { randomBytes } from 'node:crypto';
import { composeSystem } from './container';
import { loadConfig } from './shared/config';
import { createLogger } from './shared/logger';
import { startServer } from './server';

const main = async (): Promise<void> => {
  const config = loadConfig();
  const logger = createLogger(config);
  if (config.ADMIN_TOKEN === undefined) {
    const generated = randomBytes(24).toString('base64url');
    config.ADMIN_TOKEN = generated;
    // Printed once, on purpose: it is the only way to learn a token nobody set.
    process.stdout.write(`ADMIN_TOKEN was not set; generated one for this run: ${generated}\n`);
  }
  const system = await composeSystem(config, logger);
  const running = await startServer(system);
  logger.info({ port: running.port, eventStore: config.EVENT_STORE, dataDir: config.DATA_DIR }, 'order platform listening');

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
