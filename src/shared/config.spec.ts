import { InvalidConfiguration, loadConfig } from './config';

describe('configuration: MAX_SAGA_LAG', () => {
  it('defaults to 5000 events and takes a whole number', () => {
    expect(loadConfig({}).MAX_SAGA_LAG).toBe(5000);
    expect(loadConfig({ MAX_SAGA_LAG: '250' }).MAX_SAGA_LAG).toBe(250);
  });

  it.each(['lots', '0', '-5', '2.5', ''])('refuses %p, naming the variable', (value) => {
    expect(() => loadConfig({ MAX_SAGA_LAG: value })).toThrow(InvalidConfiguration);
    expect(() => loadConfig({ MAX_SAGA_LAG: value })).toThrow(/MAX_SAGA_LAG/);
  });
});
