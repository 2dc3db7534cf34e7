import { CategorySignals } from './category-signals';

describe('category signals', () => {
  it('wakes the subscribers of the categories a commit wrote to and those of $all, no others', () => {
    const signals = new CategorySignals();
    const [orders, payments] = [signals.of('Order'), signals.of('Payment')];
    signals.notify(['Order']);
    expect([orders.count, payments.count, signals.all.count]).toEqual([1, 0, 1]);
  });

  it('does not wake $all for a commit that wrote nothing', () => {
    const signals = new CategorySignals();
    signals.notify([]);
    expect(signals.all.count).toBe(0);
  });

  it('gives every subscriber of one category the same signal', () => {
    const signals = new CategorySignals();
    expect(signals.of('Order')).toBe(signals.of('Order'));
  });
});
