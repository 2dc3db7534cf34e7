import pino from 'pino';
import request from 'supertest';
import type { App } from 'supertest/types';
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
  /** How many events the store holds: a bad request must not change it. */
  eventCount(): Promise<number>;
  stop(): Promise<void>;
}

/** The whole system on an in-memory store, read models running, served through supertest. */
export const startTestSystem = async (
  environment: Record<string, string> = {},
  options: ComposeOptions & { readonly autoStart?: boolean } = {},
): Promise<TestSystem> => {
  const config: RunnableConfig = {
    ...loadConfig({ EVENT_STORE: 'memory', LOG_LEVEL: 'silent', ...environment }),
    ADMIN_TOKEN: adminToken,
  };
  const system = await composeSystem(config, { logger: pino({ level: 'silent' }), ...options });
  if (options.autoStart !== false) await system.start();
  const app = createApp(system);
  return {
    system,
    app,
    admin: () => ({
      get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${adminToken}`),
      post: (url: string) => request(app).post(url).set('Authorization', `Bearer ${adminToken}`),
    }),
    http: () => request(app),
    eventCount: async () => {
      let count = 0;
      let after: bigint | undefined;
      for (;;) {
        const page = await system.eventStore.readAll({ after, maxCount: 1000 });
        if (page.length === 0) return count;
        count += page.length;
        after = page[page.length - 1]!.checkpoint;
      }
    },
    stop: () => system.stop(),
  };
};
