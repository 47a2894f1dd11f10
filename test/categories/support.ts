import type { LoggingHandle } from '../../src/index.js';
import type {
  OtlpReceiver,
  ReceivedDataPoint,
  ReceivedLogRecord,
  ReceivedMetric,
} from '../helpers/otlpReceiver.js';

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
