import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { type ServerMode, hasTaskset, pinProcess } from './server-process';

/** The flags every HTTP bench takes (see the benches' header comments). */
export const serverFlags = {
  server: { type: 'string', default: 'build' },
  entry: { type: 'string' },
  'max-saga-lag': { type: 'string', default: '5000' },
  'no-pin': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
} as const;

export const positive = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
  return value;
};

export const whole = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not ${text}`);
  return value;
};

export const serverModeOf = (server: string | undefined, entry: string | undefined): ServerMode => {
  if (entry !== undefined) return { entry: resolve(entry) };
  if (server !== 'build' && server !== 'dist' && server !== 'tsx') throw new Error('--server must be build, dist or tsx');
  return server;
};

export const describeServer = (mode: ServerMode): string =>
  typeof mode === 'object' ? mode.entry : mode === 'build' ? 'a private tsc build of src/' : mode === 'dist' ? 'dist/main.js' : 'tsx src/main.ts';

/** Pins this generator to CPU 1 (the server goes to CPU 0) unless told not to or it cannot; whether it did. */
export const pinGenerator = (noPin: boolean | undefined): boolean => {
  const pin = noPin !== true && cpus().length >= 2 && hasTaskset();
  if (pin) pinProcess(process.pid, 1);
  return pin;
};
