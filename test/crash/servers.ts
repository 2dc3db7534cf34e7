import { type ServerProcess, startServerProcess } from '../support/server-process';

/**
 * Every server process a crash test starts, so that none outlives the test: `killAll` in an
 * afterAll kills what still runs, also when the test failed half-way.
 */
export class Servers {
  private readonly started = new Set<ServerProcess>();
  private readonly lives: string[] = [];

  async start(environment: Record<string, string>): Promise<ServerProcess> {
    const server = await startServerProcess(environment);
    this.started.add(server);
    return server;
  }

  /** kill -9: no handler runs, nothing is flushed; whatever was not committed is gone. */
  async kill(server: ServerProcess): Promise<void> {
    server.child.kill('SIGKILL');
    await server.exited();
    this.retire(server);
  }

  /** A clean stop (SIGTERM): finishes the requests in flight, stops the subscriptions, exits 0. */
  async stop(server: ServerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    server.child.kill('SIGTERM');
    const exit = await server.exited();
    this.retire(server);
    return exit;
  }

  async killAll(): Promise<void> {
    await Promise.all(
      [...this.started].map(async (server) => {
        if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
        await server.exited();
        this.retire(server);
      }),
    );
  }

  /** What the processes printed (warnings and errors at LOG_LEVEL=warn), newest life last. */
  output(): string {
    return [...this.lives, ...[...this.started].map((server) => server.output())].join('\n--- restart ---\n');
  }

  private retire(server: ServerProcess): void {
    if (!this.started.delete(server)) return;
    this.lives.push(server.output());
  }
}
