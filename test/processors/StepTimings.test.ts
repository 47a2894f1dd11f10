import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { STEP_TIMING_INTERVAL } from '../../src/processors/StepTimings.js';
import { useCaptureLogs } from '../helpers/useCaptureLogs.js';

const capture = useCaptureLogs({ serviceName: 'step-timings-test' });

/** A user step that busy-waits `ms` on every record: a slow step to find. */
function slowStep(ms: number) {
  return function slow(record: ReadWriteLogRecord): ReadWriteLogRecord {
    const until = performance.now() + ms;
    while (performance.now() < until);
    return record;
  };
}

function register(): InMemoryMetricExporter {
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  capture.register({
    registerGlobals: false,
    runtimeMetrics: false,
    steps: ['enrich', 'redact', slowStep(2), 'limit', 'sample'],
    metricReaders: [
      new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 60_000 }),
    ],
  });
  return metrics;
}

describe('timed steps', () => {
  const n = STEP_TIMING_INTERVAL * 2 + 1;

  it('should count every record per step and time one in STEP_TIMING_INTERVAL, in handle.stats()', () => {
    register();
    const log = capture.handle!.getLogger('app');
    for (let i = 0; i < n; i++) log.info('record', { i });
    const steps = capture.handle!.stats().steps;
    expect(steps.map((s) => s.name)).toEqual([
      'enrich',
      'redact',
      'slow',
      'limit',
      'sampling',
      'route',
    ]);
    for (const step of steps) {
      expect(step.records, step.name).toBe(n);
      // The 1st, the 65th and the 129th record.
      expect(step.timedRecords, step.name).toBe(3);
      expect(step.meanSeconds, step.name).toBeGreaterThanOrEqual(0);
      expect(step.totalSeconds).toBeCloseTo(step.meanSeconds * n, 12);
    }
    const slow = steps.find((s) => s.name === 'slow')!;
    expect(slow.meanSeconds).toBeGreaterThanOrEqual(0.002);
    // The slow step is the costly one, as an operator reading stats would see.
    for (const step of steps) {
      if (step !== slow) expect(step.meanSeconds).toBeLessThan(slow.meanSeconds);
    }
  });

  it('should count only the steps a record reached', () => {
    register();
    capture.handle!.getLogger('app').info('x');
    capture.handle!.getLogger('app').debug('below the level: never enters');
    const steps = capture.handle!.stats().steps;
    expect(steps.every((s) => s.records === 1)).toBe(true);
  });

  it('should export logkit.pipeline.step.duration in seconds, by step name', async () => {
    const metrics = register();
    const log = capture.handle!.getLogger('app');
    for (let i = 0; i < n; i++) log.info('record', { i });
    await capture.handle!.forceFlush();
    const metric = metrics
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'logkit.pipeline.step.duration') as
      HistogramMetricData | undefined;
    expect(metric?.descriptor.unit).toBe('s');
    const byStep = new Map(
      metric!.dataPoints.map((p) => [p.attributes['logkit.pipeline.step.name'], p.value]),
    );
    expect([...byStep.keys()].sort()).toEqual(
      ['enrich', 'limit', 'redact', 'route', 'sampling', 'slow'].sort(),
    );
    for (const value of byStep.values()) expect(value.count).toBe(3);
    expect(byStep.get('slow')!.sum).toBeGreaterThanOrEqual(3 * 0.002);
    expect(byStep.get('slow')!.sum).toBeCloseTo(
      capture.handle!.stats().steps.find((s) => s.name === 'slow')!.meanSeconds * 3,
      9,
    );
  });
});
