// End-to-end conformance of our OTLP logs encoding (src/exporters/otlp/): the
// real OpenTelemetry Collector (built by scripts/stack/collector.sh) receives
// arbitrary batches from OtlpHttpLogExporter, protobuf and JSON, on a minimal
// pipeline (otlp receiver → file exporter), and what it writes back (OTLP/JSON,
// one request per line) must read, through the official .proto definitions,
// as exactly the request we encoded. Everything listens on free loopback ports.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLogsProtobuf } from '../../src/exporters/otlp/encodeLogsProtobuf.js';
import { OtlpHttpLogExporter } from '../../src/exporters/otlp/OtlpHttpLogExporter.js';
import {
  buildCollector,
  collectorPrerequisiteMissing,
  freePort,
  IN_CI,
  startCollector,
  waitFor,
  type Collector,
} from '../helpers/collector.js';
import { batches, decode, decodeOtlpJson } from '../helpers/otlpLogsConformance.js';

const missing = collectorPrerequisiteMissing();
if (missing && !IN_CI) console.warn(`[e2e] skipping the OTLP encoding tests: ${missing}`);

/**
 * The Collector's data model (pdata) has no presence for a LogRecord body: an
 * absent body and an empty AnyValue are the same value, which its file
 * exporter writes as `"body":{}`. So both sides drop empty bodies before the
 * comparison (the unit tests compare our bytes with the SDK's exactly).
 */
function withoutEmptyBodies(request: unknown): unknown {
  type Tree = {
    resourceLogs?: Array<{ scopeLogs?: Array<{ logRecords?: Array<{ body?: object }> }> }>;
  };
  for (const rl of (request as Tree).resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        if (r.body !== undefined && Object.keys(r.body).length === 0) delete r.body;
      }
    }
  }
  return request;
}

describe.skipIf(Boolean(missing) && !IN_CI)('our OTLP logs encoding through the Collector', () => {
  let collector: Collector | undefined;
  let root = '';
  let outFile = '';
  let url = '';

  beforeAll(async () => {
    if (missing) throw new Error(`[e2e] required in CI: ${missing}`);
    await buildCollector();
    root = mkdtempSync(path.join(os.tmpdir(), 'logkit-e2e-encoding-'));
    outFile = path.join(root, 'logs.jsonl');
    const [otlpPort, healthPort] = [await freePort(), await freePort()];
    const config = path.join(root, 'collector.yaml');
    writeFileSync(
      config,
      [
        'receivers:',
        '  otlp:',
        '    protocols:',
        '      http:',
        `        endpoint: 127.0.0.1:${otlpPort}`,
        'exporters:',
        '  file:',
        `    path: ${JSON.stringify(outFile)}`,
        '    flush_interval: 100ms',
        'extensions:',
        '  health_check:',
        `    endpoint: 127.0.0.1:${healthPort}`,
        'service:',
        '  extensions: [health_check]',
        '  telemetry:',
        '    metrics:',
        '      level: none',
        '  pipelines:',
        '    logs:',
        '      receivers: [otlp]',
        '      exporters: [file]',
        '',
      ].join('\n'),
    );
    collector = await startCollector([config], {}, `127.0.0.1:${healthPort}`);
    url = `http://127.0.0.1:${otlpPort}/v1/logs`;
  });

  afterAll(async () => {
    await collector?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function lines(): string[] {
    if (!existsSync(outFile)) return [];
    const text = readFileSync(outFile, 'utf8');
    // Only complete lines: the file exporter may be half-way through one.
    return text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean);
  }

  // Deterministic arbitrary batches (fixed seed), non-empty.
  const samples = fc.sample(
    batches.filter((b) => b.length > 0),
    { numRuns: 40, seed: 1313 },
  );

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`should decode every ${encoding} request to exactly what we encoded`, async () => {
      const exporter = new OtlpHttpLogExporter({ url, compression: 'gzip' as never }, encoding);
      for (const batch of samples) {
        const before = lines().length;
        const result = await new Promise<ExportResult>((resolve) =>
          exporter.export(batch, resolve),
        );
        expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
        const written = await waitFor(
          'the Collector to write the request',
          () => (lines().length > before ? lines() : undefined),
          15_000,
        );
        expect(written).toHaveLength(before + 1);
        expect(withoutEmptyBodies(decodeOtlpJson(written.at(-1)!))).toEqual(
          withoutEmptyBodies(decode(encodeLogsProtobuf(batch))),
        );
      }
      await exporter.shutdown();
    });
  }
});
