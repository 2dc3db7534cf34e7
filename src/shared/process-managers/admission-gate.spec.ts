import { AdmissionGate, maxRetryAfterSeconds } from './admission-gate';
import type { ProcessManagerStatus } from './process-managers.port';

/** Process managers whose figures the test sets, and which count how often they are asked. */
class ScriptedProcessManagerRuntime {
  calls = 0;
  failing = false;
  private figures = new Map<string, { checkpoint: number; lag: number }>();

  set(name: string, checkpoint: number, lag: number): this {
    this.figures.set(name, { checkpoint, lag });
    return this;
  }

  async status(): Promise<ProcessManagerStatus[]> {
    this.calls++;
    if (this.failing) throw new Error('store unreachable');
    return [...this.figures].map(([name, { checkpoint, lag }]) => ({ name, checkpoint: String(checkpoint), lag, retries: 0, deadLetters: 0 }));
  }
}

describe('admission gate', () => {
  let managers: ScriptedProcessManagerRuntime;
  let now: number;
  let gate: AdmissionGate;
  beforeEach(() => {
    managers = new ScriptedProcessManagerRuntime();
    now = 1_000_000;
    gate = new AdmissionGate(managers, { limit: 100, now: () => now });
  });
  afterEach(() => gate.stop());

  /** The process managers' figures `afterMs` later, read by the gate. */
  const readAfter = async (afterMs: number, figures: Record<string, [checkpoint: number, lag: number]>) => {
    now += afterMs;
    for (const [name, [checkpoint, lag]] of Object.entries(figures)) managers.set(name, checkpoint, lag);
    await gate.refresh();
  };

  it('admits before the lag was ever read, and while every lag is at most the limit', async () => {
    expect(gate.admit()).toEqual({ admitted: true });
    await readAfter(0, { 'payments-on-orders': [10, 100], 'inventory-on-orders': [10, 3] });
    expect(gate.admit()).toEqual({ admitted: true });
    expect(gate.status()).toEqual({ refusing: false, maxLag: 100, limit: 100, refusedTotal: 0 });
  });

  it('refuses once the largest lag of any process manager is above the limit, counting each refusal', async () => {
    await readAfter(0, { 'payments-on-orders': [10, 2], 'inventory-on-orders': [10, 101] });
    expect(gate.admit()).toEqual({ admitted: false, lag: 101, limit: 100, retryAfterSeconds: expect.any(Number) });
    expect(gate.admit().admitted).toBe(false);
    expect(gate.status()).toEqual({ refusing: true, maxLag: 101, limit: 100, refusedTotal: 2 });

    await readAfter(200, { 'inventory-on-orders': [120, 80] });
    expect(gate.admit()).toEqual({ admitted: true });
    expect(gate.status()).toEqual({ refusing: false, maxLag: 80, limit: 100, refusedTotal: 2 });
  });

  it('asks the process managers only when it refreshes, never per request', async () => {
    await readAfter(0, { 'payments-on-orders': [10, 500] });
    const asked = managers.calls;
    for (let i = 0; i < 1000; i++) gate.admit();
    expect(managers.calls).toBe(asked);
    expect(gate.status().refusedTotal).toBe(1000);
  });

  it('tells a client to come back when the slowest manager over the limit gets under it, at the rate its checkpoint moves', async () => {
    // payments drains 1000 events/s and is 3000 over: 3 s. Inventory drains 2000/s and is 1000 over: 1 s.
    await readAfter(0, { 'payments-on-orders': [0, 3100], 'inventory-on-orders': [0, 1100] });
    await readAfter(1000, { 'payments-on-orders': [1000, 3100], 'inventory-on-orders': [2000, 1100] });
    expect(gate.admit()).toMatchObject({ admitted: false, retryAfterSeconds: 3 });
  });

  it('rounds up to whole seconds, at least 1, and waits the longest allowed when nothing drains', async () => {
    await readAfter(0, { 'payments-on-orders': [0, 150] });
    await readAfter(1000, { 'payments-on-orders': [100_000, 150] });
    expect(gate.admit()).toMatchObject({ retryAfterSeconds: 1 });

    await readAfter(1000, { 'payments-on-orders': [100_000, 150] });
    await readAfter(6000, { 'payments-on-orders': [100_000, 150] });
    expect(gate.admit()).toMatchObject({ retryAfterSeconds: maxRetryAfterSeconds });

    await readAfter(1000, { 'payments-on-orders': [100_020, 150] });
    // 20 events/s, 50 over: 2.5 s, told 3.
    expect(gate.admit()).toMatchObject({ retryAfterSeconds: 3 });
  });

  it('forgets the rate before a checkpoint moved back (checkpoints reset for a replay)', async () => {
    await readAfter(0, { 'payments-on-orders': [5000, 150] });
    await readAfter(1000, { 'payments-on-orders': [0, 150] });
    expect(gate.admit()).toMatchObject({ retryAfterSeconds: maxRetryAfterSeconds });
  });

  it('keeps the last figures while the process managers cannot answer', async () => {
    await readAfter(0, { 'payments-on-orders': [0, 150] });
    managers.failing = true;
    await expect(gate.refresh()).resolves.toBeUndefined();
    expect(gate.status()).toMatchObject({ refusing: true, maxLag: 150 });
  });

  describe('in the background', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('reads the lag at start and every refreshMs until it is stopped', async () => {
      gate = new AdmissionGate(managers.set('payments-on-orders', 0, 150), { limit: 100, refreshMs: 200, now: () => now });
      gate.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(managers.calls).toBe(1);
      expect(gate.status().refusing).toBe(true);

      managers.set('payments-on-orders', 150, 0);
      await jest.advanceTimersByTimeAsync(200);
      expect(managers.calls).toBe(2);
      expect(gate.status().refusing).toBe(false);

      await gate.stop();
      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(2000);
      expect(managers.calls).toBe(2);
    });

    it('reads one at a time: a slow answer is not asked again until it comes', async () => {
      let answer: (figures: ProcessManagerStatus[]) => void = () => undefined;
      let calls = 0;
      const slow = { status: () => (calls++, new Promise<ProcessManagerStatus[]>((resolve) => (answer = resolve))) };
      gate = new AdmissionGate(slow, { limit: 100, refreshMs: 200 });
      gate.start();
      await jest.advanceTimersByTimeAsync(5000);
      expect(calls).toBe(1);
      answer([{ name: 'payments-on-orders', checkpoint: '0', lag: 101, retries: 0, deadLetters: 0 }]);
      await jest.advanceTimersByTimeAsync(0);
      expect(gate.status().refusing).toBe(true);
      await jest.advanceTimersByTimeAsync(200);
      expect(calls).toBe(2);
      answer([]);
    });
  });
});
