// One case of bench/export.bench.mjs, in a process of its own: sets up one
// logger, sends WARMUP records through it and waits until they have all
// arrived, then measures the CPU time of this whole process (all threads,
// `process.cpuUsage()`) from the first of RECORDS log calls until the loopback
// receiver (a child process, not counted) has decoded every one of them.
// Prints one JSON line: { case, records, delivered, cpuUs, wallMs }.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { trace, SeverityNumber } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';

const [caseName] = process.argv.slice(2);
const RECORDS = Number(process.env.BENCH_EXPORT_RECORDS ?? 60_000);
const WARMUP = Number(process.env.BENCH_EXPORT_WARMUP ?? 10_000);
// Records per turn of the event loop: the exporters' HTTP work runs between turns.
const CHUNK = 256;
// Every record must arrive: queues hold a whole run (the SDK's default 2048
// drops records when a burst outruns the HTTP round trips). The same for
// every OTel-based case; OTEL_BLRP_MAX_QUEUE_SIZE is set for those that read it.
const QUEUE = RECORDS + WARMUP;

const message =
  'checkout completed for order 8f2c1e9a after payment authorisation and stock reservation succeeded ok';
const attributes = {
  'user.id': 'u-1842',
  'http.response.status_code': 200,
  duration_ms: 48.2,
  cached: false,
  order: { id: '8f2c1e9a', items: 3, total: { amount: 129.5, currency: 'EUR' } },
};

// Spans are created without being exported, the same for every case: one per
// chunk, so every record is emitted inside an active span.
trace.setGlobalTracerProvider(new TracerProvider());
const tracer = trace.getTracer('bench');

// ---------------------------------------------------------------------------
// The receiver
const receiver = fork(new URL('./receiver.mjs', import.meta.url), { stdio: 'inherit' });
const replies = [];
let wake;
receiver.on('message', (m) => {
  replies.push(m);
  wake?.();
});
async function reply() {
  while (replies.length === 0) await new Promise((r) => (wake = r));
  return replies.shift();
}
const { port } = await reply();
const base = `http://127.0.0.1:${port}`;
/** Resolves once the receiver has `n` records, or after `ms` with what it has. */
async function delivered(n, ms = 20_000) {
  receiver.send({ waitFor: n });
  const timer = setTimeout(() => receiver.send({ count: true }), ms);
  const m = await reply();
  clearTimeout(timer);
  return m.reached ?? m.count;
}

// ---------------------------------------------------------------------------
// The cases: each returns { log(), flush(), close(), count?() }
const resource = resourceFromAttributes({ 'service.name': 'bench' });

/** The raw SDK: a LoggerProvider with a BatchLogRecordProcessor in front of `exporter`. */
function rawSdkWith(exporter) {
  const provider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: QUEUE })],
  });
  const logger = provider.getLogger('bench');
  return {
    log: () =>
      logger.emit({
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: message,
        attributes,
      }),
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  };
}

async function rawSdk(protocol) {
  const { OTLPLogExporter } =
    protocol === 'json'
      ? await import('@opentelemetry/exporter-logs-otlp-http')
      : await import('@opentelemetry/exporter-logs-otlp-proto');
  return rawSdkWith(new OTLPLogExporter({ url: `${base}/v1/logs` }));
}

/**
 * The raw SDK's emit path alone: the same provider and batch processor, its
 * exporter a no-op (nothing encoded or sent).
 */
function rawSdkNoExport() {
  const subject = rawSdkWith({
    export: (_records, done) => done({ code: 0 }),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  });
  return { ...subject, count: () => Infinity };
}

async function logkit(protocol, sdkExporter = false, noDestination = false) {
  const { registerLogging } = await import('otel-logkit');
  let destinations;
  if (sdkExporter) {
    const { OTLPLogExporter } =
      protocol === 'json'
        ? await import('@opentelemetry/exporter-logs-otlp-http')
        : await import('@opentelemetry/exporter-logs-otlp-proto');
    destinations = { otlp: new OTLPLogExporter({ url: `${base}/v1/logs` }) };
  }
  const handle = registerLogging({
    serviceName: 'bench',
    logsExporter: sdkExporter || noDestination ? 'none' : 'otlp',
    destinations,
    metricsExporter: 'none',
    traces: false,
    endpoint: base,
    protocol: protocol === 'json' ? 'http/json' : 'http/protobuf',
    handleProcessExit: false,
    batch: { maxQueueSize: QUEUE },
  });
  const log = handle.getLogger('bench');
  return {
    log: () => log.info(message, attributes),
    flush: () => handle.forceFlush(),
    close: () => handle.shutdown(),
    // The emit path alone: the default chain with no destination.
    ...(noDestination ? { count: () => Infinity } : {}),
  };
}

/**
 * otel-logkit's embedded default without a collector: the default chain into
 * the `file` destination (OTLP/JSON lines per category file, rotated), for
 * comparison with pino → file. Records are counted by parsing the lines
 * (not timed: see `arrived`).
 */
async function logkitFile() {
  const { registerLogging } = await import('otel-logkit');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-logkit-file-'));
  const handle = registerLogging({
    serviceName: 'bench',
    logsExporter: 'file',
    logDir: dir,
    // No rotation in the run, as pino's file has none (rotating gzips backups).
    maxFileBytes: 2 ** 40,
    metricsExporter: 'none',
    traces: false,
    handleProcessExit: false,
    batch: { maxQueueSize: QUEUE },
    delivery: { spoolDir: path.join(dir, 'spool') },
  });
  const log = handle.getLogger('bench');
  const file = path.join(dir, 'app.jsonl');
  let counted = 0;
  let read = 0;
  return {
    log: () => log.info(message, attributes),
    flush: () => handle.forceFlush(),
    close: async () => {
      await handle.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
    // Only the lines written since the last count are parsed.
    count: () => {
      const text = readFileSync(file, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      for (const line of text.slice(read, end).split('\n')) {
        if (!line) continue;
        for (const rl of JSON.parse(line).resourceLogs) {
          for (const sl of rl.scopeLogs) counted += sl.logRecords.length;
        }
      }
      read = end;
      return counted;
    },
  };
}

async function pinoFile() {
  const { default: pino } = await import('pino');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-pino-'));
  const file = path.join(dir, 'log.jsonl');
  const dest = pino.destination({ dest: file, sync: false, minLength: 4096 });
  const logger = pino(dest);
  return {
    log: () => logger.info(attributes, message),
    flush: () => dest.flushSync(),
    close: () => rmSync(dir, { recursive: true, force: true }),
    count: () => readFileSync(file, 'utf8').split('\n').length - 1,
    reset: () => dest.flushSync(),
  };
}

/** pino's trace context, as @opentelemetry/instrumentation-pino adds it. */
function pinoTraceMixin() {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx
    ? { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: `0${ctx.traceFlags.toString(16)}` }
    : {};
}

async function pinoOtel(protocol) {
  const { default: pino } = await import('pino');
  const transport = pino.transport({
    target: 'pino-opentelemetry-transport',
    options: {
      resourceAttributes: { 'service.name': 'bench' },
      logRecordProcessorOptions: {
        recordProcessorType: 'batch',
        exporterOptions: {
          protocol: protocol === 'json' ? 'http/json' : 'http/protobuf',
          protobufExporterOptions: { url: `${base}/v1/logs` },
          httpExporterOptions: { url: `${base}/v1/logs` },
        },
        processorConfig: { maxQueueSize: QUEUE },
      },
    },
  });
  const logger = pino({ mixin: pinoTraceMixin }, transport);
  return {
    log: () => logger.info(attributes, message),
    flush: () => new Promise((r) => logger.flush(r)),
    close: () => new Promise((r) => (transport.once('close', r), transport.end())),
  };
}

async function winstonOtel(protocol) {
  const { default: winston } = await import('winston');
  const { OpenTelemetryTransportV3 } = await import('@opentelemetry/winston-transport');
  const { logs } = await import('@opentelemetry/api-logs');
  const { OTLPLogExporter } =
    protocol === 'json'
      ? await import('@opentelemetry/exporter-logs-otlp-http')
      : await import('@opentelemetry/exporter-logs-otlp-proto');
  const provider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }),
        maxQueueSize: QUEUE,
      }),
    ],
  });
  logs.setGlobalLoggerProvider(provider);
  const logger = winston.createLogger({ transports: [new OpenTelemetryTransportV3()] });
  return {
    log: () => logger.info(message, attributes),
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  };
}

const CASES = {
  // The harness alone: spans, event-loop turns, no logging.
  baseline: async () => ({
    log: () => {},
    flush: () => {},
    close: () => {},
    count: () => Infinity,
  }),
  'raw-sdk-protobuf': () => rawSdk('protobuf'),
  'raw-sdk-json': () => rawSdk('json'),
  'logkit-protobuf': () => logkit('protobuf'),
  'logkit-json': () => logkit('json'),
  'logkit-protobuf-sdk-encoder': () => logkit('protobuf', true),
  'logkit-json-sdk-encoder': () => logkit('json', true),
  'raw-sdk-no-export': () => rawSdkNoExport(),
  'logkit-no-destination': () => logkit('protobuf', false, true),
  'pino-file': () => pinoFile(),
  'logkit-file': () => logkitFile(),
  'pino-otel-protobuf': () => pinoOtel('protobuf'),
  'winston-otel-protobuf': () => winstonOtel('protobuf'),
};

const subject = await CASES[caseName]();

async function drive(n) {
  for (let done = 0; done < n;) {
    const k = Math.min(CHUNK, n - done);
    tracer.startActiveSpan('request', (span) => {
      for (let i = 0; i < k; i++) subject.log();
      span.end();
    });
    done += k;
    await tick();
  }
  await subject.flush();
}

async function arrived(n) {
  if (subject.count) {
    // A file is delivered once written: flushSync() above wrote every line.
    // Counting (reading the file) is not timed; see the caller.
    if (!counting) return n;
    const deadline = Date.now() + 30_000;
    let c = subject.count();
    while (c < n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      subject.flush();
      c = subject.count();
    }
    return c;
  }
  return delivered(n);
}

let counting = true;
await drive(WARMUP);
const warm = await arrived(WARMUP);
receiver.send({ reset: true });
const fileBase = subject.count ? warm : 0;

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await drive(RECORDS);
counting = false;
let got = (await arrived(fileBase + RECORDS)) - fileBase;
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
if (subject.count) {
  counting = true;
  got = (await arrived(fileBase + RECORDS)) - fileBase;
}

await subject.close();
receiver.send({ stop: true });
console.log(
  JSON.stringify({
    case: caseName,
    records: RECORDS,
    delivered: got,
    warmupDelivered: warm,
    cpuUs: cpu.user + cpu.system,
    wallMs,
  }),
);
process.exit(0);
