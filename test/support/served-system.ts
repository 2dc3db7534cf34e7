import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/http/create-app';
import { startTestSystem, type TestSystem } from './test-system';

export interface ServedSystem {
  readonly t: TestSystem;
  readonly url: (path: string) => string;
  stop(): Promise<void>;
}

/** The whole system behind a real HTTP server on 127.0.0.1, for clients that hold their responses open. */
export const serveTestSystem = async (environment: Record<string, string> = {}): Promise<ServedSystem> => {
  const t = await startTestSystem({ PAYMENT_DELAY_MS: '30', ...environment });
  const server: Server = createServer(createApp(t.system));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    t,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    stop: async () => {
      await t.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
