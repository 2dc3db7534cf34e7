import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './http/create-app';
import type { System } from './container';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /** Finishes the requests in flight, stops the background work, closes the store. */
  stop(): Promise<void>;
}

export const startServer = async (system: System, port = system.config.PORT): Promise<RunningServer> => {
  const app = createApp(system);
  const server = createServer(app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;
  await system.start();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await system.stop();
    })());
  return { server, port: boundPort, stop };
};
