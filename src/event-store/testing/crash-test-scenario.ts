import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { v7 as uuid } from 'uuid';

export interface CrashOutcome {
  readonly stream: string;
  /** Ids the child printed after their append resolved: these must all be stored. */
  readonly acknowledged: string[];
}

const childScript = join(__dirname, 'append-until-killed.ts');

/** Starts a writer process, lets it acknowledge a random number of appends, then kills it with SIGKILL. */
export const crashTestScenario = (environment: Record<string, string>, killAfter = 50 + Math.floor(Math.random() * 400)) =>
  new Promise<CrashOutcome>((resolve, reject) => {
    const stream = `Crash-${uuid()}`;
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, stream], {
      env: { ...process.env, ...environment, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: string[] = [];
    let buffered = '';
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line !== 'ready') acknowledged.push(line);
      if (acknowledged.length >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve({ stream, acknowledged });
      else reject(new Error(`the writer exited on its own (${String(_code)}): ${errors}`));
    });
  });
