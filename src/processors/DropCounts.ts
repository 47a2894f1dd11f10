import type { StepStats } from './StepTimings.js';
import { DROP_REASONS, type DropReason } from './PipelineStep.js';

/** What `handle.stats()` returns. */
export interface LoggingStats {
  /** Records that entered the pipeline (after the logger's level check). */
  readonly received: number;
  /** Records that did not reach an exporter, by reason; see {@link DropReason}. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /**
   * Pipeline steps that threw or returned something other than a record, a
   * drop or `'held'`; the record went on unchanged (or was dropped as
   * `redaction-failed` by a fail-closed step).
   */
  readonly stepFailures: number;
  /**
   * Per pipeline step, in order, routing last as `route`: records handed to
   * it, and its cost (mean and estimated total seconds) over the sampled
   * records that were timed. See {@link StepStats}.
   */
  readonly steps: readonly StepStats[];
}

/** Counts records in and dropped, by reason. */
export class DropCounts {
  private received = 0;
  private stepFailures = 0;
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

  /** Counts one step failure. */
  countStepFailure(): void {
    this.stepFailures++;
  }

  /** A copy of the counts. */
  snapshot(): Omit<LoggingStats, 'steps'> {
    return {
      received: this.received,
      dropped: { ...this.dropped },
      stepFailures: this.stepFailures,
    };
  }
}
