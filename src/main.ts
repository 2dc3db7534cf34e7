import { randomBytes } from 'node:crypto';
import { composeSystem } from './container';
import { loadConfig, settleAdminToken } from './shared/config';
import { createLogger } from './shared/logger';
import { startTracing } from './shared/tracing/tracing';
import { startServer } from './server';
import { Shutdown } from './shutdown';

const main = async (): Promise<void> => {
  // First of all: a signal at any moment from here on stops cleanly, also one during the start-up.
  const shutdown = new Shutdown().listen();
  const loaded = loadConfig();
  const logger = createLogger(loaded);
  shutdown.useLogger(logger);
  const { config, generated } = settleAdminToken(loaded, () => randomBytes(24).toString('base64url'));
  // Printed once, on purpose: it is the only way to learn a token nobody set.
  if (generated) process.stdout.write(`ADMIN_TOKEN was not set; generated one for this run: ${config.ADMIN_TOKEN}\n`);

  const starting = (async () => {
    const tracing = await startTracing(config);
    if (tracing !== undefined) logger.info({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing on: spans go over OTLP/HTTP');
    const system = await composeSystem(config, { logger, ...(tracing === undefined ? {} : { tracing }) });
    // Stopped while composing (on EventStoreDB, connecting): close what is open, start nothing.
    if (shutdown.requested) return { stop: () => system.stop(), port: undefined };
    return startServer(system);
  })();
  shutdown.stopWith(async () => (await starting).stop());
  const running = await starting;
  if (!shutdown.requested) logger.info({ port: running.port, eventStore: config.EVENT_STORE, dataDir: config.DATA_DIR }, 'order platform listening');
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
