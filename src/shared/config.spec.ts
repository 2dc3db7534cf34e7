import { InvalidConfiguration, loadConfig, settleAdminToken } from './config';

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

describe('configuration: ADMIN_TOKEN', () => {
  const generate = () => 'generated-token-0123456789';

  it('is required with NODE_ENV=production: the start is refused, naming the variable', () => {
    expect(() => settleAdminToken(loadConfig({ NODE_ENV: 'production' }), generate)).toThrow(InvalidConfiguration);
    expect(() => settleAdminToken(loadConfig({ NODE_ENV: 'production' }), generate)).toThrow(/ADMIN_TOKEN: is required when NODE_ENV=production/);
  });

  it('is used as set, in production too', () => {
    const settled = settleAdminToken(loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'a-secret-of-16-chars' }), generate);
    expect(settled).toEqual({ config: expect.objectContaining({ ADMIN_TOKEN: 'a-secret-of-16-chars' }), generated: false });
  });

  it('is generated elsewhere, and said to be', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const settled = settleAdminToken(loadConfig(NODE_ENV === undefined ? {} : { NODE_ENV }), generate);
      expect(settled).toEqual({ config: expect.objectContaining({ ADMIN_TOKEN: generate() }), generated: true });
    }
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
