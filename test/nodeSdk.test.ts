import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlpReceiver.js';
import { runProcess } from './helpers/runProcess.js';

// An app run with a real NodeSDK 3.x loaded by `node --import` before the app
// (test/fixtures/nodeSdk), using the BUILT package: the README's recipe, where
// the NodeSDK's LoggerProvider gets handle.logRecordProcessor. Records of the
// stable Logs API, of the older @opentelemetry/api-logs global, of OTel's
// pino and winston instrumentations and of otel-logkit's own logger all go
// through the pipeline (the password attribute is redacted) and carry the
// span's ids.
const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURE = path.join(ROOT, 'test/fixtures/nodeSdk');
const BODIES = [
  'from the Logs API',
  'from api-logs',
  'from pino',
  'from winston',
  'from otel-logkit',
];

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

async function runApp(registerGlobals: boolean): Promise<{ traceId: string; spanId: string }> {
  receiver.clear();
  const run = await runProcess(
    process.execPath,
    ['--import', path.join(FIXTURE, 'telemetry.mjs'), path.join(FIXTURE, 'app.mjs')],
    {
      cwd: ROOT,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_METRICS_EXPORTER: 'none',
        // The NodeSDK's diag logger prints to stderr from info up.
        OTEL_LOG_LEVEL: 'info',
        LOGKIT_TEST_GLOBAL: String(registerGlobals),
      },
      timeoutMs: 30_000,
    },
  );
  expect(run.code, run.stderr).toBe(0);
  // With the recipe (registerGlobals: false) nothing is registered twice.
  if (!registerGlobals) expect(run.stderr).not.toMatch(/error|duplicate registration/i);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
    traceId: string;
    spanId: string;
  };
}

describe('the NodeSDK recipe (handle.logRecordProcessor in logRecordProcessors)', () => {
  // registerGlobals true: otel-logkit's providers were registered first and
  // the NodeSDK's LoggerProvider is refused (a diag error); records reach the
  // pipeline all the same.
  for (const registerGlobals of [false, true]) {
    it(`should put every door's records through the pipeline with the span's ids (registerGlobals: ${registerGlobals})`, async () => {
      const ids = await runApp(registerGlobals);
      await receiver.waitFor(() => BODIES.every((b) => receiver.logs.some((r) => r.body === b)));
      for (const body of BODIES) {
        const records = receiver.logs.filter((r) => r.body === body);
        expect(records, body).toHaveLength(1);
        const [record] = records;
        expect(record?.traceId, body).toBe(ids.traceId);
        expect(record?.spanId, body).toBe(ids.spanId);
        expect(JSON.stringify(record?.attributes), body).not.toContain('hunter2');
        expect(record?.resource['service.name'], body).toBe('nodesdk-app');
      }
      await receiver.waitFor(() => receiver.spans.some((s) => s.traceId === ids.traceId));
      // The span went through handle.spanProcessor, first in the NodeSDK's spanProcessors.
      const span = receiver.spans.find((s) => s.traceId === ids.traceId);
      expect(JSON.stringify(span)).toContain('[REDACTED]');
      expect(JSON.stringify(span)).not.toContain('hunter2');
    });
  }
});
