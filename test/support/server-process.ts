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

/** Starts the real server in a child process, as `npm start` does but without the build step, and waits for /health. */
export const startServerProcess = async (environment: Record<string, string>): Promise<ServerProcess> => {
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
    const response = await fetch(`${baseUrl}/health`);
    if (response.status !== 200) throw new Error(`health ${response.status}`);
  }, 20000);
  const exitedEarly = exit.then(({ code }) => {
    throw new Error(`the server exited with ${String(code)} before it was healthy: ${output}`);
  });
  exitedEarly.catch(() => undefined);
  // A server that never became healthy is not left running behind the failed test.
  healthy.catch(() => child.kill('SIGKILL'));
  await Promise.race([healthy, exitedEarly]);
  return { child, baseUrl, output: () => output, exited: () => exit };
};
