import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ClosedLoop } from './closed-loop';
import { JsonClient } from './http-client';
import { nodeOnCpu, readCpuSeconds } from './server-process';

export interface HttpFloor {
  readonly requestsPerSecond: number;
  /** The floor server's user + system CPU per request answered. */
  readonly cpuMsPerRequest: number;
  readonly cpuShare: number;
}

/**
 * The same closed-loop clients and the same POST bodies as a load window, against express 5 alone
 * (express-floor.cjs: JSON body parsed, 201 with it echoed back), on the core the server had: what
 * one POST costs before any of our work, measured in the run it is compared with.
 */
export const measureHttpFloor = async (options: {
  readonly cpu: number | undefined;
  readonly clients: number;
  readonly durationS: number;
  readonly body: (n: number) => unknown;
}): Promise<HttpFloor> => {
  const script = join(__dirname, 'express-floor.cjs');
  const [command, args] = nodeOnCpu(options.cpu, [script]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(chunk.toString().trim());
    const client = new JsonClient(port, options.clients);
    try {
      // Warm up, so that the floor is measured hot like the server's window.
      await new ClosedLoop({ client, clients: options.clients, orders: 2000, body: options.body }).done;
      const cpuBefore = readCpuSeconds(child.pid!);
      const started = Date.now();
      const loop = new ClosedLoop({ client, clients: options.clients, until: started + options.durationS * 1000, body: options.body });
      await loop.done;
      const seconds = (Date.now() - started) / 1000;
      const cpuSeconds = readCpuSeconds(child.pid!) - cpuBefore;
      if (loop.failed > 0 || loop.errors > 0) throw new Error(`the HTTP floor answered ${loop.failed} non-201s and ${loop.errors} errors`);
      return { requestsPerSecond: loop.accepted / seconds, cpuMsPerRequest: (cpuSeconds * 1000) / loop.accepted, cpuShare: cpuSeconds / seconds };
    } finally {
      client.close();
    }
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
};
