import {
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Meter,
  type Span,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { isThenable } from '../internal/objects.js';
import { reportOnce } from '../internal/reportOnce.js';
import { errorToAttributes } from '../logger/exceptionAttributes.js';
import { toAttributes } from '../logger/toAnyValue.js';
import { cpuMark, processCpuUtilization, processMemoryBytes } from '../metrics/processUsage.js';
import { redactedException, redactTextForOutput } from '../processors/redaction/outputRedaction.js';
import {
  errorType,
  guard,
  label,
  round,
  type CategoryEmit,
  type HelperAttributes,
} from './helperSupport.js';
import { ATTRS, DURATION_BUCKETS, EVENTS, METRICS, SCOPE } from './names.js';

/** A running timer; see {@link PerformanceHelpers.timer}. */
export interface PerformanceTimer {
  /**
   * Ends the span, records the duration and the record. Returns the duration
   * in ms. A second call does nothing and returns the first duration.
   */
  stop(attributes?: HelperAttributes): number;
}

export interface PerformanceHelpers {
  /**
   * Runs `fn` in a span named `name` (active while it runs, so its records and
   * child spans are correlated), then records the `logkit.operation.duration`
   * histogram (seconds, by `logkit.operation.name` and `error.type` on
   * failure) and a `performance` record with `duration_ms`,
   * `logkit.performance.memory_mb` (RSS at the end, MiB: the runtime
   * metric `process.memory.usage` / 2^20) and
   * `logkit.performance.cpu_percent` (semconv `process.cpu.utilization` × 100
   * over the measured time: user + system CPU time over wall time × CPUs, so
   * 0–100; the whole process's, so it includes concurrent work). Both are read
   * as the runtime metrics read them (src/metrics/processUsage.ts), so the two
   * never disagree. Returns what `fn` returns (a promise is
   * measured until it settles); rethrows what it throws.
   */
  measure<T>(name: string, fn: () => T, attributes?: HelperAttributes): T;
  /**
   * Starts a span and a clock; measured as by {@link measure} when `stop()` is
   * called. The span is not made active (no scope spans the caller's code), but
   * the record emitted at `stop()` carries its trace context.
   */
  timer(name: string, attributes?: HelperAttributes): PerformanceTimer;
}

interface Measurement {
  readonly span: Span | undefined;
  finish(error: unknown, failed: boolean, attributes: HelperAttributes | undefined): number;
}

/**
 * The `performance` category: `logkit.performance.measure` records, spans,
 * and the operation duration histogram (created here, once).
 */
export function createPerformanceHelpers(emit: CategoryEmit, meter: Meter): PerformanceHelpers {
  const histogram = meter.createHistogram(METRICS.performanceDuration.name, {
    unit: METRICS.performanceDuration.unit,
    description: 'Duration of operations measured by otel-logkit performance helpers.',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const start = (rawName: string, base: HelperAttributes | undefined): Measurement | undefined => {
    try {
      // The span name, a span attribute and a metric attribute: redacted here.
      const name = label(rawName);
      const span = trace.getTracer(SCOPE).startSpan(name, {
        attributes: { [ATTRS.operationName]: name },
      });
      const t0 = globalThis.performance.now();
      const cpu0 = cpuMark();
      let done: number | undefined;
      return {
        span,
        finish(error, failed, attributes) {
          if (done !== undefined) return done;
          const durationMs = globalThis.performance.now() - t0;
          done = durationMs;
          guard('performance', () => {
            const metricAttributes: Attributes = { [ATTRS.operationName]: name };
            if (failed) metricAttributes[ATTR_ERROR_TYPE] = errorType(error);
            // Converted first: spreading a getter that throws or a Proxy would throw.
            const record: Record<string, unknown> = {
              ...(base === undefined ? {} : toAttributes(base)),
              ...(attributes === undefined ? {} : toAttributes(attributes)),
              ...metricAttributes,
              [ATTRS.success]: !failed,
              [ATTRS.durationMs]: round(durationMs, 3),
              [ATTRS.memoryMb]: round(processMemoryBytes() / (1024 * 1024), 2),
              [ATTRS.cpuPercent]: round(processCpuUtilization(cpu0) * 100, 1),
            };
            if (failed) Object.assign(record, errorToAttributes(error));
            context.with(trace.setSpan(context.active(), span), () =>
              emit(
                EVENTS.performanceMeasure,
                failed ? 'error' : 'info',
                failed
                  ? `${name} failed after ${durationMs.toFixed(1)} ms`
                  : `${name} took ${durationMs.toFixed(1)} ms`,
                record,
              ),
            );
            histogram.record(durationMs / 1000, metricAttributes);
            if (failed) {
              // Span events and statuses are outputs too: redacted like records.
              if (error instanceof Error) span.recordException(redactedException(error));
              span.setAttribute(ATTR_ERROR_TYPE, String(metricAttributes[ATTR_ERROR_TYPE]));
              span.setStatus({
                code: SpanStatusCode.ERROR,
                message:
                  error instanceof Error ? redactTextForOutput(String(error.message)) : undefined,
              });
            }
          });
          try {
            span.end();
          } catch (e) {
            reportOnce('categories.performance.span', 'a performance span could not end', e);
          }
          return durationMs;
        },
      };
    } catch (error) {
      reportOnce(
        'categories.performance',
        'the performance helper failed; nothing was recorded',
        error,
      );
      return undefined;
    }
  };

  return {
    measure<T>(name: string, fn: () => T, attributes?: HelperAttributes): T {
      const m = start(name, attributes);
      if (!m) return fn();
      let result: T;
      try {
        result = m.span ? context.with(trace.setSpan(context.active(), m.span), fn) : fn();
      } catch (error) {
        m.finish(error, true, undefined);
        throw error;
      }
      if (isThenable(result)) {
        return Promise.resolve(result).then(
          (value) => {
            m.finish(undefined, false, undefined);
            return value;
          },
          (error: unknown) => {
            m.finish(error, true, undefined);
            throw error;
          },
        ) as T;
      }
      m.finish(undefined, false, undefined);
      return result;
    },
    timer(name: string, attributes?: HelperAttributes): PerformanceTimer {
      const m = start(name, attributes);
      let stopped: number | undefined;
      const t0 = globalThis.performance.now();
      return {
        stop(extra?: HelperAttributes): number {
          if (stopped !== undefined) return stopped;
          stopped = m ? m.finish(undefined, false, extra) : globalThis.performance.now() - t0;
          return stopped;
        },
      };
    },
  };
}
