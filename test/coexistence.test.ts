import { setTimeout as sleep } from 'node:timers/promises';
import { context, diag, DiagLogLevel, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useCaptureLogs } from './helpers/useCaptureLogs.js';
import { recordDiag, type DiagLevelName, type DiagRecording } from './helpers/diag.js';

// An application that already runs the OTel NodeSDK, then adds otel-logkit.
// Everything stays in memory: the NodeSDK gets explicit in-memory processors
// and readers, and OTEL_*_EXPORTER=none keeps its env defaults (OTLP to
// localhost) from creating anything else.

interface App {
  sdk: NodeSDK;
  spans: InMemorySpanExporter;
  spanProcessor: SimpleSpanProcessor;
  /** The NodeSDK's own log pipeline, when it was given one. */
  sdkLogs?: InMemoryLogRecordExporter;
  sdkLogProcessor?: SimpleLogRecordProcessor;
}

let savedEnv: Record<string, string | undefined>;
let diagnostics: DiagRecording;
let app: App | undefined;
let sdkShutdown: Promise<void> | undefined;

/**
 * Starts the NodeSDK with an in-memory span exporter; with `logsAndMetrics` it
 * also registers its own LoggerProvider and MeterProvider (in memory) first.
 */
function startApp(logsAndMetrics: boolean): App {
  const spans = new InMemorySpanExporter();
  const spanProcessor = new SimpleSpanProcessor({ exporter: spans });
  const sdkLogs = logsAndMetrics ? new InMemoryLogRecordExporter() : undefined;
  const sdkLogProcessor = sdkLogs ? new SimpleLogRecordProcessor({ exporter: sdkLogs }) : undefined;
  const sdk = new NodeSDK({
    serviceName: 'sdk-app',
    spanProcessors: [spanProcessor],
    // Without logRecordProcessors the NodeSDK reads OTEL_LOGS_EXPORTER (none).
    ...(sdkLogProcessor ? { logRecordProcessors: [sdkLogProcessor] } : {}),
    metricReaders: logsAndMetrics
      ? [
          new PeriodicExportingMetricReader({
            exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
            exportIntervalMillis: 3_600_000,
          }),
        ]
      : [],
  });
  sdk.start();
  app = { sdk, spans, spanProcessor, sdkLogs, sdkLogProcessor };
  return app;
}

function stopApp(): Promise<void> {
  sdkShutdown ??= app?.sdk.shutdown();
  return sdkShutdown ?? Promise.resolve();
}

/** Spans the NodeSDK exported, by name. */
async function sdkSpanNames(): Promise<string[]> {
  await app!.spanProcessor.forceFlush();
  return app!.spans.getFinishedSpans().map((s) => s.name);
}

async function sdkRecordBodies(): Promise<unknown[]> {
  await app!.sdkLogProcessor!.forceFlush();
  return app!.sdkLogs!.getFinishedLogRecords().map((r) => r.body);
}

function messages(level: DiagLevelName): string[] {
  return diagnostics.at(level);
}

beforeEach(() => {
  savedEnv = Object.fromEntries(
    Object.keys(process.env)
      .filter((key) => key.startsWith('OTEL_'))
      .map((key) => [key, process.env[key]]),
  );
  for (const key of Object.keys(savedEnv)) delete process.env[key];
  process.env.OTEL_TRACES_EXPORTER = 'none';
  process.env.OTEL_LOGS_EXPORTER = 'none';
  process.env.OTEL_METRICS_EXPORTER = 'none';
  sdkShutdown = undefined;
  diagnostics = recordDiag(DiagLogLevel.INFO);
});

afterEach(async () => {
  await stopApp();
  app = undefined;
  // NodeSDK.shutdown() leaves its providers registered; clear the globals for the next test.
  trace.disable();
  logs.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
  diag.disable();
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('OTEL_')) delete process.env[key];
  }
  for (const [key, value] of Object.entries(savedEnv)) process.env[key] = value;
});

// Registered after the hooks above, so its afterEach runs first: otel-logkit
// shuts down before the NodeSDK stops and the globals are cleared.
const capture = useCaptureLogs({ serviceName: 'coexist', traces: true });
const { register } = capture;

/** The records otel-logkit's pipeline exported. */
const logkitRecords = () => capture.records();

describe('registerLogging next to a running NodeSDK', () => {
  describe('with tracing only', () => {
    it('should not throw, and keep the NodeSDK TracerProvider: spans reach its exporter', async () => {
      startApp(false);
      expect(() => register()).not.toThrow();

      const span = trace.getTracer('app').startSpan('after-register');
      expect(span.isRecording()).toBe(true);
      span.end();
      expect(await sdkSpanNames()).toEqual(['after-register']);
      expect(app!.spans.getFinishedSpans()[0]!.resource.attributes['service.name']).toBe('sdk-app');
    });

    it('should report no diag error while registering, only that it reuses the TracerProvider', () => {
      startApp(false);
      register();
      expect(messages('error')).toEqual([]);
      expect(messages('info')).toEqual(
        expect.arrayContaining([expect.stringMatching(/TracerProvider is already registered/)]),
      );
    });

    it('should give records emitted inside a NodeSDK span that span trace and span ids', async () => {
      startApp(false);
      const log = register().getLogger('coexist');
      const expected = await trace.getTracer('app').startActiveSpan('request', async (span) => {
        log.info('sync in span');
        await sleep(1);
        log.info('after await in span');
        logs.getLogger('plain').emit({ body: 'plain api in span' });
        span.end();
        return span.spanContext();
      });
      log.info('outside span');

      const records = await logkitRecords();
      expect(records.map((r) => r.body)).toEqual([
        'sync in span',
        'after await in span',
        'plain api in span',
        'outside span',
      ]);
      for (const record of records.slice(0, 3)) {
        const body = record.body as string;
        expect(record.spanContext?.traceId, body).toBe(expected.traceId);
        expect(record.spanContext?.spanId, body).toBe(expected.spanId);
        expect(record.spanContext?.traceFlags, body).toBe(1);
      }
      expect(records[3]!.spanContext).toBeUndefined();
      expect(await sdkSpanNames()).toEqual(['request']);
    });
  });

  describe('with a LoggerProvider and MeterProvider registered by the NodeSDK first', () => {
    it('should export otel-logkit records through its own pipeline and warn through diag', async () => {
      startApp(true);
      const sdkLoggerProvider = logs.getLoggerProvider();
      const sdkMeterProvider = metrics.getMeterProvider();
      const h = register();
      const log = h.getLogger('coexist');

      expect(messages('warn')).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/LoggerProvider was already registered/),
          expect.stringMatching(/MeterProvider was already registered/),
        ]),
      );
      // The NodeSDK's providers stay global.
      expect(logs.getLoggerProvider()).toBe(sdkLoggerProvider);
      expect(metrics.getMeterProvider()).toBe(sdkMeterProvider);
      expect(h.loggerProvider).not.toBe(sdkLoggerProvider);

      const ids = trace.getTracer('app').startActiveSpan('request', (span) => {
        log.info('mine');
        logs.getLogger('plain').emit({ body: 'plain api' });
        span.end();
        return span.spanContext();
      });

      const records = await logkitRecords();
      expect(records.map((r) => r.body)).toEqual(['mine']);
      expect(records[0]!.spanContext?.traceId).toBe(ids.traceId);
      expect(records[0]!.spanContext?.spanId).toBe(ids.spanId);
      expect(records[0]!.resource.attributes['service.name']).toBe('coexist');
      // Plain Logs API loggers keep using the NodeSDK's provider, as documented.
      expect(await sdkRecordBodies()).toEqual(['plain api']);
    });

    it('should report no diag error while registering, only the two warnings', () => {
      startApp(true);
      register();
      expect(messages('error')).toEqual([]);
    });

    it.each([
      { first: 'otel-logkit', order: ['handle', 'sdk'] as const },
      { first: 'the NodeSDK', order: ['sdk', 'handle'] as const },
    ])('should shut down cleanly with $first shut down first', async ({ order }) => {
      startApp(true);
      const log = register().getLogger('coexist');
      trace.getTracer('app').startActiveSpan('request', (span) => {
        log.info('before shutdown');
        span.end();
      });
      expect((await logkitRecords()).map((r) => r.body)).toEqual(['before shutdown']);
      expect(await sdkSpanNames()).toEqual(['request']);

      diagnostics.clear();
      for (const which of order) {
        await expect(
          which === 'handle' ? capture.handle!.shutdown() : stopApp(),
        ).resolves.toBeUndefined();
      }
      expect(messages('error')).toEqual([]);
    });

    it('should leave the NodeSDK providers registered and working after handle.shutdown()', async () => {
      startApp(true);
      const sdkLoggerProvider = logs.getLoggerProvider();
      await register().shutdown();

      expect(logs.getLoggerProvider()).toBe(sdkLoggerProvider);
      logs.getLogger('plain').emit({ body: 'after otel-logkit shutdown' });
      expect(await sdkRecordBodies()).toEqual(['after otel-logkit shutdown']);

      const span = trace.getTracer('app').startSpan('after-logkit-shutdown');
      expect(span.isRecording()).toBe(true);
      span.end();
      expect(await sdkSpanNames()).toEqual(['after-logkit-shutdown']);
    });
  });
});
