import type { Context } from '@opentelemetry/api';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { reportOnce } from '../../internal/reportOnce.js';

interface Held {
  readonly record: ReadWriteLogRecord;
  readonly context: Context;
  /** When it was held, by the buffer's clock. */
  readonly at: number;
}

/** Settings of a {@link TraceBuffer}. */
export interface TraceBufferOptions {
  readonly maxRecordsPerTrace: number;
  readonly maxTraces: number;
  readonly timeoutMillis: number;
  /** Milliseconds, monotonic. */
  readonly now: () => number;
  /** Sends a released record on, with the context it came with. */
  readonly forward: (record: ReadWriteLogRecord, context: Context) => void;
  /** Counts `count` held records discarded. */
  readonly discard: (count: number) => void;
}

/**
 * Holds records per trace id, in order, until {@link release}; discards them
 * on {@link end}, once older than `timeoutMillis`, or when the bounds are hit
 * (the oldest record of a full trace, the oldest trace when too many are
 * held). A released trace is remembered as errored, so its later records pass
 * straight through, until it ends or is quiet for `timeoutMillis`.
 *
 * A sweep timer, which never holds the process open, runs only while
 * something is held or remembered.
 */
export class TraceBuffer {
  private readonly traces = new Map<string, Held[]>();
  /** Released traces, with when a record of each was last seen. */
  private readonly errored = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: TraceBufferOptions) {}

  /** Records currently held, over all traces; for tests and stats. */
  get size(): number {
    let n = 0;
    for (const held of this.traces.values()) n += held.length;
    return n;
  }

  /** Whether records of `traceId` go straight through: it was released, or the buffer is shut down. */
  passes(traceId: string): boolean {
    if (this.closed) return true;
    if (this.errored.size === 0 || !this.errored.has(traceId)) return false;
    this.errored.set(traceId, this.options.now());
    return true;
  }

  /** Holds `record` of `traceId` until its trace is released or discarded. */
  hold(traceId: string, record: ReadWriteLogRecord, context: Context): void {
    const { maxRecordsPerTrace, maxTraces, now } = this.options;
    let held = this.traces.get(traceId);
    if (held === undefined) {
      if (this.traces.size >= maxTraces) {
        const oldest = this.traces.entries().next();
        if (!oldest.done) {
          this.traces.delete(oldest.value[0]);
          this.discard(oldest.value[1].length);
        }
      }
      held = [];
      this.traces.set(traceId, held);
    } else if (held.length >= maxRecordsPerTrace) {
      held.shift();
      this.discard(1);
    }
    held.push({ record, context, at: now() });
    this.startSweep();
  }

  /**
   * Forwards the records held for `traceId`, in order (but not those past the
   * timeout), and remembers the trace as errored.
   */
  release(traceId: string): void {
    if (this.closed) return;
    const t = this.options.now();
    const held = this.traces.get(traceId);
    if (this.errored.has(traceId)) {
      // Refresh its place: Map order is what eviction goes by.
      this.errored.delete(traceId);
    } else if (this.errored.size >= this.options.maxTraces) {
      const oldest = this.errored.keys().next();
      if (!oldest.done) this.errored.delete(oldest.value);
    }
    this.errored.set(traceId, t);
    this.startSweep();
    if (held === undefined) return;
    this.traces.delete(traceId);
    const cutoff = t - this.options.timeoutMillis;
    let expired = 0;
    for (const { record, context, at } of held) {
      if (at <= cutoff) {
        expired++;
        continue;
      }
      try {
        this.options.forward(record, context);
      } catch (error) {
        reportOnce('sampling:forward', 'could not forward a held record', error);
      }
    }
    if (expired > 0) this.discard(expired);
  }

  /** Discards what is held for `traceId` and forgets it. */
  end(traceId: string): void {
    this.errored.delete(traceId);
    const held = this.traces.get(traceId);
    if (held !== undefined) {
      this.traces.delete(traceId);
      this.discard(held.length);
    }
    this.stopSweepIfIdle();
  }

  /** Discards held records past the timeout and forgets errored traces quiet for as long. */
  sweep(): void {
    const cutoff = this.options.now() - this.options.timeoutMillis;
    for (const [traceId, held] of this.traces) {
      let n = 0;
      while (n < held.length && held[n]!.at <= cutoff) n++;
      if (n === 0) continue;
      if (n === held.length) this.traces.delete(traceId);
      else held.splice(0, n);
      this.discard(n);
    }
    for (const [traceId, last] of this.errored) {
      if (last <= cutoff) this.errored.delete(traceId);
    }
    this.stopSweepIfIdle();
  }

  /** Stops the timer and discards everything held; later records pass through. Idempotent. */
  shutdown(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    let n = 0;
    for (const held of this.traces.values()) n += held.length;
    this.traces.clear();
    this.errored.clear();
    this.closed = true;
    if (n > 0) this.discard(n);
  }

  private discard(count: number): void {
    try {
      this.options.discard(count);
    } catch (error) {
      reportOnce('sampling:discard', 'could not count discarded records', error);
    }
  }

  private startSweep(): void {
    if (this.timer !== undefined || this.closed) return;
    // A tenth of the timeout: a record outlives it by at most 10% before its
    // memory is freed; release never forwards a record past it.
    const every = Math.max(1, Math.ceil(this.options.timeoutMillis / 10));
    this.timer = setInterval(() => {
      try {
        this.sweep();
      } catch (error) {
        reportOnce('sampling:sweep', 'sweeping held records failed', error);
      }
    }, every);
    this.timer.unref();
  }

  private stopSweepIfIdle(): void {
    if (this.timer !== undefined && this.traces.size === 0 && this.errored.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
