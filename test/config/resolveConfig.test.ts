import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoggingConfigError } from '../../src/config/LoggingConfigError.js';
import { resolveConfig } from '../../src/config/resolveConfig.js';

/** The LoggingConfigError resolveConfig throws for these inputs (fails the test when none). */
function configError(
  options: Parameters<typeof resolveConfig>[0],
  env: Record<string, string>,
): LoggingConfigError {
  let thrown: unknown;
  try {
    resolveConfig(options, env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LoggingConfigError);
  return thrown as LoggingConfigError;
}

describe('resolveConfig', () => {
  describe('precedence', () => {
    it('should prefer options over env vars over defaults', () => {
      const env = { OTEL_SERVICE_NAME: 'from-env', OTEL_LOGKIT_LOG_DIR: '/tmp/env-logs' };
      expect(
        resolveConfig({ serviceName: 'from-option' }, env).resourceAttributes['service.name'],
      ).toBe('from-option');
      expect(resolveConfig({}, env).resourceAttributes['service.name']).toBe('from-env');
      expect(resolveConfig({}, {}).resourceAttributes['service.name']).toBeUndefined();
      expect(resolveConfig({ logDir: '/tmp/opt' }, env).logDir).toBe('/tmp/opt');
      expect(resolveConfig({}, env).logDir).toBe('/tmp/env-logs');
      expect(resolveConfig({}, {}).logDir).toBe(path.resolve('logs'));
    });

    it('should take deployment.environment.name from the option, then NODE_ENV unless OTEL_RESOURCE_ATTRIBUTES sets it', () => {
      expect(
        resolveConfig({ environment: 'prod' }, { NODE_ENV: 'dev' }).resourceAttributes,
      ).toMatchObject({
        'deployment.environment.name': 'prod',
      });
      expect(resolveConfig({}, { NODE_ENV: 'dev' }).resourceAttributes).toMatchObject({
        'deployment.environment.name': 'dev',
      });
      expect(
        resolveConfig(
          {},
          { NODE_ENV: 'dev', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging' },
        ).resourceAttributes['deployment.environment.name'],
      ).toBeUndefined();
    });
  });

  describe('exporters', () => {
    it('should default to the embedded console and file exporters with no endpoint', () => {
      const config = resolveConfig({}, {});
      expect(config.logsExporters).toEqual(['console', 'file']);
      expect(config.metricsExporters).toEqual([]);
    });

    it('should default to otlp when an endpoint is configured', () => {
      const config = resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
      expect(config.logsExporters).toEqual(['otlp']);
      expect(config.metricsExporters).toEqual(['otlp']);
      expect(config.logs.url).toBe('http://collector:4318/v1/logs');
      expect(config.metrics.url).toBe('http://collector:4318/v1/metrics');
      expect(config.traces.url).toBe('http://collector:4318/v1/traces');
    });

    it('should use per-signal endpoints as they are', () => {
      const config = resolveConfig(
        {},
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318/',
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9999/custom',
        },
      );
      expect(config.logs.url).toBe('http://logs:9999/custom');
      expect(config.metrics.url).toBe('http://base:4318/v1/metrics');
    });

    it('should parse OTEL_LOGS_EXPORTER lists and treat none alone as nothing', () => {
      expect(resolveConfig({}, { OTEL_LOGS_EXPORTER: 'otlp, file' }).logsExporters).toEqual([
        'otlp',
        'file',
      ]);
      expect(resolveConfig({}, { OTEL_LOGS_EXPORTER: 'none' }).logsExporters).toEqual([]);
      expect(
        resolveConfig({ logsExporter: ['console'] }, { OTEL_LOGS_EXPORTER: 'file' }).logsExporters,
      ).toEqual(['console']);
    });

    it('should merge common and per-signal headers, URL-decoding env values', () => {
      const config = resolveConfig(
        {},
        {
          OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b,x=1',
          OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x=2',
        },
      );
      expect(config.logs.headers).toEqual({ 'api-key': 'a b', x: '2' });
      expect(config.metrics.headers).toEqual({ 'api-key': 'a b', x: '1' });
    });

    it('should pick the protocol, per signal when given', () => {
      expect(resolveConfig({}, {}).logs.protocol).toBe('http/protobuf');
      const config = resolveConfig(
        {},
        {
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
        },
      );
      expect(config.logs.protocol).toBe('http/json');
      expect(config.metrics.protocol).toBe('http/protobuf');
    });
  });

  describe('OTLP exporter settings', () => {
    const pem = path.resolve('test/fixtures/tls/server.crt');
    const clientCert = path.resolve('test/fixtures/tls/client.crt');
    const clientKey = path.resolve('test/fixtures/tls/client.key');

    it('should default to no compression, 10 s, and for grpc to localhost:4317 used as is', () => {
      const config = resolveConfig({ protocol: 'grpc', endpoint: 'https://otel:4317' }, {});
      expect(config.logs).toMatchObject({
        url: 'https://otel:4317/',
        protocol: 'grpc',
        compression: 'none',
        timeoutMillis: 10_000,
        tls: {},
      });
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).traces.url).toBe(
        'http://localhost:4317',
      );
    });

    it('should take compression, timeout and protocol per signal: option, common option, signal env, common env', () => {
      const env = {
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3000',
      };
      const fromEnv = resolveConfig({}, env);
      expect([fromEnv.logs, fromEnv.metrics, fromEnv.traces].map((s) => s.compression)).toEqual([
        'gzip',
        'none',
        'gzip',
      ]);
      expect([fromEnv.logs, fromEnv.metrics, fromEnv.traces].map((s) => s.timeoutMillis)).toEqual([
        2000, 2000, 3000,
      ]);
      const fromOptions = resolveConfig(
        {
          compression: 'none',
          otlpTimeoutMillis: 500,
          tracesOtlp: { compression: 'gzip', timeoutMillis: 700, protocol: 'http/json' },
        },
        env,
      );
      expect(fromOptions.logs).toMatchObject({ compression: 'none', timeoutMillis: 500 });
      expect(fromOptions.metrics).toMatchObject({ compression: 'none', timeoutMillis: 500 });
      expect(fromOptions.traces).toMatchObject({
        compression: 'gzip',
        timeoutMillis: 700,
        protocol: 'http/json',
      });
    });

    it('should read the TLS files per signal, merging the signal option over the common one', () => {
      const fromEnv = resolveConfig({}, { OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: pem });
      expect(fromEnv.logs.tls.ca?.toString()).toContain('BEGIN CERTIFICATE');
      expect(fromEnv.metrics.tls).toEqual({});
      const merged = resolveConfig(
        {
          tls: { clientCertificateFile: clientCert, clientKeyFile: clientKey },
          metricsOtlp: { tls: { certificateFile: pem } },
        },
        {},
      );
      const given = (tls: object) =>
        Object.entries(tls)
          .filter(([, bytes]) => bytes !== undefined)
          .map(([name]) => name)
          .sort();
      expect(given(merged.metrics.tls)).toEqual(['ca', 'cert', 'key']);
      expect(given(merged.logs.tls)).toEqual(['cert', 'key']);
      expect(merged.logs.tls.key?.toString()).toContain('PRIVATE KEY');
    });
  });

  describe('batching and intervals', () => {
    it('should read OTEL_BLRP_* and OTEL_METRIC_EXPORT_INTERVAL', () => {
      const config = resolveConfig(
        {},
        {
          OTEL_BLRP_SCHEDULE_DELAY: '250',
          OTEL_BLRP_EXPORT_TIMEOUT: '5000',
          OTEL_BLRP_MAX_QUEUE_SIZE: '100',
          OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '50',
          OTEL_METRIC_EXPORT_INTERVAL: '2000',
        },
      );
      expect(config.batch).toEqual({
        scheduledDelayMillis: 250,
        exportTimeoutMillis: 5000,
        maxQueueSize: 100,
        maxExportBatchSize: 50,
      });
      expect(config.metricExportIntervalMillis).toBe(2000);
      // The default timeout is capped by a shorter interval.
      expect(config.metricExportTimeoutMillis).toBe(2000);
    });
  });

  describe('validation', () => {
    const bad: Array<
      [string, Parameters<typeof resolveConfig>[0], Record<string, string>, RegExp]
    > = [
      [
        'unknown logs exporter option',
        { logsExporter: 'kafka' as never },
        {},
        /option logsExporter: "kafka"/,
      ],
      ['malformed endpoint', { endpoint: 'not a url' }, {}, /option endpoint: "not a url"/],
      ['malformed logs endpoint', { logsEndpoint: '://' }, {}, /option logsEndpoint/],
      ['negative size', { maxFileBytes: -1 }, {}, /option maxFileBytes: -1/],
      [
        'non-numeric size env',
        {},
        { OTEL_LOGKIT_MAX_FILE_BYTES: '10MB' },
        /OTEL_LOGKIT_MAX_FILE_BYTES: "10MB"/,
      ],
      ['fractional backups', { maxBackups: 1.5 }, {}, /option maxBackups: 1.5/],
      [
        'batch above queue',
        { batch: { maxQueueSize: 10, maxExportBatchSize: 20 } },
        {},
        /batch.maxExportBatchSize: 20/,
      ],
      ['unknown protocol option', { protocol: 'thrift' as never }, {}, /option protocol: "thrift"/],
      [
        'unknown compression option',
        { logsOtlp: { compression: 'zstd' as never } },
        {},
        /option logsOtlp.compression: "zstd"/,
      ],
      [
        'unreadable certificate option',
        { tls: { certificateFile: '/nonexistent/ca.pem' } },
        {},
        /option tls.certificateFile: "\/nonexistent\/ca.pem".*ENOENT/,
      ],
      [
        'client key without certificate',
        { tls: { clientKeyFile: path.resolve('package.json') } },
        {},
        /option tls.clientKeyFile: ".*package.json" \(expected a client key and a client certificate together \(mTLS\); no certificate/,
      ],
      ['non-boolean disabled option', { disabled: 'yes' as never }, {}, /option disabled: "yes"/],
      ['unknown level', { level: 'loud' }, {}, /option level: "loud"/],
      ['unknown level env', {}, { OTEL_LOGKIT_LEVEL: 'chatty' }, /OTEL_LOGKIT_LEVEL: "chatty"/],
      ['severity out of range', { level: 30 }, {}, /option level: 30/],
      ['bad custom level name', { levels: { emit: 3 } }, {}, /option levels.emit/],
      ['bad custom level number', { levels: { audit: 40 } }, {}, /option levels.audit: 40/],
      [
        'metric timeout above interval',
        { metricExportIntervalMillis: 1000, metricExportTimeoutMillis: 5000 },
        {},
        /metricExportTimeoutMillis: 5000/,
      ],
    ];
    for (const [title, options, env, message] of bad) {
      it(`should throw a LoggingConfigError naming the value for ${title}`, () => {
        const thrown = configError(options, env);
        expect(thrown.message).toMatch(message);
      });
    }

    // The SDK environment variable spec: an invalid value is ignored with a
    // warning, never thrown ("generate a warning and gracefully ignore the setting").
    const ignored: Array<
      [Record<string, string>, (c: ReturnType<typeof resolveConfig>) => unknown, unknown, string]
    > = [
      [
        { OTEL_LOGS_EXPORTER: 'otlp,kafka' },
        (c) => c.logsExporters,
        ['otlp'],
        'OTEL_LOGS_EXPORTER="kafka"',
      ],
      [
        { OTEL_METRICS_EXPORTER: 'prom' },
        (c) => c.metricsExporters,
        [],
        'OTEL_METRICS_EXPORTER="prom"',
      ],
      [
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' },
        (c) => c.logs.url,
        'http://localhost:4318/v1/logs',
        'OTEL_EXPORTER_OTLP_ENDPOINT="ftp://x"',
      ],
      [
        { OTEL_BLRP_MAX_QUEUE_SIZE: 'abc' },
        (c) => c.batch.maxQueueSize,
        2048,
        'OTEL_BLRP_MAX_QUEUE_SIZE="abc"',
      ],
      [
        { OTEL_EXPORTER_OTLP_TIMEOUT: '-5' },
        (c) => c.logs.timeoutMillis,
        10_000,
        'OTEL_EXPORTER_OTLP_TIMEOUT="-5"',
      ],
      [
        { OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' },
        (c) => c.logs.protocol,
        'http/protobuf',
        'OTEL_EXPORTER_OTLP_PROTOCOL="thrift"',
      ],
      [
        { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc2' },
        (c) => c.traces.protocol,
        'http/protobuf',
        'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="grpc2"',
      ],
      [
        { OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' },
        (c) => c.metrics.compression,
        'none',
        'OTEL_EXPORTER_OTLP_COMPRESSION="zstd"',
      ],
      [{ OTEL_LOG_LEVEL: 'noisy' }, (c) => c.diagLogLevel, 'INFO', 'OTEL_LOG_LEVEL="noisy"'],
      [{ OTEL_SDK_DISABLED: '1' }, (c) => c.disabled, false, 'OTEL_SDK_DISABLED="1"'],
      [{ OTEL_SDK_DISABLED: 'yes' }, (c) => c.disabled, false, 'OTEL_SDK_DISABLED="yes"'],
      [
        { OTEL_EXPORTER_OTLP_HEADERS: 'novalue,a=1' },
        (c) => c.logs.headers,
        { a: '1' },
        'OTEL_EXPORTER_OTLP_HEADERS="novalue"',
      ],
      [
        { OTEL_BLRP_MAX_QUEUE_SIZE: '10', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '20' },
        (c) => c.batch.maxExportBatchSize,
        10,
        'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE=20',
      ],
      [
        { OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '5000' },
        (c) => c.metricExportTimeoutMillis,
        1000,
        'OTEL_METRIC_EXPORT_TIMEOUT=5000',
      ],
      [
        { OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE: '/nonexistent/ca.pem' },
        (c) => c.logs.tls,
        {},
        'OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE="/nonexistent/ca.pem"',
      ],
    ];
    for (const [env, read, expected, warned] of ignored) {
      it(`should ignore the invalid spec variable ${warned} with a warning`, () => {
        const config = resolveConfig({}, env);
        expect(read(config)).toEqual(expected);
        expect(config.warnings).toHaveLength(1);
        expect(config.warnings[0]).toContain(`ignoring ${warned}`);
      });
    }

    it('should take only a case-insensitive true as true for OTEL_SDK_DISABLED, false with no warning', () => {
      expect(resolveConfig({}, { OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
      const off = resolveConfig({}, { OTEL_SDK_DISABLED: 'False' });
      expect(off.disabled).toBe(false);
      expect(off.warnings).toEqual([]);
    });

    it('should keep failing for invalid OTEL_LOGKIT_* variables, which are ours', () => {
      expect(configError({}, { OTEL_LOGKIT_TRACES: '1' }).message).toMatch(
        /OTEL_LOGKIT_TRACES: "1"/,
      );
    });

    it('should read the audit key from the option or OTEL_LOGKIT_AUDIT_KEY, never showing it', () => {
      const key = 'k'.repeat(32);
      const bytes = new TextEncoder().encode(key);
      expect(resolveConfig({ audit: { key } }, {}).audit?.key).toEqual(bytes);
      expect(resolveConfig({ audit: true }, { OTEL_LOGKIT_AUDIT_KEY: key }).audit?.key).toEqual(
        bytes,
      );
      expect(resolveConfig({ audit: { key: bytes } }, {}).audit?.key).toEqual(bytes);
      expect(resolveConfig({ audit: true }, {}).audit?.key).toBeUndefined();
      expect(resolveConfig({}, { OTEL_LOGKIT_AUDIT_KEY: key }).audit).toBeUndefined();
      for (const [options, env, source] of [
        [{ audit: { key: 'short-secret' } }, {}, 'option audit.key'],
        [{ audit: true }, { OTEL_LOGKIT_AUDIT_KEY: 'short-secret' }, 'OTEL_LOGKIT_AUDIT_KEY'],
        [{ audit: { key: 42 as never } }, {}, 'option audit.key'],
      ] as const) {
        const thrown = configError(options, env);
        expect(thrown.message).toContain(source);
        expect(thrown.message).toContain('at least 16 bytes');
        expect(thrown.message).not.toContain('short-secret');
      }
    });

    it('should accept user-defined levels as a minimum level', () => {
      const config = resolveConfig({ levels: { audit: 14 }, level: 'audit' }, {});
      expect(config.minSeverity).toBe(14);
      expect(config.levels.get('audit')).toEqual({
        name: 'audit',
        severityNumber: 14,
        severityText: 'AUDIT',
      });
    });

    it('should accept silent and level names in any case', () => {
      expect(resolveConfig({ level: 'silent' }, {}).minSeverity).toBe(Number.POSITIVE_INFINITY);
      expect(resolveConfig({}, { OTEL_LOGKIT_LEVEL: 'WARN' }).minSeverity).toBe(13);
      expect(resolveConfig({ level: 'notice' }, {}).minSeverity).toBe(10);
    });
  });
});
