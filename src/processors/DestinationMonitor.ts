import {
  createNoopMeter,
  type Meter,
  type MeterProvider,
  type ObservableCallback,
  type ObservableResult,
} from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { SpoolStats } from '../exporters/spool/Spool.js';
import type { DeliveryObserver } from './DeliveringLogRecordProcessor.js';
import type { DropCounts } from './DropCounts.js';
import type { DropReason } from './PipelineStep.js';

/** The spool of a destination, as `health()` reports it. */
export type SpoolHealth = SpoolStats & {
  /** Records per second accepted from the spool since its backlog started draining. */
  readonly replayRatePerSecond: number;
};

/** One destination's health, as `handle.health()` reports it. */
export interface DestinationHealth {
  /** `console`, `file`, `otlp`, `audit`, or a user-given name. */
  readonly name: string;
  /** Epoch ms of the last export that succeeded, if any. */
  readonly lastSuccessAt?: number;
  /** Epoch ms of the last export that failed, if any, and its error message. */
  readonly lastFailureAt?: number;
  readonly lastError?: string;
  /** Failed exports since the last success. */
  readonly consecutiveFailures: number;
  /** Records exported successfully. */
  readonly exported: number;
  /** The batch queue: records waiting, and how many it holds; absent for the console. */
  readonly queue?: { readonly size: number; readonly capacity: number };
  /** Records this destination lost; the `spool-*` reasons only for a spooling destination. */
  readonly dropped: {
    readonly 'queue-full': number;
    readonly 'export-failed': number;
    readonly 'spool-full'?: number;
    readonly 'spool-damaged'?: number;
  };
  /** The destination's spool (OTLP with zero-loss delivery), when it has one. */
  readonly spool?: SpoolHealth;
  /** Epoch ms of the last record this destination dropped, if any. */
  readonly lastDropAt?: number;
}

/**
 * The instruments of `@opentelemetry/sdk-logs`' processor self-observability
 * (LogRecordProcessorMetrics): a counter of records processed, with
 * `error.type` `queue_full` or the export error's name on failures, and the
 * queue's capacity and size.
 */
const PROCESSED = 'otel.sdk.processor.log.processed';
const QUEUE_CAPACITY = 'otel.sdk.processor.log.queue.capacity';
const QUEUE_SIZE = 'otel.sdk.processor.log.queue.size';

/**
 * Watches one destination: wraps its exporter to time successes and failures,
 * and hands its SDK processor a self-observability MeterProvider whose
 * instruments feed this monitor and the pipeline's {@link DropCounts}
 * instead of a metrics pipeline.
 */
export class DestinationMonitor implements DeliveryObserver {
  private lastSuccessAt: number | undefined;
  private lastFailureAt: number | undefined;
  private lastError: string | undefined;
  private consecutiveFailures = 0;
  private exportedCount = 0;
  private queueFull = 0;
  private exportFailed = 0;
  private capacity: number | undefined;
  private queueSize: ObservableCallback | undefined;
  private spoolDrops: Record<'spool-full' | 'spool-damaged', number> | undefined;
  private lastDropAt: number | undefined;
  private delivery:
    { spool(): SpoolHealth | undefined; queue(): { size: number; capacity: number } } | undefined;

  constructor(
    readonly name: string,
    private readonly counts: DropCounts,
  ) {}

  /** Records `records` accepted by the destination. */
  exported(records: number): void {
    this.lastSuccessAt = Date.now();
    this.consecutiveFailures = 0;
    this.exportedCount += records;
  }

  /** Records a failed export. */
  failed(error: Error): void {
    this.lastFailureAt = Date.now();
    this.lastError = error.message || 'export failed';
    this.consecutiveFailures++;
  }

  /** Counts `records` this destination lost, here and in the pipeline's counts. */
  dropped(reason: DropReason, records: number): void {
    if (records <= 0) return;
    this.lastDropAt = Date.now();
    this.counts.countDrop(reason, records);
    if (reason === 'queue-full') this.queueFull += records;
    else if (reason === 'spool-full' || reason === 'spool-damaged') {
      this.spoolDrops ??= { 'spool-full': 0, 'spool-damaged': 0 };
      this.spoolDrops[reason] += records;
    } else this.exportFailed += records;
  }

  /** A delivering processor's queue and spool, for {@link health}. */
  watchDelivery(delivery: NonNullable<DestinationMonitor['delivery']>): void {
    this.delivery = delivery;
  }

  /** The exporter, with its results recorded here. */
  wrap(exporter: LogRecordExporter): LogRecordExporter {
    return {
      export: (logs: ReadableLogRecord[], done: (result: ExportResult) => void) =>
        exporter.export(logs, (result) => {
          if (result.code === ExportResultCode.SUCCESS) this.exported(logs.length);
          else this.failed(result.error ?? new Error('export failed'));
          done(result);
        }),
      forceFlush: () => exporter.forceFlush(),
      shutdown: () => exporter.shutdown(),
    };
  }

  /** The `selfObsMeterProvider` to give this destination's SDK processor. */
  meterProvider(): MeterProvider {
    const noop = createNoopMeter();
    const meter = Object.create(noop) as Meter;
    meter.createCounter = (name, options) => {
      if (name !== PROCESSED) return noop.createCounter(name, options);
      return {
        add: (value: number, attributes?: Record<string, unknown>) => {
          const errorType = attributes?.['error.type'];
          if (errorType === undefined) return;
          this.dropped(errorType === 'queue_full' ? 'queue-full' : 'export-failed', value);
        },
      };
    };
    meter.createUpDownCounter = (name, options) => {
      if (name !== QUEUE_CAPACITY) return noop.createUpDownCounter(name, options);
      return { add: (value: number) => void (this.capacity = (this.capacity ?? 0) + value) };
    };
    meter.createObservableUpDownCounter = (name, options) => {
      const instrument = noop.createObservableUpDownCounter(name, options);
      if (name !== QUEUE_SIZE) return instrument;
      return Object.assign(Object.create(instrument) as typeof instrument, {
        addCallback: (callback: ObservableCallback) => void (this.queueSize = callback),
        removeCallback: () => void (this.queueSize = undefined),
      });
    };
    return { getMeter: () => meter };
  }

  /** A snapshot; cheap, never throws. */
  health(): DestinationHealth {
    let queue: DestinationHealth['queue'];
    let spool: SpoolHealth | undefined;
    if (this.delivery) {
      queue = this.delivery.queue();
      spool = this.delivery.spool();
    } else if (this.capacity !== undefined) {
      let size = 0;
      const result = { observe: (value: number) => void (size = value) } as ObservableResult;
      try {
        void this.queueSize?.(result);
      } catch {
        // The SDK's callback reads an array length; nothing to report if it fails.
      }
      queue = { size, capacity: this.capacity };
    }
    return {
      name: this.name,
      ...(this.lastSuccessAt === undefined ? {} : { lastSuccessAt: this.lastSuccessAt }),
      ...(this.lastFailureAt === undefined
        ? {}
        : { lastFailureAt: this.lastFailureAt, lastError: this.lastError }),
      consecutiveFailures: this.consecutiveFailures,
      exported: this.exportedCount,
      ...(queue ? { queue } : {}),
      dropped: {
        'queue-full': this.queueFull,
        'export-failed': this.exportFailed,
        ...this.spoolDrops,
      },
      ...(spool ? { spool } : {}),
      ...(this.lastDropAt === undefined ? {} : { lastDropAt: this.lastDropAt }),
    };
  }
}
