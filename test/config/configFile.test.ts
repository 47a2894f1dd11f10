import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LoggingConfigError } from '../../src/config/LoggingConfigError.js';
import { resolveConfig } from '../../src/config/resolveConfig.js';
import { registerLogging, type LoggingHandle } from '../../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import {
  resolveRedactionOptions,
  type ResolvedRedactionOptions,
} from '../../src/processors/redaction/RedactionOptions.js';
import { resolveSamplingOptions } from '../../src/processors/sampling/SamplingOptions.js';

// OTEL_CONFIG_FILE: real files in a temporary directory, parsed by
// @opentelemetry/configuration, mapped onto otel-logkit's settings.

let dir: string;
let count = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'logkit-config-'));
  writeFileSync(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nfake\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Writes `yaml` to a new file in the temporary directory; returns its path. */
function file(yaml: string): string {
  const name = path.join(dir, `otel-${++count}.yaml`);
  writeFileSync(name, yaml);
  return name;
}

function configError(run: () => unknown): LoggingConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LoggingConfigError);
    return error as LoggingConfigError;
  }
  throw new Error('expected a LoggingConfigError');
}

const FULL = `
file_format: "1.0"
disabled: false
log_level: warn
resource:
  attributes:
    - name: service.name
      value: from-file
    - name: deployment.environment.name
      value: \${env:LOGKIT_TEST_ENV:-dev}
    - name: service.version
      value: \${LOGKIT_TEST_VERSION}
  attributes_list: team=core,tier=web
attribute_limits:
  attribute_value_length_limit: 300
  attribute_count_limit: 64
logger_provider:
  processors:
    - batch:
        schedule_delay: 200
        export_timeout: 4000
        max_queue_size: 1000
        max_export_batch_size: 100
        exporter:
          otlp_http:
            endpoint: http://collector:4318/v1/logs
            encoding: json
            compression: gzip
            timeout: 3000
            headers:
              - name: api-key
                value: \${env:LOGKIT_TEST_KEY}
            headers_list: x-a=1
    - simple:
        exporter:
          console:
  limits:
    attribute_count_limit: 32
meter_provider:
  readers:
    - periodic:
        interval: 5000
        timeout: 2000
        exporter:
          otlp_grpc:
            endpoint: https://collector:4317
            tls:
              ca_file: ca.pem
    - pull:
        exporter:
          prometheus/development:
            host: 127.0.0.1
            port: 9999
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            endpoint: http://collector:4318/v1/traces
            encoding: protobuf
otel_logkit:
  level: debug
  logsExporter: [file]
  logDir: \${env:LOGKIT_TEST_DIR}
  maxBackups: 2
  attributes:
    app.tier: web
  redaction:
    keys: [ssn]
    patterns:
      - email
      - name: ticket
        pattern: "TICKET-[0-9]{6}"
  sampling:
    ratio: 0.5
  routing:
    file:
      minLevel: warn
  audit:
    categories: [security]
`;

describe('OTEL_CONFIG_FILE', () => {
  it('should apply every supported key of the file, with ${env:...} substitution', () => {
    vi.stubEnv('LOGKIT_TEST_KEY', 'secret-1');
    vi.stubEnv('LOGKIT_TEST_VERSION', '2.3.4');
    vi.stubEnv('LOGKIT_TEST_DIR', path.join(dir, 'logs'));
    const config = resolveConfig({}, { OTEL_CONFIG_FILE: file(FULL) });

    expect(config.configFile).toMatch(/otel-\d+\.yaml$/);
    expect(config.disabled).toBe(false);
    expect(config.diagLogLevel).toBe('WARN');
    expect(config.resourceAttributes).toEqual({
      'service.name': 'from-file',
      'deployment.environment.name': 'dev',
      'service.version': '2.3.4',
      team: 'core',
      tier: 'web',
    });
    // logger_provider.limits over attribute_limits.
    expect(config.limits).toMatchObject({ attributeValueLength: 300, attributeCount: 32 });
    expect(config.batch).toEqual({
      scheduledDelayMillis: 200,
      exportTimeoutMillis: 4000,
      maxQueueSize: 1000,
      maxExportBatchSize: 100,
    });
    // The standard exporters, plus ours from otel_logkit.
    expect(config.logsExporters).toEqual(['otlp', 'console', 'file']);
    expect(config.logs).toMatchObject({
      url: 'http://collector:4318/v1/logs',
      protocol: 'http/json',
      compression: 'gzip',
      timeoutMillis: 3000,
      headers: { 'api-key': 'secret-1', 'x-a': '1' },
    });
    expect(config.metricsExporters).toEqual(['otlp']);
    expect(config.metrics).toMatchObject({ url: 'https://collector:4317/', protocol: 'grpc' });
    // ca_file is relative to the file.
    expect(config.metrics.tls.ca?.toString()).toContain('BEGIN CERTIFICATE');
    expect(config.metricExportIntervalMillis).toBe(5000);
    expect(config.metricExportTimeoutMillis).toBe(2000);
    expect(config.prometheus).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(config.registerTracerProvider).toBe(true);
    expect(config.tracesExporter).toBe('otlp');
    expect(config.traces).toMatchObject({
      url: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
    });

    expect(config.minSeverity).toBe(5);
    expect(config.logDir).toBe(path.join(dir, 'logs'));
    expect(config.maxBackups).toBe(2);
    expect(config.staticAttributes).toEqual({ 'app.tier': 'web' });
    // Resolved in the one config phase: the same settings the file's options resolve to.
    expect(config.redaction).toEqual(
      resolveRedactionOptions({
        keys: ['ssn'],
        patterns: ['email', { name: 'ticket', pattern: /TICKET-[0-9]{6}/ }],
      }),
    );
    const custom = (config.redaction as ResolvedRedactionOptions).custom[0]!;
    expect(custom.regex).toBeInstanceOf(RegExp);
    expect(custom.regex.test('see TICKET-123456')).toBe(true);
    expect(config.sampling).toEqual(resolveSamplingOptions({ ratio: 0.5 }, config.levels));
    expect(config.routing.get('file')?.minSeverity).toBe(13);
    expect(config.audit?.categories).toEqual(['security']);
    expect(config.warnings).toEqual([]);
  });

  it('should ignore the other environment variables, as the spec says, and let options win over the file', () => {
    vi.stubEnv('LOGKIT_TEST_KEY', 'k');
    vi.stubEnv('LOGKIT_TEST_DIR', dir);
    const config = resolveConfig(
      { level: 'error', batch: { maxQueueSize: 5000 }, logsOtlp: { compression: 'none' } },
      {
        OTEL_CONFIG_FILE: file(FULL),
        OTEL_SERVICE_NAME: 'from-env',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '1',
        OTEL_LOGKIT_LEVEL: 'trace',
        OTEL_BLRP_SCHEDULE_DELAY: '7',
        OTEL_SDK_DISABLED: 'true',
        NODE_ENV: 'production',
      },
    );
    expect(config.disabled).toBe(false);
    expect(config.resourceAttributes['service.name']).toBe('from-file');
    expect(config.resourceAttributes['deployment.environment.name']).toBe('dev');
    expect(config.minSeverity).toBe(17);
    // batch merged key by key: the option's queue, the file's delay.
    expect(config.batch).toMatchObject({ maxQueueSize: 5000, scheduledDelayMillis: 200 });
    expect(config.logs).toMatchObject({
      protocol: 'http/json',
      compression: 'none',
      timeoutMillis: 3000,
    });
  });

  it('should take the file from the configFile option too, over OTEL_CONFIG_FILE', () => {
    const chosen = file('file_format: "1.0"\notel_logkit:\n  level: warn\n');
    const other = file('file_format: "1.0"\notel_logkit:\n  level: error\n');
    const config = resolveConfig({ configFile: chosen }, { OTEL_CONFIG_FILE: other });
    expect(config.configFile).toBe(chosen);
    expect(config.minSeverity).toBe(13);
  });

  it("should keep otel-logkit's defaults for what a minimal file leaves out", () => {
    const config = resolveConfig({}, { OTEL_CONFIG_FILE: file('file_format: "1.1"\n') });
    expect(config.logsExporters).toEqual(['console', 'file']);
    expect(config.metricsExporters).toEqual([]);
    expect(config.registerTracerProvider).toBe(false);
    expect(config.minSeverity).toBe(9);
  });

  it('should turn everything off with disabled: true', () => {
    expect(
      resolveConfig({}, { OTEL_CONFIG_FILE: file('file_format: "1.0"\ndisabled: true\n') })
        .disabled,
    ).toBe(true);
  });

  it('should warn about the parts of the file it does not apply', () => {
    const config = resolveConfig(
      {},
      {
        OTEL_CONFIG_FILE: file(`
file_format: "1.0"
propagator:
  composite:
    - tracecontext:
meter_provider:
  readers:
    - periodic:
        exporter:
          otlp_http:
            temporality_preference: delta
`),
      },
    );
    expect(config.warnings.join('\n')).toMatch(/propagator is not applied/);
    expect(config.warnings.join('\n')).toMatch(/temporality_preference delta is not supported/);
    expect(config.metrics.url).toBe('http://localhost:4318/v1/metrics');
  });

  describe('bad files', () => {
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['a missing file', undefined, /invalid OTEL_CONFIG_FILE: ".*missing\.yaml" \(expected a readable file \(ENOENT\)\)/],
      ['broken YAML', 'file_format: "1.0"\nresource: [unclosed\n', /invalid \/.*otel-\d+\.yaml:3: .*\(expected valid YAML/],
      ['no file_format', 'resource: {}\n', /OTEL_CONFIG_FILE.*Unsupported file_format/],
      ['an empty processor list', 'file_format: "1.0"\nlogger_provider:\n  processors: []\n', /otel-\d+\.yaml: logger_provider\.processors: \[\] \(expected a value that must NOT have fewer than 1 items/],
      ['an unsupported file_format', 'file_format: "2.0"\n', /OTEL_CONFIG_FILE.*Unsupported file_format: "2\.0"/],
      [
        'a value the schema refuses',
        'file_format: "1.0"\nlogger_provider:\n  processors:\n    - batch:\n        max_queue_size: lots\n        exporter:\n          console:\n',
        /otel-\d+\.yaml: logger_provider\.processors\[0\]\.batch\.max_queue_size: "lots" \(expected a value that must be integer/,
      ],
      [
        'an unknown otel_logkit key',
        'file_format: "1.0"\notel_logkit:\n  levle: debug\n',
        /otel-\d+\.yaml: otel_logkit\.levle: "debug" \(expected an option of registerLogging\)/,
      ],
      [
        'a code-only otel_logkit key',
        'file_format: "1.0"\notel_logkit:\n  destinations: {}\n',
        /otel_logkit\.destinations.*takes code/,
      ],
      [
        'a bad otel_logkit value',
        'file_format: "1.0"\notel_logkit:\n  level: loud\n',
        /otel-\d+\.yaml: otel_logkit\.level: "loud"/,
      ],
      [
        'a bad nested otel_logkit value',
        'file_format: "1.0"\notel_logkit:\n  routing:\n    file:\n      minLevel: loud\n',
        /otel-\d+\.yaml: otel_logkit\.routing\.file\.minLevel: "loud"/,
      ],
      [
        'a batch size above the queue, both from logger_provider',
        'file_format: "1.0"\nlogger_provider:\n  processors:\n    - batch:\n        max_queue_size: 10\n        max_export_batch_size: 20\n        exporter:\n          otlp_http:\n',
        /otel-\d+\.yaml: logger_provider\.processors\[0\]\.batch\.max_export_batch_size: 20 \(expected at most maxQueueSize/,
      ],
      [
        'two OTLP log exporters',
        'file_format: "1.0"\nlogger_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n    - batch:\n        exporter:\n          otlp_grpc:\n',
        /logger_provider\.processors\[1\]\.batch\.exporter: "otlp_grpc" \(expected one OTLP log exporter/,
      ],
      [
        'an exporter otel-logkit does not support',
        'file_format: "1.0"\nlogger_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_file/development:\n',
        /logger_provider\.processors\[0\]\.batch\.exporter: .*otlp_file\/development.*expected one of otlp_http, otlp_grpc, console/,
      ],
      [
        'a bad compression',
        'file_format: "1.0"\nlogger_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            compression: zstd\n',
        /logger_provider\.processors\[0\]\.batch\.exporter\.otlp_http\.compression: "zstd" \(expected one of none, gzip\)/,
      ],
      [
        'a missing certificate',
        'file_format: "1.0"\nlogger_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_grpc:\n            tls:\n              ca_file: nowhere.pem\n',
        /otlp_grpc\.tls\.ca_file: ".*nowhere\.pem" \(expected a readable PEM file \(ENOENT\)\)/,
      ],
      [
        'a client key without its certificate',
        'file_format: "1.0"\nlogger_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            tls:\n              key_file: ca.pem\n',
        /otel-\d+\.yaml: logger_provider\.processors\[0\]\.batch\.exporter\.otlp_http\.tls\.key_file: ".*ca\.pem" \(expected a client key and a client certificate together/,
      ],
      [
        'a bad custom redaction pattern',
        'file_format: "1.0"\notel_logkit:\n  redaction:\n    patterns:\n      - name: x\n        pattern: "(unclosed"\n',
        /otel_logkit\.redaction\.patterns\[0\]\.pattern: "\(unclosed" \(expected a regular expression/,
      ],
    ]; // prettier-ignore
    for (const [title, yaml, message] of cases) {
      it(`should fail at startup naming the file and the key for ${title}`, () => {
        const name = yaml === undefined ? path.join(dir, 'missing.yaml') : file(yaml);
        const error = configError(() => resolveConfig({}, { OTEL_CONFIG_FILE: name }));
        expect(error.message).toMatch(message);
      });
    }
  });
});

describe('registerLogging with OTEL_CONFIG_FILE', () => {
  let receiver: OtlpReceiver;
  let handle: LoggingHandle | undefined;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());
  afterEach(async () => {
    await handle?.shutdown();
    handle = undefined;
    receiver.clear();
    diag.disable();
  });

  it('should configure the whole pipeline from the file: resource, exporter, redaction, level', async () => {
    vi.stubEnv('RECEIVER', receiver.url);
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'from.env=ignored');
    vi.stubEnv(
      'OTEL_CONFIG_FILE',
      file(`
file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: file-service
logger_provider:
  processors:
    - batch:
        schedule_delay: 50
        exporter:
          otlp_http:
            endpoint: \${env:RECEIVER}/v1/logs
            encoding: json
            compression: gzip
            headers:
              - name: x-tenant
                value: t1
otel_logkit:
  level: warn
  handleProcessExit: false
  redaction:
    keys: [card]
`),
    );
    handle = registerLogging();
    const log = handle.getLogger('from-file');
    log.info('below the level');
    log.warn('kept', { card: '4111111111111111', ok: 1 });
    await handle.forceFlush();
    await receiver.waitFor(() => receiver.logs.length >= 1);
    expect(receiver.logs).toHaveLength(1);
    const [record] = receiver.logs;
    expect(record!.body).toBe('kept');
    expect(record!.attributes.ok).toBe(1);
    expect(record!.attributes.card).not.toBe('4111111111111111');
    expect(record!.resource['service.name']).toBe('file-service');
    expect(record!.resource['from.env']).toBeUndefined();
    expect(receiver.requestLog[0]).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'gzip',
    });
    expect(receiver.requestLog[0]!.headers['x-tenant']).toBe('t1');
  });

  it('should name the file key for a value found bad while building the pipeline', () => {
    vi.stubEnv(
      'OTEL_CONFIG_FILE',
      file(
        'file_format: "1.0"\notel_logkit:\n  handleProcessExit: false\n  redaction:\n    mode: scramble\n',
      ),
    );
    const error = configError(() => (handle = registerLogging()));
    expect(error.message).toMatch(/otel-\d+\.yaml: otel_logkit\.redaction\.mode: "scramble"/);
  });
});
