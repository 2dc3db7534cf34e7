import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../../src/shared/testing/eventually';
import { freePort } from './free-port';

export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly baseUrl: string;
  output(): string;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const mainScript = join(__dirname, '..', '..', 'src', 'main.ts');
const attempts = 3;

/**
 * Starts the real server in a child process, as `npm start` does but without the build step, and
 * waits until it answers. A free port can be taken by another process (another test file's server)
 * between the probe and the child's bind: then the child exits with EADDRINUSE and it is started
 * again on another port; and an answer counts only from a server that knows this start's admin
 * token (the one given, or the one the child printed), so that another process on the port is
 * never taken for ours.
 */
export const startServerProcess = async (environment: Record<string, string>): Promise<ServerProcess> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(environment);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === attempts) throw error;
    }
  }
};

class PortTaken extends Error {}

const startOnce = async (environment: Record<string, string>): Promise<ServerProcess> => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript], {
    env: { ...process.env, LOG_LEVEL: 'info', ...environment, PORT: String(port) },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const healthy = eventually(async () => {
    if (child.exitCode !== null) return;
    const health = await fetch(`${baseUrl}/health`);
    if (health.status !== 200) throw new Error(`health ${health.status}`);
    const adminToken = environment.ADMIN_TOKEN ?? /generated one for this run: (\S+)/.exec(output)?.[1];
    if (adminToken === undefined) throw new Error('no admin token printed yet');
    const ours = await fetch(`${baseUrl}/api/admin/subscriptions`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (ours.status !== 200) throw new Error(`the server on port ${port} does not know this start's admin token (${ours.status})`);
  }, 20000);
  const exitedEarly = exit.then(({ code }) => {
    if (/EADDRINUSE/.test(output)) throw new PortTaken(`port ${port} was taken before the server could listen`);
    throw new Error(`the server exited with ${String(code)} before it was healthy: ${output}`);
  });
  exitedEarly.catch(() => undefined);
  // A server that never became healthy is not left running behind the failed test.
  healthy.catch(() => child.kill('SIGKILL'));
  await Promise.race([healthy, exitedEarly]);
  return { child, baseUrl, output: () => output, exited: () => exit };
};
