import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './http/create-app';
import type { System } from './container';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  /**
   * Stops accepting connections, finishes the requests in flight (closing the connections still
   * open after `forceCloseAfterMs`) while the background work stops, then closes the store.
   */
  stop(): Promise<void>;
}

export interface ServerOptions {
  readonly port?: number;
  /** The interface to listen on: every one by default; `127.0.0.1` for a local run (the demo). */
  readonly host?: string;
  /** How long a stop waits for the requests in flight before it closes their connections. */
  readonly forceCloseAfterMs?: number;
  /** A client must send its request's headers within this (10 s), and the whole request within `requestTimeoutMs` (30 s). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

export const startServer = async (system: System, options: ServerOptions = {}): Promise<RunningServer> => {
  const forceCloseAfterMs = options.forceCloseAfterMs ?? 5000;
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = createServer({
    headersTimeout,
    requestTimeout: Math.max(headersTimeout, options.requestTimeoutMs ?? 30_000),
    // How often Node looks for connections past those timeouts (30 s by default, which would let a slow client hold one for 40 s).
    connectionsCheckingInterval: Math.min(1000, headersTimeout),
  });
  server.keepAliveTimeout = 5000;
  // Past it, a new connection is closed as it arrives: one client cannot take every socket of the process.
  server.maxConnections = system.config.MAX_CONNECTIONS;
  // Registered before the app, so that it sees every request before the app may answer it.
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_request, response: ServerResponse) => {
    if (closing) response.setHeader('connection', 'close');
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      // Its connection may be idle now: a keep-alive connection must not hold the stop until its timeout.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  server.on('request', createApp(system));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? system.config.PORT, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port: boundPort } = server.address() as AddressInfo;
  await system.start();

  const closeHttp = async () => {
    const started = performance.now();
    closing = true;
    for (const response of inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => {
      system.logger.warn({ requestsInFlight: inFlight.size, forceCloseAfterMs }, 'closing the connections still open');
      server.closeAllConnections();
    }, forceCloseAfterMs);
    await closed;
    clearTimeout(force);
    system.logger.info({ httpMs: Math.round(performance.now() - started) }, 'HTTP server closed');
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // The process managers need no HTTP: they stop while the requests finish; the read models and the store serve those to the end.
      // The event streams never finish by themselves: they end first, so that the requests in flight are the others.
      await Promise.all([system.streams.close().then(closeHttp), system.stopProcessing()]);
      await system.stop();
    })());
  return { server, port: boundPort, stop };
};
