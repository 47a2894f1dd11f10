import { TraceFlags, type Context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { LevelDefinition } from '../../logger/levels.js';
import type { DropReason, PipelineStep, StepHost } from '../PipelineStep.js';
import { RateLimiter } from './RateLimiter.js';
import {
  resolveSamplingOptions,
  type ResolvedSampling,
  type SamplingOptions,
} from './SamplingOptions.js';
import { TraceBuffer } from './TraceBuffer.js';
import { keepTraceId, traceIdRatioUpperBound } from './traceIdRatio.js';

/** Attribute of a rate-limit summary: the key whose records were suppressed. */
export const RATE_LIMIT_KEY_ATTRIBUTE = 'logkit.rate_limit.key';
/** Attribute of a rate-limit summary: how many records were suppressed. */
export const RATE_LIMIT_SUPPRESSED_ATTRIBUTE = 'logkit.rate_limit.suppressed';
/** Attribute of a rate-limit summary: the window, in ms. */
export const RATE_LIMIT_WINDOW_ATTRIBUTE = 'logkit.rate_limit.window_ms';

/**
 * What {@link SamplingStep.process} returns for a record it holds back (a
 * buffered trace): the step now owns the record, which is neither passed on
 * nor dropped yet. It later goes on through `host.forward` or is counted as
 * `sampled` through `host.countDrop`.
 */
export const HELD = 'held';

/**
 * The record to pass on, a {@link DropReason} to drop it for (`sampled` or
 * `rate-limited`), or {@link HELD}. `null` is never returned.
 */
export type SamplingResult = ReadWriteLogRecord | DropReason | typeof HELD | null;

/** The sampling step of the pipeline. */
export interface SamplingStep extends Omit<PipelineStep, 'process'> {
  process(record: ReadWriteLogRecord, context: Context): SamplingResult;
  /**
   * Tells the step that a trace ended (its local root span did): the records
   * held for it are discarded, counted as `sampled`.
   */
  traceEnded(traceId: string): void;
}

/** Test hooks of {@link createSamplingStep}, and the records it must keep. */
export interface SamplingInternals {
  /** The clock, in ms; monotonic. Default `performance.now()`. */
  readonly now?: () => number;
  /**
   * Records that are never sampled, rate-limited or held back (the audit
   * route's: an audit trail must be complete); they pass straight on.
   */
  readonly exempt?: (record: ReadWriteLogRecord) => boolean;
}

const NOOP_HOST: StepHost = {
  forward: () => {},
  emit: () => {},
  countDrop: () => {},
};

const passThrough = (record: ReadWriteLogRecord): ReadWriteLogRecord => record;

/** The rate-limit key: the event name, else the body when it is a string, else the scope name. */
function rateLimitKey(record: ReadWriteLogRecord): string {
  const eventName = record.eventName;
  if (eventName) return eventName;
  const body = record.body;
  if (typeof body === 'string') return body;
  return record.instrumentationScope.name;
}

/**
 * Creates the sampling step. For a record below `alwaysKeepLevel` the parts
 * run in this order, and the first to drop the record ends it:
 *
 * 1. severity floor: a record at or above `alwaysKeepLevel` is kept (and, at or
 *    above `bufferUntilError.triggerLevel`, releases its trace's buffer);
 *    rate-limit summaries (records with `logkit.rate_limit.key`) are kept too;
 * 2. `followTraceFlags`: a record in an unsampled span is dropped (`sampled`);
 * 3. `ratio`: in a trace, by the trace id as TraceIdRatioBasedSampler decides;
 *    outside one, at random (`sampled`);
 * 4. `bufferUntilError`: a record in a trace is held until a record at or
 *    above the trigger level releases the trace (the trigger itself then goes
 *    on to 5); once released, the trace's records go straight on;
 * 5. `rateLimit`: over the key's bucket, dropped (`rate-limited`). Released
 *    records are forwarded past this step, so they are not rate-limited.
 *
 * With none of 2–5 enabled, `process` returns the record at once.
 *
 * @throws {@link LoggingConfigError} for an invalid option.
 */
export function createSamplingStep(
  options: SamplingOptions | undefined,
  levels: ReadonlyMap<string, LevelDefinition>,
  internals: SamplingInternals = {},
): SamplingStep {
  return samplingStepFrom(resolveSamplingOptions(options, levels), internals);
}

/** The sampling step of settings already resolved ({@link resolveSamplingOptions}). */
export function samplingStepFrom(
  config: ResolvedSampling,
  internals: SamplingInternals = {},
): SamplingStep {
  const now = internals.now ?? (() => performance.now());
  let host = NOOP_HOST;

  const { floor, ratio, followTraceFlags } = config;
  const upperBound = traceIdRatioUpperBound(ratio);
  const sampleByRatio = ratio < 1;

  const rateLimit = config.rateLimit;
  const limiter =
    rateLimit &&
    new RateLimiter({
      ...rateLimit,
      now,
      summarise: (key, suppressed) =>
        host.emit({
          severityNumber: SeverityNumber.WARN,
          severityText: 'WARN',
          body: `suppressed ${suppressed} similar records`,
          attributes: {
            [RATE_LIMIT_KEY_ATTRIBUTE]: key,
            [RATE_LIMIT_SUPPRESSED_ATTRIBUTE]: suppressed,
            [RATE_LIMIT_WINDOW_ATTRIBUTE]: rateLimit.windowMillis,
          },
        }),
    });

  const bufferConfig = config.buffer;
  const trigger = bufferConfig?.trigger ?? Number.POSITIVE_INFINITY;
  const buffer =
    bufferConfig &&
    new TraceBuffer({
      ...bufferConfig,
      now,
      forward: (record, context) => host.forward(record, context),
      discard: (count) => host.countDrop('sampled', count),
    });

  const exempt = internals.exempt;
  const process = (record: ReadWriteLogRecord, context: Context): SamplingResult => {
    if (exempt !== undefined && exempt(record)) return record;
    const severity: number = record.severityNumber ?? 0;
    const spanContext = record.spanContext;
    if (severity >= floor) {
      if (buffer !== undefined && spanContext !== undefined && severity >= trigger) {
        buffer.release(spanContext.traceId);
      }
      return record;
    }
    if (record.attributes[RATE_LIMIT_KEY_ATTRIBUTE] !== undefined) return record;
    if (spanContext !== undefined) {
      if (followTraceFlags && (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) {
        return 'sampled';
      }
      if (sampleByRatio && !keepTraceId(spanContext.traceId, upperBound)) return 'sampled';
      if (buffer !== undefined) {
        const traceId = spanContext.traceId;
        if (severity >= trigger) {
          buffer.release(traceId);
        } else if (!buffer.passes(traceId)) {
          buffer.hold(traceId, record, context);
          return HELD;
        }
      }
    } else if (sampleByRatio && !(Math.random() < ratio)) {
      return 'sampled';
    }
    if (limiter !== undefined && !limiter.tryAcquire(rateLimitKey(record))) return 'rate-limited';
    return record;
  };

  const idle = !followTraceFlags && !sampleByRatio && !limiter && !buffer;
  let closed = false;

  return {
    name: 'sampling',
    dropReason: 'sampled',
    samples: true,
    init(stepHost: StepHost): void {
      host = stepHost;
    },
    process: idle ? passThrough : process,
    traceEnded(traceId: string): void {
      buffer?.end(traceId);
    },
    forceFlush(): Promise<void> {
      limiter?.flush();
      return Promise.resolve();
    },
    shutdown(): Promise<void> {
      if (!closed) {
        closed = true;
        limiter?.shutdown();
        buffer?.shutdown();
      }
      return Promise.resolve();
    },
  };
}

/**
 * A SpanProcessor that tells `step` when a trace ends: when a local root span
 * (one with no parent, or a remote parent) ends, its held records are
 * discarded. Add it to the TracerProvider. Spans that are not recording never
 * reach a SpanProcessor; their traces' records go at the buffer's timeout.
 */
export function createTraceEndSpanProcessor(step: Pick<SamplingStep, 'traceEnded'>): SpanProcessor {
  return {
    onStart(): void {},
    onEnd(span: ReadableSpan): void {
      const parent = span.parentSpanContext;
      if (parent === undefined || parent.isRemote === true) {
        step.traceEnded(span.spanContext().traceId);
      }
    },
    forceFlush(): Promise<void> {
      return Promise.resolve();
    },
    shutdown(): Promise<void> {
      return Promise.resolve();
    },
  };
}
