import { expect } from 'vitest';
import {
  createCategoryHelpers,
  type CategoryHelpers,
  type CategoryHelpersOptions,
} from '../../src/categories/index.js';
import type { LoggingHandle } from '../../src/index.js';
import type {
  OtlpReceiver,
  ReceivedDataPoint,
  ReceivedLogRecord,
  ReceivedMetric,
} from '../helpers/otlpReceiver.js';
import { useOtlpReceiver, type OtlpTestContext } from '../helpers/useOtlpReceiver.js';

/** Flushes and waits until the receiver has `records` log records (and metrics/spans when asked). */
export async function flush(
  handle: LoggingHandle,
  receiver: OtlpReceiver,
  expect: { records?: number; metrics?: boolean; spans?: number } = {},
): Promise<void> {
  await handle.forceFlush();
  await receiver.waitFor(
    () =>
      receiver.logs.length >= (expect.records ?? 0) &&
      (!expect.metrics || receiver.metrics.length > 0) &&
      receiver.spans.length >= (expect.spans ?? 0),
  );
}

/** Expects `record` to be a `performance` record of operation `name`, with its measurements. */
export function expectMeasureRecord(record: ReceivedLogRecord | undefined, name: string): void {
  expect(record).toBeDefined();
  expect(record!.attributes).toMatchObject({
    'logkit.category': 'performance',
    'logkit.operation.name': name,
  });
  expect(typeof record!.attributes.duration_ms).toBe('number');
  expect(record!.attributes['logkit.performance.memory_mb']).toBeGreaterThan(1);
  expect(typeof record!.attributes['logkit.performance.cpu_percent']).toBe('number');
}

export function recordsOf(receiver: OtlpReceiver, eventName: string): ReceivedLogRecord[] {
  return receiver.logs.filter((r) => r.eventName === eventName);
}

/** The last export of the metric named `name`. */
export function metric(receiver: OtlpReceiver, name: string): ReceivedMetric | undefined {
  return receiver.metrics.filter((m) => m.name === name).at(-1);
}

/** The data point of `m` whose attributes equal `attributes`. */
export function point(
  m: ReceivedMetric | undefined,
  attributes: Record<string, unknown>,
): ReceivedDataPoint | undefined {
  return m?.dataPoints.find(
    (p) =>
      Object.keys(p.attributes).length === Object.keys(attributes).length &&
      Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  );
}

/** What {@link useCategoryHelpers} gives a category test file. */
export interface CategoryTestContext {
  readonly otlp: OtlpTestContext;
  /** Registers against the receiver and returns the helpers of that registration. */
  readonly setup: (options?: CategoryHelpersOptions) => CategoryHelpers;
}

/** The hooks of a category test file: an OTLP receiver (see {@link useOtlpReceiver}). */
export function useCategoryHelpers(): CategoryTestContext {
  const otlp = useOtlpReceiver({ serviceName: 'categories-it' });
  return {
    otlp,
    setup: (options) => {
      otlp.register();
      return createCategoryHelpers(otlp.handle, options);
    },
  };
}
