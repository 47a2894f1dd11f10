// The emit path of otel-logkit against the raw OTel Logs SDK and pino, in one
// run. Each logger hands records to a sink that does no I/O, so what is timed
// is the logging library's own work per call:
// - raw OTel SDK: logger.emit() into a LoggerProvider with a no-op processor;
// - otel-logkit: log.info() into the same kind of provider, via registerLogging;
// - pino: log.info() serialising to a destination that discards the line.
// `npm run bench` builds first; figures vary with the machine: compare ratios.
import { Writable } from 'node:stream';
import { SeverityNumber } from '@opentelemetry/api';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import pino from 'pino';
import { Bench } from 'tinybench';
import { registerLogging } from 'otel-logkit';

class NoopProcessor {
  emitted = 0;
  onEmit() {
    this.emitted++;
  }
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

const attributes = {
  'user.id': 'u-17',
  'http.response.status_code': 200,
  duration_ms: 12.5,
  cached: false,
};
const nested = {
  request: { id: 'r-9', path: '/checkout', headers: { accept: 'json' } },
  items: [1, 2, 3],
};

// The raw SDK's own level filter, as otel-logkit's (sdk-logs 3.x LoggerConfig:
// `enabled`; a config without it disables the logger, which made the raw SDK
// rows time a no-op before this was noticed).
const rawProcessor = new NoopProcessor();
const rawProvider = new LoggerProvider({
  processors: [rawProcessor],
  loggerConfigurator: () => ({
    enabled: true,
    minimumSeverity: SeverityNumber.INFO,
    traceBased: false,
  }),
});
const raw = rawProvider.getLogger('bench');

const kitProcessor = new NoopProcessor();
const handle = registerLogging({
  serviceName: 'bench',
  logsExporter: 'none',
  handleProcessExit: false,
  level: 'info',
  logRecordProcessors: [kitProcessor],
});
const kit = handle.getLogger('bench');

const sink = new Writable({
  write(_chunk, _encoding, callback) {
    callback();
  },
});
const pinoLogger = pino({ level: 'info' }, sink);

const DISABLED_CALLS = 1000;
const callsPerTask = { 'debug, level disabled': DISABLED_CALLS };

const cases = {
  'info, flat attributes': {
    'raw OTel SDK': () =>
      raw.emit({
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: 'request done',
        attributes,
      }),
    'otel-logkit': () => kit.info('request done', attributes),
    pino: () => pinoLogger.info(attributes, 'request done'),
  },
  'info, nested attributes': {
    'raw OTel SDK': () =>
      raw.emit({
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: 'request done',
        attributes: nested,
      }),
    'otel-logkit': () => kit.info('request done', nested),
    pino: () => pinoLogger.info(nested, 'request done'),
  },
  // A disabled call costs less than tinybench's own per-task overhead (an
  // empty task measures ~35 ns on Node 24), which the one-call-per-task cases
  // above include; so here each task makes DISABLED_CALLS calls and the table
  // divides (one call per task read 39 ns, the harness's cost, not ours).
  'debug, level disabled': {
    'raw OTel SDK': () => {
      for (let i = 0; i < DISABLED_CALLS; i++) {
        raw.emit({
          severityNumber: SeverityNumber.DEBUG,
          severityText: 'DEBUG',
          body: 'noise',
          attributes,
        });
      }
    },
    'otel-logkit': () => {
      for (let i = 0; i < DISABLED_CALLS; i++) kit.debug('noise', attributes);
    },
    pino: () => {
      for (let i = 0; i < DISABLED_CALLS; i++) pinoLogger.debug(attributes, 'noise');
    },
  },
};

const time = Number(process.env.BENCH_TIME_MS ?? 1000);
const rows = [];
for (const [caseName, contenders] of Object.entries(cases)) {
  const bench = new Bench({ time, warmupTime: Math.min(time, 300) });
  for (const [name, fn] of Object.entries(contenders)) bench.add(name, fn);
  await bench.run();
  const hz = Object.fromEntries(bench.tasks.map((t) => [t.name, t.result.throughput.mean]));
  for (const task of bench.tasks) {
    rows.push({
      case: caseName,
      logger: task.name,
      'ops/s': Math.round(hz[task.name]).toLocaleString('en-US'),
      'ns/op': Number((1e9 / hz[task.name] / (callsPerTask[caseName] ?? 1)).toFixed(1)),
      'vs raw SDK': (hz[task.name] / hz['raw OTel SDK']).toFixed(2),
      'vs pino': (hz[task.name] / hz.pino).toFixed(2),
    });
  }
}
// Both loggers must have handed records on, or a row timed a no-op.
if (rawProcessor.emitted === 0 || kitProcessor.emitted === 0) {
  throw new Error(
    `a logger emitted nothing (raw SDK ${rawProcessor.emitted}, otel-logkit ${kitProcessor.emitted}): its row timed a no-op`,
  );
}
console.table(rows);
console.log(
  `node ${process.version}; ${time} ms per task; ratios are throughput (higher is faster)`,
);
await handle.shutdown();
