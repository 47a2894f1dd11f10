import { context as apiContext, type Context, type Histogram } from '@opentelemetry/api';
import type { LogRecord, Logger as OtelLogger } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_LOGKIT_STREAM_NAME } from '../attributes.js';
import { reportOnce } from '../internal/reportOnce.js';
import { settleAll } from '../internal/settleAll.js';
import { takeCarriedAttributes } from '../logger/safeEmit.js';
import { toAttributeValue } from '../logger/toAnyValue.js';
import { ATTR_PIPELINE_STEP_NAME } from '../metrics/names.js';
import type { DropCounts } from './DropCounts.js';
import { DROP_REASONS, type DropReason, type PipelineStep, type StepHost } from './PipelineStep.js';
import { StepTimings, type StepStats } from './StepTimings.js';

const DROP_REASON_SET: ReadonlySet<unknown> = new Set(DROP_REASONS);

/** A ReadWriteLogRecord, as far as the steps after and the exporters rely on it. */
function isRecord(value: unknown): value is ReadWriteLogRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ReadWriteLogRecord).setAttribute === 'function' &&
    typeof (value as ReadWriteLogRecord).attributes === 'object' &&
    (value as ReadWriteLogRecord).attributes !== null
  );
}

function describeResult(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `the unknown drop reason ${JSON.stringify(value)}`;
  return `a ${value === null ? 'null' : typeof value}, not a record`;
}

/** Where surviving records go: an exporting processor and the rule that picks its records. */
export interface Destination {
  /** `console`, `file`, `otlp`, `audit`, or a user-given name. */
  readonly name: string;
  /** The processor that batches and exports, or any user LogRecordProcessor. */
  readonly processor: LogRecordProcessor;
  /** Whether the record goes to this destination; compiled from the routing rules. */
  readonly accepts: (record: ReadWriteLogRecord) => boolean;
}

/** Options of {@link PipelineLogRecordProcessor}. */
export interface PipelineOptions {
  /** The steps, in order. */
  readonly steps: readonly PipelineStep[];
  /** Every destination whose rule accepts a surviving record gets it. */
  readonly destinations: readonly Destination[];
  readonly counts: DropCounts;
  /** Called with every record as it enters, before any step (the log record count). */
  readonly observe?: (record: ReadWriteLogRecord, context: Context) => void;
  /**
   * Called with every record that reaches step `observeAt` (the user's metric
   * rules): after enrichment and redaction, so attributes of `withContext`
   * and Baggage can be dimensions and no secret becomes a metric attribute,
   * and before limits and sampling, so the metrics see the true volume.
   */
  readonly observeRedacted?: (record: ReadWriteLogRecord, context: Context) => void;
  /** The number of steps that run before {@link observeRedacted}; default 0. */
  readonly observeAt?: number;
  /** `logkit.pipeline.step.duration` (s), recorded for the timed records; see {@link StepTimings}. */
  readonly stepDuration?: Histogram;
}

/**
 * The LogRecordProcessor between the Logs API and the exporters. The SDK
 * hands every record to every processor of a LoggerProvider; this one is the
 * provider's only processor, and runs ordered steps (enrich, redact, limit,
 * sample, … each a {@link PipelineStep}) where a step may change a record or
 * drop it. Survivors go to each {@link Destination} whose routing rule accepts
 * them; a record no destination accepts is counted as `filtered`.
 *
 * A step that throws, or returns anything but a record, `null`, `'held'` or a
 * {@link DropReason} (`undefined`, say), has failed: the failure is counted
 * (`stats().stepFailures`), reported once through diag, and the record goes
 * on unchanged; a fail-closed step (redaction) that fails drops the record as
 * `redaction-failed`. So no bad step result reaches an exporter's batch.
 * Nothing here throws into the application.
 *
 * Records of an event stream (`logkit.stream.name`) skip the steps that
 * sample ({@link PipelineStep.samples}). Each step's records are counted, and
 * one record in {@link STEP_TIMING_INTERVAL} has each step timed, routing
 * included (as `route`): {@link stepStats}.
 */
export class PipelineLogRecordProcessor implements LogRecordProcessor {
  private readonly steps: readonly PipelineStep[];
  private readonly destinations: readonly Destination[];
  private readonly counts: DropCounts;
  private readonly observe: PipelineOptions['observe'];
  private readonly observeRedacted: PipelineOptions['observeRedacted'];
  private readonly observeAt: number;
  private emitter: OtelLogger | undefined;
  private dirty = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly timings: StepTimings;
  /** Whether any step samples: only then is a record checked for a stream. */
  private readonly anySampler: boolean;

  constructor(options: PipelineOptions) {
    this.steps = options.steps;
    this.destinations = options.destinations;
    this.counts = options.counts;
    this.observe = options.observe;
    this.observeRedacted = options.observeRedacted;
    this.observeAt = Math.min(options.observeAt ?? 0, options.steps.length);
    this.anySampler = this.steps.some((step) => step.samples === true);
    this.timings = new StepTimings(
      [...this.steps.map((step) => step.name), 'route'],
      options.stepDuration,
      ATTR_PIPELINE_STEP_NAME,
    );
    this.steps.forEach((step, index) => {
      const host: StepHost = {
        forward: (record, ctx) => this.run(index + 1, record, ctx),
        emit: (record) => this.emitInternal(record),
        countDrop: (reason, count) => this.counts.countDrop(reason, count),
      };
      step.init?.(host);
    });
  }

  /**
   * The logger that steps' own records (rate-limit summaries) are emitted
   * from; set once the LoggerProvider exists, since it owns this processor.
   */
  setEmitter(logger: OtelLogger): void {
    this.emitter = logger;
  }

  onEmit(logRecord: ReadWriteLogRecord, context?: Context): void {
    this.dirty = true;
    this.counts.countReceived();
    // Attributes carried past the SDK (see emitCarrying), and an attribute
    // named `__proto__` the SDK could not store as a key.
    takeCarriedAttributes(logRecord);
    // The SDK validates attribute values but stores any body: one a logger
    // straight from the LoggerProvider handed it (a bigint, a circular
    // object) would make an exporter throw on its whole batch later.
    const body = logRecord.body;
    if (body !== undefined && typeof body !== 'string' && typeof body !== 'number') {
      const safe = toAttributeValue(body);
      if (safe !== body) {
        try {
          logRecord.setBody(safe);
        } catch (error) {
          reportOnce('pipeline:body', 'a record body could not be converted', error);
        }
      }
    }
    const ctx = context ?? apiContext.active();
    if (this.observe) {
      try {
        this.observe(logRecord, ctx);
      } catch (error) {
        reportOnce('pipeline:observe', 'recording log-derived metrics failed', error);
      }
    }
    this.run(0, logRecord, ctx, this.timings.shouldTime());
  }

  /** Per step (routing last, as `route`): records handed to it and its sampled cost. */
  stepStats(): StepStats[] {
    return this.timings.snapshot();
  }

  /** True when a record was emitted since the previous call; for the exit hooks. */
  takeDirty(): boolean {
    const was = this.dirty;
    this.dirty = false;
    return was;
  }

  /** Flushes the steps first (their summaries and releases), then the destinations. */
  async forceFlush(): Promise<void> {
    await settleAll(
      this.steps.map((step) => step.forceFlush?.()),
      'pipeline:flush',
    );
    await settleAll(
      this.destinations.map((d) => d.processor.forceFlush()),
      'pipeline:flush',
    );
  }

  /** Shuts the steps down, then the destinations; idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      await settleAll(
        this.steps.map((step) => step.forceFlush?.()),
        'pipeline:flush',
      );
      await settleAll(
        this.steps.map((step) => step.shutdown?.()),
        'pipeline:flush',
      );
      await settleAll(
        this.destinations.map((d) => d.processor.shutdown()),
        'pipeline:flush',
      );
    })();
    return this.shutdownPromise;
  }

  private run(from: number, initial: ReadWriteLogRecord, ctx: Context, timed = false): void {
    let record = initial;
    const stream = this.anySampler && initial.attributes[ATTR_LOGKIT_STREAM_NAME] !== undefined;
    const records = this.timings.records;
    let t0 = timed ? performance.now() : 0;
    for (let i = from; i < this.steps.length; i++) {
      if (i === this.observeAt) this.observeAfterRedaction(record, ctx);
      const step = this.steps[i]!;
      if (stream && step.samples) continue;
      records[i]!++;
      let result: unknown;
      try {
        result = step.process(record, ctx);
      } catch (error) {
        if (this.stepFailed(step, error)) return;
        continue;
      }
      if (timed) {
        const t1 = performance.now();
        this.timings.add(i, t1 - t0);
        t0 = t1;
      }
      if (result === null) {
        this.counts.countDrop(step.dropReason);
        return;
      }
      if (result === 'held') return;
      if (typeof result === 'string' && DROP_REASON_SET.has(result)) {
        this.counts.countDrop(result as DropReason);
        return;
      }
      if (!isRecord(result)) {
        // `undefined`, a plain object, an unknown reason: handing it on would
        // make an exporter throw on a whole batch later. A step failure.
        if (this.stepFailed(step, new TypeError(`step returned ${describeResult(result)}`))) {
          return;
        }
        continue;
      }
      record = result;
    }
    if (this.observeAt === this.steps.length && from <= this.observeAt) {
      this.observeAfterRedaction(record, ctx);
    }
    records[this.steps.length]!++;
    this.route(record, ctx);
    if (timed) this.timings.add(this.steps.length, performance.now() - t0);
  }

  private observeAfterRedaction(record: ReadWriteLogRecord, ctx: Context): void {
    if (!this.observeRedacted) return;
    try {
      this.observeRedacted(record, ctx);
    } catch (error) {
      reportOnce('pipeline:observe', 'recording log-derived metrics failed', error);
    }
  }

  /** Counts and reports a step failure; true when the record is dropped (fail closed). */
  private stepFailed(step: PipelineStep, error: unknown): boolean {
    this.counts.countStepFailure();
    if (step.failClosed) {
      this.counts.countDrop('redaction-failed');
      reportOnce(
        `step:${step.name}`,
        `step ${step.name} failed; records it fails on are dropped`,
        error,
      );
      return true;
    }
    reportOnce(
      `step:${step.name}`,
      `step ${step.name} failed; records it fails on go on unchanged`,
      error,
    );
    return false;
  }

  private route(record: ReadWriteLogRecord, ctx: Context): void {
    let delivered = false;
    for (const destination of this.destinations) {
      let accepted: boolean;
      try {
        accepted = destination.accepts(record);
      } catch (error) {
        reportOnce(
          `route:${destination.name}`,
          `routing rule of ${destination.name} failed`,
          error,
        );
        accepted = true;
      }
      if (!accepted) continue;
      delivered = true;
      try {
        destination.processor.onEmit(record, ctx);
      } catch (error) {
        reportOnce(
          `destination:${destination.name}`,
          `destination ${destination.name} failed`,
          error,
        );
      }
    }
    if (!delivered && this.destinations.length > 0) this.counts.countDrop('filtered');
  }

  private emitInternal(record: LogRecord): void {
    if (!this.emitter) return;
    try {
      this.emitter.emit(record);
    } catch (error) {
      reportOnce('pipeline:emit', 'could not emit an internal record', error);
    }
  }
}
