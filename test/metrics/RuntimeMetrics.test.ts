import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCategoryHelpers } from '../../src/categories/index.js';
import type { LoggingOptions } from '../../src/index.js';
import { useCaptureLogs } from '../helpers/useCaptureLogs.js';

let metricExporter: InMemoryMetricExporter;

function register(options: LoggingOptions = {}, env?: Record<string, string>): void {
  for (const [k, v] of Object.entries(env ?? {})) vi.stubEnv(k, v);
  metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  capture.register({
    serviceName: 'runtime-metrics-test',
    registerGlobals: false,
    metricReaders: [
      new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 }),
    ],
    ...options,
  });
}

/** Every exported metric of the last collection, by name. */
async function exported(): Promise<Map<string, MetricData>> {
  await capture.handle!.forceFlush();
  const last = metricExporter.getMetrics().at(-1);
  const byName = new Map<string, MetricData>();
  for (const scope of last?.scopeMetrics ?? []) {
    for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
  }
  return byName;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

// Registered after the hook above, so its afterEach (the shutdown) runs first.
const capture = useCaptureLogs();

/** Semconv names and units (semconv registry: nodejs, v8js and process metrics). */
const EXPECTED_UNITS: Record<string, string> = {
  'nodejs.eventloop.delay.min': 's',
  'nodejs.eventloop.delay.max': 's',
  'nodejs.eventloop.delay.mean': 's',
  'nodejs.eventloop.delay.stddev': 's',
  'nodejs.eventloop.delay.p50': 's',
  'nodejs.eventloop.delay.p90': 's',
  'nodejs.eventloop.delay.p99': 's',
  'nodejs.eventloop.utilization': '1',
  'nodejs.eventloop.time': 's',
  'v8js.memory.heap.used': 'By',
  'v8js.memory.heap.space.available_size': 'By',
  'v8js.memory.heap.space.physical_size': 'By',
  'process.cpu.time': 's',
  'process.cpu.utilization': '1',
  'process.memory.usage': 'By',
};

describe('runtime metrics', () => {
  it('should export the event loop, heap, GC and process metrics under semconv names and units', async () => {
    register();
    // A full GC, so v8js.gc.duration has a point.
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    // The event loop delay is reported once its histogram has 5 samples, taken
    // every 10 ms (the instrumentation's monitoringPrecision): on a loaded
    // machine that takes longer, so collect until it is there (or 10 s passed).
    let metrics = await exported();
    const ready = () =>
      metrics.has('nodejs.eventloop.delay.min') && metrics.has('v8js.gc.duration');
    for (let i = 0; i < 100 && !ready(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await exported();
    }
    expect(metrics.get('v8js.gc.duration')?.descriptor.unit).toBe('s');
    for (const [name, unit] of Object.entries(EXPECTED_UNITS)) {
      expect(metrics.get(name)?.descriptor.unit, name).toBe(unit);
    }
    // Only semconv namespaces (and otel-logkit's own log metrics).
    for (const name of metrics.keys()) {
      expect(name).toMatch(/^(nodejs|v8js|process)\.|^log\.record\.count$|^logkit\./);
    }
    const rss = metrics.get('process.memory.usage')!.dataPoints[0]!.value as number;
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    const modes = metrics
      .get('process.cpu.time')!
      .dataPoints.map((p) => p.attributes['cpu.mode'])
      .sort();
    expect(modes).toEqual(['system', 'user']);
    expect(
      metrics.get('process.cpu.time')!.dataPoints.some((p) => 'process.cpu.state' in p.attributes),
    ).toBe(false);
  });

  it('should record nothing of the runtime with runtimeMetrics: false', async () => {
    register({ runtimeMetrics: false });
    capture.handle!.getLogger('a').info('x');
    const names = [...(await exported()).keys()];
    expect(names).toContain('log.record.count');
    expect(names.filter((n) => /^(nodejs|v8js|process)\./.test(n))).toEqual([]);
  });

  it('should record nothing of the runtime with OTEL_LOGKIT_RUNTIME_METRICS=false', async () => {
    register({}, { OTEL_LOGKIT_RUNTIME_METRICS: 'false' });
    capture.handle!.getLogger('a').info('x');
    const names = [...(await exported()).keys()];
    expect(names.filter((n) => /^(nodejs|v8js|process)\./.test(n))).toEqual([]);
  });

  it('should reject an OTEL_LOGKIT_RUNTIME_METRICS that is not a boolean, naming it', () => {
    vi.stubEnv('OTEL_LOGKIT_RUNTIME_METRICS', 'sometimes');
    expect(() => register()).toThrow(/OTEL_LOGKIT_RUNTIME_METRICS/);
  });

  it("should give the performance helper's memory_mb from the same reading as process.memory.usage", async () => {
    register();
    const rss = 300 * 1024 * 1024;
    vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(rss);
    const metrics = await exported();
    expect(metrics.get('process.memory.usage')!.dataPoints[0]!.value).toBe(rss);
    createCategoryHelpers(capture.handle).performance.measure('op', () => 1);
    await capture.handle!.forceFlush();
    const record = (await capture.records()).find(
      (r) => r.attributes['logkit.operation.name'] === 'op',
    );
    expect(record?.attributes['logkit.performance.memory_mb']).toBe(300);
  });

  it('should give cpu_percent as process.cpu.utilization does: CPU time over wall time and CPUs', async () => {
    register();
    const { cpus } = await import('node:os');
    const cpuCount = cpus().length;
    const wallMs = 200;
    // 0.1 s of CPU over 0.2 s of wall time on cpuCount CPUs.
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const real = process.cpuUsage.bind(process);
    const spy = vi.spyOn(process, 'cpuUsage');
    spy.mockImplementation((previous?: NodeJS.CpuUsage) =>
      previous ? { user: 60_000, system: 40_000 } : real(),
    );
    const timer = createCategoryHelpers(capture.handle).performance.timer('cpu-op');
    now += wallMs;
    timer.stop();
    spy.mockRestore();
    await capture.handle!.forceFlush();
    const record = (await capture.records()).find(
      (r) => r.attributes['logkit.operation.name'] === 'cpu-op',
    );
    const expected = Math.round((100_000 / (wallMs * 1000 * cpuCount)) * 100 * 10) / 10;
    expect(record?.attributes['logkit.performance.cpu_percent']).toBe(expected);
  });
});
