import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { PositionedEvent } from '../../src/event-store/event-store.port';
import { type ComposeOptions, composeSystem, type RunnableConfig, type System } from '../../src/container';
import { createApp } from '../../src/http/create-app';
import { loadConfig } from '../../src/shared/config';

export const adminToken = 'test-admin-token-0123456789';

export interface TestSystem {
  readonly system: System;
  readonly app: App;
  /** supertest on the app, with the admin token set. */
  admin(): { get: (url: string) => request.Test; post: (url: string) => request.Test };
  /** supertest on the app, with no token. */
  http(): ReturnType<typeof request>;
  /**
   * Every event of this suite's run, in store order: the whole store, or on EventStoreDB, which
   * keeps earlier runs' events, what follows the head the suite found when it started its first system.
   */
  readEvents(): Promise<PositionedEvent[]>;
  /** How many events `readEvents` finds: a bad request must not change it. */
  eventCount(): Promise<number>;
  stop(): Promise<void>;
}

let eventStoreDbOrigin: bigint | undefined;

/**
 * The whole system, read models running, served through supertest: on an in-memory store unless
 * `environment` says otherwise. On EventStoreDB without a DATA_DIR, its read models get a temporary
 * directory of their own, removed when it stops.
 */
export const startTestSystem = async (
  environment: Record<string, string> = {},
  /**
   * `autoStart`: true (the default) starts everything; `'read-models'` only the read models (placing an
   * order reads orders' catalog, a read model), leaving the process managers to the test; false nothing.
   */
  options: ComposeOptions & { readonly autoStart?: boolean | 'read-models' } = {},
): Promise<TestSystem> => {
  const onEventStoreDb = environment.EVENT_STORE === 'eventstoredb';
  const readModelDir = onEventStoreDb && environment.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'read-models-')) : undefined;
  const removeReadModelDir = () => {
    if (readModelDir !== undefined) rmSync(readModelDir, { recursive: true, force: true });
  };
  const config: RunnableConfig = {
    ...loadConfig({ EVENT_STORE: 'memory', LOG_LEVEL: 'silent', ...(readModelDir === undefined ? {} : { DATA_DIR: readModelDir }), ...environment }),
    ADMIN_TOKEN: adminToken,
  };
  let composed: System | undefined;
  try {
    composed = await composeSystem(config, { logger: pino({ level: 'silent' }), ...options });
    if (onEventStoreDb) eventStoreDbOrigin ??= await composed.eventStore.headCheckpoint({ kind: 'all' });
    if (options.autoStart === 'read-models') composed.projections.start();
    else if (options.autoStart !== false) await composed.start();
  } catch (error) {
    await composed?.stop().catch(() => undefined);
    removeReadModelDir();
    throw error;
  }
  const system = composed;
  const origin = onEventStoreDb ? eventStoreDbOrigin : undefined;
  const app = createApp(system);
  const readEvents = async () => {
    const events: PositionedEvent[] = [];
    for (let after = origin; ; ) {
      const page = await system.eventStore.readAll({ after, maxCount: 1000 });
      if (page.length === 0) return events;
      events.push(...page);
      after = page[page.length - 1]!.checkpoint;
    }
  };
  return {
    system,
    app,
    admin: () => ({
      get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${adminToken}`),
      post: (url: string) => request(app).post(url).set('Authorization', `Bearer ${adminToken}`),
    }),
    http: () => request(app),
    readEvents,
    eventCount: async () => (await readEvents()).length,
    stop: () => system.stop().finally(removeReadModelDir),
  };
};
