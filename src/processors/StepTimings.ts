import type { Attributes, Histogram } from '@opentelemetry/api';

/** One pipeline step's share of `handle.stats().steps`. */
export interface StepStats {
  /** The step's name (`enrich`, `redact`, `limit`, `sampling`, a user step's, `route`). */
  readonly name: string;
  /** Records handed to the step. */
  readonly records: number;
  /** Of those, records whose processing was timed (1 in {@link STEP_TIMING_INTERVAL}). */
  readonly timedRecords: number;
  /**
   * Mean time the step took per record, seconds, over the timed records; 0
   * before the first timed one.
   */
  readonly meanSeconds: number;
  /** Estimated total time spent in the step, seconds: {@link meanSeconds} × {@link records}. */
  readonly totalSeconds: number;
}

/**
 * One record in this many has each of its steps timed (and the first one);
 * a power of two. Timing every record (a clock read and a histogram point per
 * step) measured 300–540 ns more per record with the default chain (fastest
 * of 4 alternating runs, three times, in one process; README "Timed steps"),
 * a fifth of the chain's cost; one in 64 amortises that to under 10 ns, below
 * the run-to-run noise.
 */
export const STEP_TIMING_INTERVAL = 64;

/**
 * Per-step counts and sampled durations of the pipeline, for
 * `handle.stats().steps` and the `logkit.pipeline.step.duration` histogram.
 */
export class StepTimings {
  /** Records handed to each step, by step index. */
  readonly records: number[];
  private readonly timed: number[];
  private readonly seconds: number[];
  private readonly attributes: Attributes[];
  private tick = 0;

  /**
   * @param names - the steps' names, in order.
   * @param histogram - `logkit.pipeline.step.duration` (s), or none.
   * @param attributeKey - the metric attribute holding the step's name.
   */
  constructor(
    private readonly names: readonly string[],
    private readonly histogram: Histogram | undefined,
    attributeKey: string,
  ) {
    this.records = names.map(() => 0);
    this.timed = names.map(() => 0);
    this.seconds = names.map(() => 0);
    // Built once: a point's attributes are not allocated on the emit path.
    this.attributes = names.map((name) => ({ [attributeKey]: name }));
  }

  /** Whether the record entering now is one to time; call once per record. */
  shouldTime(): boolean {
    return (this.tick++ & (STEP_TIMING_INTERVAL - 1)) === 0;
  }

  /** Adds one timed run of step `index` that took `ms` milliseconds. */
  add(index: number, ms: number): void {
    const seconds = ms / 1000;
    this.timed[index]! += 1;
    this.seconds[index]! += seconds;
    this.histogram?.record(seconds, this.attributes[index]);
  }

  /** A copy of the per-step figures, in step order. */
  snapshot(): StepStats[] {
    return this.names.map((name, i) => {
      const timed = this.timed[i]!;
      const mean = timed === 0 ? 0 : this.seconds[i]! / timed;
      return {
        name,
        records: this.records[i]!,
        timedRecords: timed,
        meanSeconds: mean,
        totalSeconds: mean * this.records[i]!,
      };
    });
  }
}
