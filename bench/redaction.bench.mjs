// Micro-benchmark of the redaction step alone, on a typical record: a
// 100-character message and 5 attributes, one of them a nested object.
//
//   node bench/redaction.bench.mjs
//
// It bundles src/processors/redaction with esbuild (a dependency of tsup) so
// it runs on the TypeScript sources without a build. Each tinybench sample
// runs the step on the same record BATCH times, so timer overhead does not
// swamp a sub-microsecond figure; a clean record is never written to, so
// reusing it is what the emit path sees. `emit` rows run the whole SDK emit
// path (a new record each time) with and without the step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { build } from 'esbuild';
import { Bench } from 'tinybench';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'logkit-redaction-bench-'));
const outfile = join(dir, 'redaction.mjs');
await build({
  entryPoints: [join(root, 'src/processors/redaction/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
const { createRedactionStep } = await import(pathToFileURL(outfile).href);
rmSync(dir, { recursive: true, force: true });

const BATCH = 1000;
const message =
  'Order 84213 checked out by customer 5521 in 182 ms; 3 items shipped to the Lisbon warehouse today';
const attributes = {
  'http.request.method': 'POST',
  'http.route': '/api/v1/orders/{id}/checkout',
  'user.id': 'u_5521',
  'http.response.status_code': 201,
  order: { id: 'ord_84213', items: 3, total: 129.9, currency: 'EUR', express: false },
};
const secretMessage =
  'retry with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXZhbHVl';
const secretAttributes = { ...attributes, password: 'hunter2', card: '4111 1111 1111 1111' };

class Capture {
  record = undefined;
  onEmit(record) {
    this.record = record;
  }
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

function recordOf(body, attrs) {
  const capture = new Capture();
  const provider = new LoggerProvider({ processors: [capture] });
  provider
    .getLogger('bench')
    .emit({ severityNumber: SeverityNumber.INFO, body, attributes: attrs });
  return capture.record;
}

class StepProcessor {
  constructor(step) {
    this.step = step;
  }
  onEmit(record, context) {
    this.step.process(record, context);
  }
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

const step = createRedactionStep(undefined);
const clean = recordOf(message, attributes);
const noop = {
  onEmit() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const plain = new LoggerProvider({ processors: [noop] }).getLogger('bench');
const redacting = new LoggerProvider({ processors: [new StepProcessor(step)] }).getLogger('bench');
const emitClean = () => ({ severityNumber: SeverityNumber.INFO, body: message, attributes });

const time = Number(process.env.BENCH_TIME_MS ?? 1000);
const bench = new Bench({ time, warmupTime: Math.min(time, 300) });
bench.add(`step.process, record without secrets (x${BATCH})`, () => {
  for (let i = 0; i < BATCH; i++) step.process(clean, ROOT_CONTEXT);
});
bench.add(`emit without the step (x${BATCH})`, () => {
  for (let i = 0; i < BATCH; i++) plain.emit(emitClean());
});
bench.add(`emit with the step (x${BATCH})`, () => {
  for (let i = 0; i < BATCH; i++) redacting.emit(emitClean());
});
bench.add(`emit with the step, record with 3 secrets (x${BATCH})`, () => {
  for (let i = 0; i < BATCH; i++) {
    redacting.emit({
      severityNumber: SeverityNumber.INFO,
      body: secretMessage,
      attributes: secretAttributes,
    });
  }
});
await bench.run();

console.table(
  bench.tasks.map((task) => ({
    task: task.name,
    'ns/record': Math.round((task.result.latency.mean * 1e6) / BATCH),
    'rme %': task.result.latency.rme.toFixed(1),
  })),
);
console.log(`node ${process.version}; ${time} ms per task; message ${message.length} chars`);
