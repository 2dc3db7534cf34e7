import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { probe } from './http-client';

/**
 * How the server is started: a private build of src/ (default), the repo's dist/ (after `npm run
 * build`), tsx on src/, or a given main.js (e.g. an experimental build elsewhere; it must find the
 * root node_modules by walking up from its folder).
 */
export type ServerMode = 'build' | 'dist' | 'tsx' | { readonly entry: string };

export const REPO = join(__dirname, '..', '..');

let logName = 'bench';

/** The tag of this bench's progress lines on stderr (`[saga] …`, `[soak] …`). */
export const setLogName = (name: string): void => {
  logName = name;
};

export const log = (line: string): void => {
  process.stderr.write(`[${logName}] ${line}\n`);
};

const newestMtime = (dir: string): number => {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
};

export const hasTaskset = (): boolean => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Pins a running process (this one) to one CPU. */
export const pinProcess = (pid: number, cpu: number): void => {
  execFileSync('taskset', ['-pc', String(cpu), String(pid)], { stdio: 'ignore' });
};

/** The command and arguments that run node with `args`, pinned to `cpu` (with taskset) when one is given. */
export const nodeOnCpu = (cpu: number | undefined, args: readonly string[]): [string, string[]] =>
  cpu === undefined ? [process.execPath, [...args]] : ['taskset', ['-c', String(cpu), process.execPath, ...args]];

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

export interface ServerOptions {
  readonly mode: ServerMode;
  /** Pin the server to this CPU (taskset), or undefined not to pin. */
  readonly cpu: number | undefined;
  readonly adminToken: string;
  /** Extra node flags for the server, e.g. --cpu-prof. */
  readonly nodeFlags: readonly string[];
  readonly env: Record<string, string>;
}

export interface RunningServer {
  readonly port: number;
  readonly pid: number;
  readonly workDir: string;
  readonly logFile: string;
  readonly entry: string;
  /** From spawn to the first `GET /ready` answering 200 (polled every 10 ms on a fresh connection). */
  readonly readyMs: number;
  /** User + system CPU seconds the server has used so far (from /proc). */
  cpuSeconds(): number;
  /** Bytes the server has caused to be written to storage so far (/proc/<pid>/io write_bytes). */
  bytesWritten(): number;
  /** Resident set size now (/proc/<pid>/status VmRSS), in bytes; NaN once the process is gone. */
  rssBytes(): number;
  /** SIGTERM, then the exit code (null when it had to be killed). */
  stop(timeoutMs?: number): Promise<number | null>;
  /**
   * After stop(): the same build on the same DATA_DIR (store and read models), same options, a new
   * port; its readyMs is the restart's time to ready. Its cleanup() removes the shared temp dir.
   */
  restart(): Promise<RunningServer>;
  /** Removes the temp dir (data, log, private build). */
  cleanup(): void;
}

/** Compiles src/ with the repo's tsc into `outDir`, and links the root node_modules next to it. */
const privateBuild = (workDir: string): string => {
  const outDir = join(workDir, 'dist');
  const started = Date.now();
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', outDir], {
    cwd: REPO,
    stdio: 'inherit',
  });
  // dist/main.js resolves its packages upwards from workDir: give it the root install (not bench/node_modules).
  symlinkSync(join(REPO, 'node_modules'), join(workDir, 'node_modules'), 'dir');
  log(`built src/ into ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return join(outDir, 'main.js');
};

const entryFor = (mode: ServerMode, workDir: string): { args: string[]; entry: string } => {
  if (typeof mode === 'object') {
    if (!existsSync(mode.entry)) throw new Error(`${mode.entry} does not exist`);
    return { args: [mode.entry], entry: mode.entry };
  }
  if (mode === 'tsx') return { args: ['--import', 'tsx', join(REPO, 'src', 'main.ts')], entry: 'tsx src/main.ts' };
  if (mode === 'dist') {
    const main = join(REPO, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` first (or use --server=build)');
    if (statSync(main).mtimeMs < newestMtime(join(REPO, 'src')) - 1000) {
      throw new Error('dist/ is older than src/: run `npm run build` first (or use --server=build)');
    }
    return { args: [main], entry: 'dist/main.js' };
  }
  const main = privateBuild(workDir);
  return { args: [main], entry: `${main} (private build of src/)` };
};

export const readCpuSeconds = (pid: number): number => {
  try {
    // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks; the name (field 2) may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
};

const readBytesWritten = (pid: number): number => {
  try {
    const match = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]);
  } catch {
    return Number.NaN;
  }
};

const readRssBytes = (pid: number): number => {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Launch {
  readonly options: ServerOptions;
  readonly workDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly args: readonly string[];
  readonly entry: string;
  readonly cwd: string;
}

/** A fresh temp dir with an empty DATA_DIR, the server built if need be, then launched. */
export const startServer = async (options: ServerOptions): Promise<RunningServer> => {
  const workDir = mkdtempSync(join(tmpdir(), `${logName}-bench-`));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  const { args, entry } = entryFor(options.mode, workDir);
  // tsx mode resolves `--import tsx` and src/ from the repo; the private build runs next to its node_modules link.
  const cwd = options.mode === 'tsx' ? REPO : workDir;
  return launch({ options, workDir, dataDir, logFile: join(workDir, 'server.log'), args, entry, cwd });
};

const launch = async (setup: Launch): Promise<RunningServer> => {
  const { options, workDir, dataDir, logFile, args, entry, cwd } = setup;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVENT_STORE: 'sqlite',
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_TOKEN: options.adminToken,
    LOG_LEVEL: 'warn',
    PAYMENT_DELAY_MS: '0',
    ...options.env,
  };
  delete env.SAGA_TIMEOUT_MS; // the default (30 s)
  const [command, argv] = nodeOnCpu(options.cpu, [...options.nodeFlags, ...args]);
  const out = openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(command, argv, { cwd, env, stdio: ['ignore', out, out] });
  closeSync(out);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
  });
  const pid = child.pid ?? -1;
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  };

  const deadline = spawnedAt + 60_000;
  let readyMs: number;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode} before it was ready:\n${tail()}`);
    if ((await probe(port, '/ready')) === 200) {
      readyMs = performance.now() - spawnedAt;
      break;
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready after 60 s:\n${tail()}`);
    }
    await sleep(10);
  }

  return {
    port,
    pid,
    workDir,
    logFile,
    entry,
    readyMs,
    cpuSeconds: () => readCpuSeconds(pid),
    bytesWritten: () => readBytesWritten(pid),
    rssBytes: () => readRssBytes(pid),
    stop: async (timeoutMs = 30_000) => {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((done) => {
        timer = setTimeout(() => done('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        return null;
      }
      return outcome;
    },
    restart: async () => {
      if (exitCode === undefined) throw new Error('restart() needs the server stopped first');
      return launch(setup);
    },
    cleanup: () => rmSync(workDir, { recursive: true, force: true }),
  };
};
