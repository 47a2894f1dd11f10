// Zero-loss delivery against the real Collector: an app logs at 1,000 rec/s
// while the Collector is stopped for 30 s (OTLP/HTTP) or 10 s (OTLP/gRPC, its
// otlp receiver's grpc endpoint) and started again; every record must reach
// the Collector's file exporter exactly once.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COLLECTOR_CONFIG as CONFIG,
  IN_CI,
  ROOT,
  buildCollector,
  collectorEnv,
  collectorPrerequisiteMissing,
  startCollector,
  waitFor,
  type Collector,
} from '../helpers/collector.js';

const missing = collectorPrerequisiteMissing();
const OUTAGE_MS = Number(process.env.LOGKIT_E2E_OUTAGE_MS ?? 30_000);
const GRPC_OUTAGE_MS = Number(process.env.LOGKIT_E2E_GRPC_OUTAGE_MS ?? 10_000);
const countFor = (outageMs: number) => Math.round((outageMs + 15_000) / 1000) * 1000;

/** How often each `outage:<n>` body, n < count, is in the Collector's OTLP JSON lines. */
function tally(file: string, count: number): Uint8Array {
  const seen = new Uint8Array(count);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return seen;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    const request = JSON.parse(line) as {
      resourceLogs?: { scopeLogs?: { logRecords?: { body?: { stringValue?: string } }[] }[] }[];
    };
    for (const rl of request.resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? [])
        for (const lr of sl.logRecords ?? []) {
          const body = lr.body?.stringValue ?? '';
          const n = Number(body.slice(7));
          if (body.startsWith('outage:') && n < count) seen[n]!++;
        }
  }
  return seen;
}

describe.skipIf(missing !== undefined && !IN_CI)('delivery through a Collector outage', () => {
  let root: string;
  const running: Collector[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    await buildCollector();
    root = mkdtempSync(path.join(os.tmpdir(), 'logkit-e2e-delivery-'));
  });
  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  async function outage(protocol: 'http/protobuf' | 'grpc', outageMs: number): Promise<void> {
    const COUNT = countFor(outageMs);
    const runDir = mkdtempSync(path.join(root, `${protocol.replace('/', '-')}-`));
    const dataDir = path.join(runDir, 'collector');
    const signals = path.join(runDir, 'signals');
    mkdirSync(signals);
    const env = await collectorEnv(dataDir);
    const override = path.join(runDir, 'override.yaml');
    writeFileSync(
      override,
      [
        'exporters:',
        '  file/test-traces:',
        `    path: ${JSON.stringify(path.join(signals, 'traces.jsonl'))}`,
        '  file/test-metrics:',
        `    path: ${JSON.stringify(path.join(signals, 'metrics.jsonl'))}`,
        'service:',
        '  pipelines:',
        '    logs/elasticsearch:',
        '      exporters: [debug]',
        '    metrics:',
        '      exporters: [file/test-metrics]',
        '    traces:',
        '      exporters: [file/test-traces]',
        '',
      ].join('\n'),
    );
    const start = async () => {
      const collector = await startCollector([CONFIG, override], env, env.LOGKIT_HEALTH_ENDPOINT!);
      running.push(collector);
      return collector;
    };
    const first = await start();
    const app = spawn(process.execPath, [path.join(ROOT, 'test/fixtures/delivery-app.mjs')], {
      cwd: runDir,
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT:
          protocol === 'grpc'
            ? `http://${env.LOGKIT_OTLP_GRPC_ENDPOINT}`
            : `http://${env.LOGKIT_OTLP_HTTP_ENDPOINT}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGKIT_LOG_DIR: path.join(runDir, 'app-logs'),
        COUNT: String(COUNT),
        RATE: '1000',
        TAG: 'outage',
        END: 'shutdown',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    app.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => app.on('exit', resolve));

    await new Promise((r) => setTimeout(r, 5000));
    await first.stop();
    await new Promise((r) => setTimeout(r, outageMs));
    await start();
    expect(await exited, stderr).toBe(0);

    const file = path.join(dataDir, 'logs.jsonl');
    await waitFor(
      `${COUNT} records in the Collector's file`,
      () => (tally(file, COUNT).every((n) => n > 0) ? true : undefined),
      60_000,
    ).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    const seen = tally(file, COUNT);
    const missingRecords = seen.reduce((n, c) => n + (c === 0 ? 1 : 0), 0);
    const duplicated = seen.reduce((n, c) => n + (c > 1 ? 1 : 0), 0);
    expect({ missingRecords, duplicated }).toEqual({ missingRecords: 0, duplicated: 0 });
  }

  it(`should deliver every record once when the Collector is down for ${OUTAGE_MS / 1000} s`, async () => {
    await outage('http/protobuf', OUTAGE_MS);
  }, 180_000);

  it(`should deliver every record once over OTLP/gRPC when the Collector is down for ${GRPC_OUTAGE_MS / 1000} s`, async () => {
    await outage('grpc', GRPC_OUTAGE_MS);
  }, 180_000);
});
