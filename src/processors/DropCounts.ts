import { createNoopMeter, type Meter, type MeterProvider } from '@opentelemetry/api';
import { DROP_REASONS, type DropReason } from './PipelineStep.js';

/** What `handle.stats()` returns. */
export interface LoggingStats {
  /** Records that entered the pipeline (after the logger's level check). */
  readonly received: number;
  /** Records that did not reach an exporter, by reason; see {@link DropReason}. */
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/**
 * The SDK processors' self-observability counter: the batch and simple
 * processors add to it once per record processed, with `error.type` set to
 * `queue_full` for a record dropped on a full queue and to the error's name
 * for a failed export (`@opentelemetry/sdk-logs` LogRecordProcessorMetrics).
 */
const PROCESSED_METRIC = 'otel.sdk.processor.log.processed';

/** Counts records in and dropped, by reason. */
export class DropCounts {
  private received = 0;
  private readonly dropped: Record<DropReason, number> = Object.fromEntries(
    DROP_REASONS.map((reason) => [reason, 0]),
  ) as Record<DropReason, number>;

  /** Counts one record entering the pipeline. */
  countReceived(): void {
    this.received++;
  }

  /** Counts `count` records dropped for `reason`. */
  countDrop(reason: DropReason, count = 1): void {
    this.dropped[reason] += count;
  }

  /** A copy of the counts. */
  snapshot(): LoggingStats {
    return { received: this.received, dropped: { ...this.dropped } };
  }

  /**
   * A MeterProvider to hand the SDK's log processors as `selfObsMeterProvider`:
   * it turns their processed-record counter into `queue-full` and
   * `export-failed` counts, and keeps every other instrument a no-op.
   */
  selfObservability(): MeterProvider {
    const noop = createNoopMeter();
    const countDrop = (reason: DropReason, count: number) => this.countDrop(reason, count);
    const meter: Meter = Object.assign(Object.create(noop) as Meter, {
      createCounter: (
        name: string,
        ...rest: Parameters<Meter['createCounter']> extends [string, ...infer R] ? R : never
      ) => {
        if (name !== PROCESSED_METRIC) return noop.createCounter(name, ...rest);
        return {
          add(value: number, attributes?: Record<string, unknown>) {
            const errorType = attributes?.['error.type'];
            if (errorType === undefined) return;
            countDrop(errorType === 'queue_full' ? 'queue-full' : 'export-failed', value);
          },
        };
      },
    });
    return { getMeter: () => meter };
  }
}
