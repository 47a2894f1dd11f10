// Cost per record of a typical record (a 100-character message and 5
// attributes, one of them a nested object) emitted inside an active span, in
// one run, for:
// - the raw OTel SDK: LoggerProvider + BatchLogRecordProcessor + a no-op exporter;
// - otel-logkit with its default chain (enrich, redact, limit, sample, route)
//   into the same BatchLogRecordProcessor + no-op exporter, and again without
//   the redact step, so the difference is what redaction costs on a record
//   with no secrets;
// - otel-logkit's default chain with a metric reader registered, as whenever
//   metrics are exported (OTLP, file, Prometheus): the log-derived metrics are
//   then recorded, not dropped by a MeterProvider without readers;
// - pino writing JSON lines to /dev/null;
// - winston writing JSON lines to /dev/null.
// `npm run bench` builds first. Figures vary with the machine: read the ratios.
import { createWriteStream, openSync } from 'node:fs';
import { trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { Bench } from 'tinybench';
import winston from 'winston';
import { registerLogging } from 'otel-logkit';

const time = Number(process.env.BENCH_TIME_MS ?? 1500);
const message =
  'checkout completed for order 8f2c1e9a after payment authorisation and stock reservation succeeded ok';
const attributes = {
  'user.id': 'u-1842',
  'http.response.status_code': 200,
  duration_ms: 48.2,
  cached: false,
  order: { id: '8f2c1e9a', items: 3, total: { amount: 129.5, currency: 'EUR' } },
};
if (message.length !== 100) throw new Error(`message is ${message.length} chars, not 100`);

const noopExporter = {
  export: (_logs, done) => done({ code: ExportResultCode.SUCCESS }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
// Large queue and delay: what is timed is the emit path, not exports.
const batch = { maxQueueSize: 1_000_000, maxExportBatchSize: 512, scheduledDelayMillis: 200 };

const tracerProvider = new TracerProvider();
trace.setGlobalTracerProvider(tracerProvider);
const tracer = trace.getTracer('bench');

const rawProvider = new LoggerProvider({
  processors: [new BatchLogRecordProcessor({ exporter: noopExporter, ...batch })],
});
const raw = rawProvider.getLogger('bench');

const devNull = openSync('/dev/null', 'w');
const pinoLogger = pino(pino.destination({ dest: devNull, sync: false, minLength: 4096 }));
const winstonLogger = winston.createLogger({
  format: winston.format.json(),
  transports: [new winston.transports.Stream({ stream: createWriteStream('/dev/null') })],
});

async function logkitTask(extra) {
  const handle = registerLogging({
    serviceName: 'bench',
    logsExporter: 'none',
    handleProcessExit: false,
    destinations: { noop: noopExporter },
    batch,
    ...extra,
  });
  return { handle, log: handle.getLogger('bench') };
}

/** Runs `fn` inside an active span, as a request handler's log call would be. */
function inSpan(fn) {
  return tracer.startActiveSpan('request', (span) => {
    fn();
    span.end();
  });
}

async function measure(name, fn) {
  const bench = new Bench({ time, warmupTime: Math.min(time, 300) });
  bench.add(name, () => inSpan(fn));
  await bench.run();
  return 1e9 / bench.tasks[0].result.throughput.mean; // ns per call, span included
}

const spanOnly = await measure('span only', () => {});
const results = {};
results['raw OTel SDK'] = await measure('raw', () =>
  raw.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: message,
    attributes,
  }),
);
{
  const { handle, log } = await logkitTask({});
  results['otel-logkit, default chain'] = await measure('logkit', () =>
    log.info(message, attributes),
  );
  await handle.shutdown();
}
{
  const { handle, log } = await logkitTask({ redaction: false });
  results['otel-logkit, chain without redact'] = await measure('logkit-noredact', () =>
    log.info(message, attributes),
  );
  await handle.shutdown();
}
{
  // A reader with a no-op exporter and a long interval: recording is timed, not exporting.
  const reader = new PeriodicExportingMetricReader({
    exporter: {
      export: (_metrics, done) => done({ code: ExportResultCode.SUCCESS }),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    },
    exportIntervalMillis: 3_600_000,
  });
  const { handle, log } = await logkitTask({ metricReaders: [reader] });
  results['otel-logkit, default chain, metrics exported'] = await measure('logkit-metrics', () =>
    log.info(message, attributes),
  );
  await handle.shutdown();
}
results['pino → /dev/null'] = await measure('pino', () => pinoLogger.info(attributes, message));
results['winston → /dev/null'] = await measure('winston', () =>
  winstonLogger.info(message, attributes),
);

const rawNs = results['raw OTel SDK'] - spanOnly;
const rows = Object.entries(results).map(([name, ns]) => ({
  logger: name,
  'ns/record': Math.round(ns - spanOnly),
  'vs raw SDK': ((ns - spanOnly) / rawNs).toFixed(2),
}));
console.table(rows);
const chain = results['otel-logkit, default chain'] - results['raw OTel SDK'];
const redaction =
  results['otel-logkit, default chain'] - results['otel-logkit, chain without redact'];
console.log(`span creation, subtracted from every row: ${Math.round(spanOnly)} ns`);
console.log(
  `otel-logkit default chain over the raw SDK: ${Math.round(chain)} ns per record (target ≤ 1000)`,
);
console.log(`redaction of a record without secrets: ${Math.round(redaction)} ns (target < 500)`);
console.log(
  `log-derived metrics, with a metric reader: ${Math.round(
    results['otel-logkit, default chain, metrics exported'] - results['otel-logkit, default chain'],
  )} ns per record`,
);
console.log(`node ${process.version}; ${time} ms per task; lower ns/record is faster`);
await rawProvider.shutdown();
