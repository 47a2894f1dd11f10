// One library under test, in its own process, for delivery.bench.mjs.
//   LIB    logkit | sdk | sdk-large | pino | winston
//          (pino: pino-opentelemetry-transport; winston:
//          @opentelemetry/winston-transport; both with the SDK's defaults
//          behind them: BatchLogRecordProcessor + OTLP/protobuf exporter)
//   COUNT  records; RATE records/s (0: one synchronous burst)
//   TAG    body prefix; ENDPOINT the receiver's base URL
// Prints one JSON line: peak RSS, CPU time and wall time from the first
// record to the end of shutdown.
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { SeverityNumber } from '@opentelemetry/api';
import { registerLogging } from 'otel-logkit';

const { LIB, TAG = 't', ENDPOINT } = process.env;
const count = Number(process.env.COUNT ?? 0);
const rate = Number(process.env.RATE ?? 0);

let emit;
let shutdown;
if (LIB === 'logkit') {
  const handle = registerLogging({
    serviceName: 'bench',
    endpoint: ENDPOINT,
    logsExporter: 'otlp',
    metricsExporter: 'none',
    handleProcessExit: false,
  });
  const log = handle.getLogger('bench');
  emit = (i) => log.info(`${TAG}:${i}`);
  shutdown = () => handle.shutdown();
} else if (LIB === 'pino') {
  const { default: pino } = await import('pino');
  const transport = pino.transport({
    target: 'pino-opentelemetry-transport',
    options: {
      resourceAttributes: { 'service.name': 'bench' },
      logRecordProcessorOptions: {
        recordProcessorType: 'batch',
        exporterOptions: {
          protocol: 'http/protobuf',
          protobufExporterOptions: { url: `${ENDPOINT}/v1/logs` },
        },
      },
    },
  });
  const logger = pino(transport);
  emit = (i) => logger.info(`${TAG}:${i}`);
  // Ending the stream shuts the transport's LoggerProvider down in its worker
  // (a flush of what its batch processor still holds). The worker is
  // unref()ed: a timer keeps this process up until it has closed.
  // thread-stream gives up on end() after 10 s (an 'error', then the worker
  // is terminated): the benchmark counts what arrived by then.
  shutdown = () =>
    new Promise((done) => {
      const keep = setInterval(() => {}, 1000);
      const finish = () => (clearInterval(keep), done());
      transport.once('close', finish);
      transport.once('error', (error) => {
        process.stderr.write(`pino transport: ${error.message}\n`);
        finish();
      });
      transport.end();
    });
} else if (LIB === 'winston') {
  const { default: winston } = await import('winston');
  const { OpenTelemetryTransportV3 } = await import('@opentelemetry/winston-transport');
  const { logs } = await import('@opentelemetry/api-logs');
  const provider = new LoggerProvider({
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${ENDPOINT}/v1/logs` }),
      }),
    ],
  });
  logs.setGlobalLoggerProvider(provider);
  const logger = winston.createLogger({ transports: [new OpenTelemetryTransportV3()] });
  emit = (i) => logger.info(`${TAG}:${i}`);
  shutdown = async () => {
    // winston hands records to its transports asynchronously (streams): let
    // them drain before flushing the provider.
    await new Promise((done) => (logger.once('finish', done), logger.end()));
    await provider.forceFlush().catch(() => {});
    await provider.shutdown().catch(() => {});
  };
} else {
  const exporter = new OTLPLogExporter({ url: `${ENDPOINT}/v1/logs` });
  const large = LIB === 'sdk-large' ? { maxQueueSize: 1_000_000, maxExportBatchSize: 512 } : {};
  const provider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter, ...large })],
  });
  const logger = provider.getLogger('bench');
  emit = (i) =>
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `${TAG}:${i}` });
  // The SDK's flush rejects with a TimeoutError when its export takes too
  // long; the benchmark counts what arrived either way.
  shutdown = async () => {
    await provider.forceFlush().catch(() => {});
    await provider.shutdown().catch(() => {});
  };
}

const cpu0 = process.cpuUsage();
const t0 = Date.now();
if (rate === 0) {
  for (let i = 0; i < count; i++) emit(i);
} else {
  let logged = 0;
  await new Promise((done) => {
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((Date.now() - t0) * rate) / 1000));
      for (; logged < due; logged++) emit(logged);
      if (logged >= count) {
        clearInterval(timer);
        done();
      }
    }, 10);
  });
}
await shutdown();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, cpuUs: cpu.user + cpu.system, wallMs: Date.now() - t0 })}\n`,
);
