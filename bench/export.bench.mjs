// CPU per record from the log call through OTLP/HTTP export to a loopback
// receiver, every record delivered, in one run, for:
// - the raw OTel SDK (LoggerProvider + BatchLogRecordProcessor + OTLPLogExporter),
//   protobuf and JSON;
// - otel-logkit, default chain (enrich, redact, limit, sample, route), with its
//   own OTLP encoding (src/exporters/otlp/), protobuf and JSON; and once more
//   with the SDK's protobuf OTLPLogExporter as its destination, so the
//   difference is what our encoding saves inside the same pipeline;
// - pino writing JSON lines to a file (no OTLP at all, for reference), and
//   otel-logkit's embedded default, its `file` destination (OTLP/JSON lines);
// - pino with pino-opentelemetry-transport (its worker thread counts: the
//   CPU time is the whole process's);
// - winston with @opentelemetry/winston-transport into the raw SDK pipeline;
// - the emit paths alone, nothing exported: the raw SDK with a no-op exporter
//   behind its batch processor, and otel-logkit's default chain with no
//   destination. End to end minus these is what each export path costs,
//   printed below the table.
// Each case runs in a fresh process (bench/export/case.mjs) with its own
// receiver process (bench/export/receiver.mjs, not counted), which decodes
// every request and counts the records: a case that loses one says so.
// The record: a 100-character message and 5 attributes (one a nested object),
// emitted inside an active span, as in bench/pipeline.bench.mjs.
// ROUNDS rounds (default 3), the median per case; figures vary with the
// machine and its load: read the ratios.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS ?? 3);
const caseScript = fileURLToPath(new URL('./export/case.mjs', import.meta.url));
const cases = [
  ['raw-sdk-protobuf', 'raw OTel SDK, protobuf', 'raw-sdk-protobuf'],
  ['logkit-protobuf', 'otel-logkit, default chain, protobuf (own encoding)', 'raw-sdk-protobuf'],
  [
    'logkit-protobuf-sdk-encoder',
    'otel-logkit, default chain, protobuf (SDK exporter)',
    'raw-sdk-protobuf',
  ],
  ['pino-file', 'pino → file (no OTLP)', 'raw-sdk-protobuf'],
  [
    'logkit-file',
    'otel-logkit, default chain → file destination (OTLP/JSON lines, no collector)',
    'raw-sdk-protobuf',
  ],
  ['pino-otel-protobuf', 'pino + pino-opentelemetry-transport, protobuf', 'raw-sdk-protobuf'],
  ['winston-otel-protobuf', 'winston + OTel transport, protobuf', 'raw-sdk-protobuf'],
  ['raw-sdk-json', 'raw OTel SDK, JSON', 'raw-sdk-json'],
  ['logkit-json', 'otel-logkit, default chain, JSON (own encoding)', 'raw-sdk-json'],
  ['logkit-json-sdk-encoder', 'otel-logkit, default chain, JSON (SDK exporter)', 'raw-sdk-json'],
  // The emit paths alone, nothing exported: what the export path adds is the
  // difference (printed below the table).
  ['raw-sdk-no-export', 'raw OTel SDK, no-op exporter (emit path alone)', 'raw-sdk-no-export'],
  [
    'logkit-no-destination',
    'otel-logkit, default chain, no destination (emit path alone)',
    'raw-sdk-no-export',
  ],
];
/** Cases that export nothing: no delivery to check. */
const NOTHING_DELIVERED = new Set(['raw-sdk-no-export', 'logkit-no-destination']);

const runs = new Map(cases.map(([id]) => [id, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [id] of cases) {
    const out = execFileSync(process.execPath, [caseScript, id], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, OTEL_SDK_DISABLED: undefined },
    });
    const result = JSON.parse(out.trim().split('\n').at(-1));
    runs.get(id).push(result);
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const usPerRecord = new Map(
  [...runs].map(([id, rs]) => [id, median(rs.map((r) => r.cpuUs / r.records))]),
);
const rows = cases.map(([id, name, baseline]) => {
  const rs = runs.get(id);
  const lost = rs.reduce((n, r) => n + (r.records - r.delivered), 0);
  return {
    logger: name,
    'µs CPU/record': usPerRecord.get(id).toFixed(2),
    'vs raw SDK': (usPerRecord.get(id) / usPerRecord.get(baseline)).toFixed(2),
    delivered: NOTHING_DELIVERED.has(id) ? 'n/a' : lost === 0 ? 'all' : `LOST ${lost}`,
  };
});
console.table(rows);
// The export path alone: end to end minus the emit path alone, same run.
const exportPath = (total, emitOnly) => usPerRecord.get(total) - usPerRecord.get(emitOnly);
const rawExport = exportPath('raw-sdk-protobuf', 'raw-sdk-no-export');
const ourExport = exportPath('logkit-protobuf', 'logkit-no-destination');
const rawJsonExport = exportPath('raw-sdk-json', 'raw-sdk-no-export');
const ourJsonExport = exportPath('logkit-json', 'logkit-no-destination');
console.log(
  `export path alone (end to end minus the emit path alone): protobuf raw SDK ${rawExport.toFixed(2)} µs,` +
    ` otel-logkit ${ourExport.toFixed(2)} µs (${(ourExport / rawExport).toFixed(2)}x);` +
    ` JSON ${rawJsonExport.toFixed(2)} µs against ${ourJsonExport.toFixed(2)} µs (${(ourJsonExport / rawJsonExport).toFixed(2)}x)`,
);
const records = runs.get('raw-sdk-protobuf')[0].records;
console.log(
  `node ${process.version}; ${records} records per case after a warm-up, median of ${ROUNDS} rounds;` +
    ' "vs raw SDK" compares with the raw SDK of the same encoding (target ≤ 0.60)',
);
if (rows.some((r) => r.delivered.startsWith('LOST'))) process.exitCode = 1;
