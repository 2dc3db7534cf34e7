import { EventEmitter } from 'node:events';
import pino from 'pino';
import { Shutdown } from './shutdown';
import { eventually } from './shared/testing/eventually';

const logger = pino({ level: 'silent' });

const shutdownOf = (exitAfterMs = 10_000) => {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const shutdown = new Shutdown({ signals, exitAfterMs, exit: (code) => exits.push(code) }).listen();
  shutdown.useLogger(logger);
  return { shutdown, signals, exits };
};

describe('shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'])('on %s stops what was started and exits 0', async (signal) => {
    const { shutdown, signals, exits } = shutdownOf();
    let stops = 0;
    shutdown.stopWith(async () => void stops++);
    expect(shutdown.requested).toBe(false);
    signals.emit(signal);
    expect(shutdown.requested).toBe(true);
    await eventually(() => expect(exits).toEqual([0]));
    expect(stops).toBe(1);
  });

  it('stops once, however many signals come', async () => {
    const { shutdown, signals, exits } = shutdownOf();
    let stops = 0;
    let finish!: () => void;
    shutdown.stopWith(() => {
      stops++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    finish();
    await eventually(() => expect(exits).toEqual([0]));
    expect(stops).toBe(1);
  });

  it('stops what the start-up named last: a signal during the start-up waits for its step, then stops it', async () => {
    const { shutdown, signals, exits } = shutdownOf();
    const stopped: string[] = [];
    let composed!: () => void;
    const composing = new Promise<void>((resolve) => (composed = resolve));
    shutdown.stopWith(async () => {
      await composing;
      stopped.push('system');
    });
    signals.emit('SIGTERM');
    expect(exits).toEqual([]);
    composed();
    await eventually(() => expect(exits).toEqual([0]));
    expect(stopped).toEqual(['system']);
  });

  it.each(['unhandledRejection', 'uncaughtException'])('on an %s logs it, stops what was started, once, and exits 1', async (failure) => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const lines: Array<{ msg: string; err?: { message: string } }> = [];
    const shutdown = new Shutdown({ signals, exitAfterMs: 10_000, exit: (code) => exits.push(code) }).listen();
    shutdown.useLogger(pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }));
    let stops = 0;
    shutdown.stopWith(async () => void stops++);
    signals.emit(failure, new Error('the dead-letter write failed'));
    signals.emit(failure, new Error('and another'));
    await eventually(() => expect(exits).toEqual([1]));
    expect(stops).toBe(1);
    expect(lines.find((line) => line.err?.message === 'the dead-letter write failed')?.msg).toMatch(/nothing handled/);
  });

  it('exits 1 when a failure comes during a stop a signal started', async () => {
    const { shutdown, signals, exits } = shutdownOf();
    let finish!: () => void;
    shutdown.stopWith(() => new Promise<void>((resolve) => (finish = resolve)));
    signals.emit('SIGTERM');
    signals.emit('unhandledRejection', new Error('late'));
    finish();
    await eventually(() => expect(exits).toEqual([1]));
  });

  it('exits 1 when the stop fails', async () => {
    const { shutdown, signals, exits } = shutdownOf();
    shutdown.stopWith(async () => {
      throw new Error('could not close');
    });
    signals.emit('SIGTERM');
    await eventually(() => expect(exits).toEqual([1]));
  });

  it('exits 1 when the stop has not finished by the deadline', async () => {
    const { shutdown, signals, exits } = shutdownOf(30);
    shutdown.stopWith(() => new Promise<void>(() => undefined));
    signals.emit('SIGTERM');
    await eventually(() => expect(exits).toEqual([1]));
  });
});
