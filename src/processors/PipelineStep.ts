import type { Context } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';

/**
 * Why a record did not reach an exporter; `handle.stats()` counts each.
 * - `sampled`: ratio sampling, an unsampled trace, or a held trace discarded;
 * - `rate-limited`: over a rate limit;
 * - `filtered`: matched no destination's routing rules;
 * - `redaction-failed`: redaction threw, so the record was dropped (fail closed);
 * - `queue-full`: a batch processor's queue was full;
 * - `export-failed`: an exporter reported failure (with a spool: the endpoint
 *   rejected the batch for good, or the spool could not be written);
 * - `spool-full`: evicted, oldest first, past the spool's size cap;
 * - `spool-damaged`: in a spool segment that failed its checksum.
 */
export type DropReason =
  | 'sampled'
  | 'rate-limited'
  | 'filtered'
  | 'redaction-failed'
  | 'queue-full'
  | 'export-failed'
  | 'spool-full'
  | 'spool-damaged';

/** Every {@link DropReason}, in a stable order. */
export const DROP_REASONS: readonly DropReason[] = [
  'sampled',
  'rate-limited',
  'filtered',
  'redaction-failed',
  'queue-full',
  'export-failed',
  'spool-full',
  'spool-damaged',
];

/**
 * A user step as a plain function: return the record (changed or not) to pass
 * it on, or `null` to drop it (counted as `filtered`). Anything else
 * (`undefined`, a promise, another object) is a step failure: counted in
 * `stats().stepFailures`, reported once through diag, and the record goes on
 * unchanged.
 */
export type LogStep = (record: ReadWriteLogRecord, context: Context) => ReadWriteLogRecord | null;

/** What the pipeline offers a step besides the records it is handed. */
export interface StepHost {
  /**
   * Sends a record the step held back (a buffered trace released by an error,
   * say) on through the steps after this one and out to the destinations.
   */
  forward(record: ReadWriteLogRecord, context: Context): void;
  /**
   * Emits a new record (a "suppressed N similar records" summary, say) through
   * the whole pipeline from its first step, from otel-logkit's own logger.
   */
  emit(record: LogRecord): void;
  /** Counts `count` records dropped for `reason` (records a step discards later, say). */
  countDrop(reason: DropReason, count?: number): void;
}

/**
 * What {@link PipelineStep.process} returns: the record to pass on, `null` to
 * drop it under the step's {@link PipelineStep.dropReason}, a
 * {@link DropReason} to drop it under that reason, or `'held'` when the step
 * keeps it (to {@link StepHost.forward} it later, or count its drop then).
 */
export type StepResult = ReadWriteLogRecord | null | DropReason | 'held';

/**
 * One step of the pipeline. `process` runs on the emit path: it must be cheap,
 * with its work done at construction. It returns a {@link StepResult}. A step that throws is
 * reported once through diag and the record goes on unchanged, unless the step
 * is {@link failClosed}: then the record is dropped as `redaction-failed`.
 */
export interface PipelineStep {
  /** Its name in the `steps` option and in diag messages. */
  readonly name: string;
  /** What a `null` from {@link process} counts as. */
  readonly dropReason: DropReason;
  /** Drop, rather than pass on, a record whose processing threw. */
  readonly failClosed?: boolean;
  /**
   * The step drops or holds records to cut volume (ratio sampling, rate
   * limits, buffering until an error): records of an event stream (those
   * with `logkit.stream.name`) skip it, so a gap in a stream's sequence always
   * means loss.
   */
  readonly samples?: boolean;
  /** Called once when the pipeline is built, before any record. */
  init?(host: StepHost): void;
  process(record: ReadWriteLogRecord, context: Context): StepResult;
  /** Exports or settles what the step holds; safe to call twice. */
  forceFlush?(): Promise<void>;
  /** Stops timers and drops what the step holds; safe to call twice. */
  shutdown?(): Promise<void>;
}
