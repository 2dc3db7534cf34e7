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

describe('configuration: logs and traces', () => {
  it('picks the log format by terminal unless told, and refuses an unknown one', () => {
    expect(loadConfig({}).LOG_FORMAT).toBe('auto');
    expect(loadConfig({ LOG_FORMAT: 'json' }).LOG_FORMAT).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });

  it('traces only with an OTLP endpoint, which must be a URL', () => {
    expect(loadConfig({}).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'order-platform',
    });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
