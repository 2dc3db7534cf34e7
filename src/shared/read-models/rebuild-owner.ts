import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** The owners of the rebuilds that run in this process right now. */
const running = new Set<string>();

/** A rebuild whose owner shows no sign of life for this long is taken for dead, wherever it ran. */
export const staleAfterMs = 30_000;

/** `pid@host#uuid`: enough to tell, from another process, whether the owner of a rebuild still lives. */
export const newRebuildOwner = (): string => {
  const owner = `${process.pid}@${hostname()}#${randomUUID()}`;
  running.add(owner);
  return owner;
};

export const releaseRebuildOwner = (owner: string): void => {
  running.delete(owner);
};

const processExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether the process that claimed a rebuild still works on it: ours when it runs in this
 * process; on this host, when its process exists and it wrote a heartbeat lately (a pid can be
 * reused); elsewhere, by the heartbeat alone.
 */
export const isRebuildOwnerAlive = (owner: string, heartbeatAt: number, now = Date.now()): boolean => {
  if (running.has(owner)) return true;
  const match = /^(\d+)@([^#]*)#/.exec(owner);
  if (match !== null && match[2] === hostname()) {
    const pid = Number(match[1]);
    if (pid === process.pid || !processExists(pid)) return false;
  }
  return now - heartbeatAt < staleAfterMs;
};
