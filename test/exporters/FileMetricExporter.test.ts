import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { FileMetricExporter, METRICS_FILE } from '../../src/exporters/FileMetricExporter.js';
import { exportAsync, useExporterTestEnv } from './support.js';

const env = useExporterTestEnv('logkit-metrics-');

/** Real ResourceMetrics collected by the SDK, one per collection. */
async function collectMetrics(count: number): Promise<ResourceMetrics[]> {
  const memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: memory,
    exportIntervalMillis: 60_000,
  });
  const provider = new MeterProvider({ readers: [reader] });
  const counter = provider.getMeter('test-meter').createCounter('requests', { unit: '{request}' });
  for (let i = 0; i < count; i++) {
    counter.add(i + 1, { route: '/a' });
    await provider.forceFlush();
  }
  // Copied: the provider's shutdown below collects (and exports) once more.
  const metrics = [...memory.getMetrics()];
  await provider.shutdown();
  return metrics;
}

interface OtlpRequest {
  resourceMetrics: {
    scopeMetrics: {
      scope: { name: string };
      metrics: { name: string; sum?: { aggregationTemporality: number; dataPoints: unknown[] } }[];
    }[];
  }[];
}

function readRequests(text: string): OtlpRequest[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as OtlpRequest);
}

/** The cumulative value of `requests` in each line. */
function requestCounts(requests: OtlpRequest[]): unknown[] {
  return requests.map((request) => {
    const metric = request.resourceMetrics[0]!.scopeMetrics[0]!.metrics.find(
      (m) => m.name === 'requests',
    );
    return (metric!.sum!.dataPoints[0] as { asDouble?: number; asInt?: number }).asDouble;
  });
}

describe('FileMetricExporter', () => {
  it('asks for cumulative temporality for every instrument', () => {
    const exporter = new FileMetricExporter({ dir: env.tmp });
    for (const type of Object.values(InstrumentType)) {
      expect(exporter.selectAggregationTemporality(type)).toBe(AggregationTemporality.CUMULATIVE);
    }
    expect(exporter.dir).toBe(env.tmp);
  });

  it('writes one OTLP JSON line per export to metrics.jsonl', async () => {
    const dir = join(env.tmp, 'out');
    const exporter = new FileMetricExporter({ dir });
    const collected = await collectMetrics(3);
    for (const metrics of collected) {
      expect(await exportAsync(exporter, metrics)).toEqual({ code: ExportResultCode.SUCCESS });
    }
    await exporter.shutdown();

    expect(readdirSync(dir)).toEqual([METRICS_FILE]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, METRICS_FILE)).mode & 0o777).toBe(0o600);
    const requests = readRequests(readFileSync(join(dir, METRICS_FILE), 'utf8'));
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      const scope = request.resourceMetrics[0]!.scopeMetrics[0]!;
      expect(scope.scope.name).toBe('test-meter');
      // OTLP's AGGREGATION_TEMPORALITY_CUMULATIVE.
      expect(scope.metrics[0]!.sum!.aggregationTemporality).toBe(2);
    }
    expect(requestCounts(requests)).toEqual([1, 3, 6]);
  });

  it('works behind a PeriodicExportingMetricReader: shutdown leaves the last collection on disk', async () => {
    const exporter = new FileMetricExporter({ dir: env.tmp });
    const provider = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
    });
    provider.getMeter('test-meter').createCounter('requests').add(7);
    await provider.shutdown();
    const requests = readRequests(readFileSync(join(env.tmp, METRICS_FILE), 'utf8'));
    expect(requestCounts(requests).at(-1)).toBe(7);
  });

  it('has everything exported before shutdown() resolves on disk', async () => {
    const exporter = new FileMetricExporter({ dir: env.tmp });
    const results: ExportResult[] = [];
    for (const metrics of await collectMetrics(4)) {
      exporter.export(metrics, (result) => results.push(result));
    }
    await exporter.shutdown();
    expect(results.map((r) => r.code)).toEqual(Array(4).fill(ExportResultCode.SUCCESS));
    expect(requestCounts(readRequests(readFileSync(join(env.tmp, METRICS_FILE), 'utf8')))).toEqual([
      1, 3, 6, 10,
    ]);
  });

  it('rotates metrics.jsonl into gzip backups', async () => {
    const exporter = new FileMetricExporter({ dir: env.tmp, maxFileBytes: 1, maxBackups: 2 });
    for (const metrics of await collectMetrics(4)) {
      expect((await exportAsync(exporter, metrics)).code).toBe(ExportResultCode.SUCCESS);
    }
    await exporter.shutdown();
    expect(readdirSync(env.tmp).sort()).toEqual([
      METRICS_FILE,
      `${METRICS_FILE}.1.gz`,
      `${METRICS_FILE}.2.gz`,
    ]);
    const read = (name: string) =>
      readRequests(gunzipSync(readFileSync(join(env.tmp, name))).toString());
    // One line per file; the first export was dropped with the oldest backup.
    expect(requestCounts(read(`${METRICS_FILE}.2.gz`))).toEqual([3]);
    expect(requestCounts(read(`${METRICS_FILE}.1.gz`))).toEqual([6]);
    expect(requestCounts(readRequests(readFileSync(join(env.tmp, METRICS_FILE), 'utf8')))).toEqual([
      10,
    ]);
  });

  it('returns FAILED on a write error, never throws, and reports through diag once', async () => {
    const blocker = join(env.tmp, 'a-file');
    writeFileSync(blocker, '');
    const exporter = new FileMetricExporter({ dir: join(blocker, 'metrics') });
    const [metrics] = await collectMetrics(1);
    const results: ExportResult[] = [];
    for (let i = 0; i < 3; i++) {
      expect(() => exporter.export(metrics!, (result) => results.push(result))).not.toThrow();
    }
    await exporter.forceFlush();
    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error).toBeInstanceOf(Error);
    }
    expect(env.diagErrors).toHaveLength(1);
    expect(String(env.diagErrors[0]![0])).toContain('otel-logkit');
    await expect(exporter.shutdown()).resolves.toBeUndefined();
  });

  it('returns FAILED for metrics that cannot be serialized, without throwing', async () => {
    const exporter = new FileMetricExporter({ dir: env.tmp });
    const bad = { resource: null, scopeMetrics: null } as unknown as ResourceMetrics;
    const result = await exportAsync(exporter, bad);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(env.diagErrors).toHaveLength(1);
    await exporter.shutdown();
    expect(existsSync(join(env.tmp, METRICS_FILE))).toBe(false);
  });

  it('returns FAILED after shutdown without writing; shutdown is idempotent', async () => {
    const dir = join(env.tmp, 'never');
    const exporter = new FileMetricExporter({ dir });
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
    const [metrics] = await collectMetrics(1);
    const result = await exportAsync(exporter, metrics!);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(existsSync(dir)).toBe(false);
  });
});
