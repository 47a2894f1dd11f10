import { fail, integer, isObject, number } from '../../config/validate.js';
import {
  BUILTIN_LEVELS,
  resolveMinSeverity,
  type LevelDefinition,
  type LevelInput,
} from '../../logger/levels.js';

/** Rate limiting: a token bucket per key. */
export interface RateLimitOptions {
  /** Records per second each key may pass, refilled continuously; > 0. */
  readonly perSecond: number;
  /** Most records a key may pass at once; >= 1. Default: `perSecond` (at least 1). */
  readonly burst?: number;
  /** How often, in ms, one "suppressed N similar records" summary per key is emitted. Default 10000. */
  readonly windowMillis?: number;
}

/** Buffer-until-error ("fingers crossed") by trace. */
export interface BufferUntilErrorOptions {
  /** A record at or above this level releases its trace's held records. Default `'error'`. */
  readonly triggerLevel?: LevelInput;
  /** Records held per trace; beyond it the oldest is dropped. Default 200. */
  readonly maxRecordsPerTrace?: number;
  /** Traces held at once; beyond it the oldest trace is dropped. Default 1000. */
  readonly maxTraces?: number;
  /** Held records older than this (ms) are dropped. Default 30000. */
  readonly timeoutMillis?: number;
}

/**
 * The `sampling` option. The parts run in this order, each only on records
 * below {@link alwaysKeepLevel}: trace flags, ratio, buffer-until-error, rate
 * limit.
 */
export interface SamplingOptions {
  /** Records at or above this level are always kept, by every part of sampling. Default `'warn'`. */
  readonly alwaysKeepLevel?: LevelInput;
  /**
   * Keep ratio 0..1 for records below {@link alwaysKeepLevel}; default 1. In
   * a trace the decision derives from the trace id (as the SDK's
   * TraceIdRatioBasedSampler does for spans), so a trace's records are kept or
   * dropped together, and spans and logs sampled at the same ratio keep the
   * same traces; outside a trace, at random.
   */
  readonly ratio?: number;
  /** Drop records whose span context is not sampled (trace flags bit 0 unset). Default false. */
  readonly followTraceFlags?: boolean;
  /**
   * A token bucket per key: the event name, else the body when it is a
   * string, else the instrumentation scope name. Suppressed records are
   * summarised once per key and window by a WARN record
   * `suppressed N similar records`.
   */
  readonly rateLimit?: RateLimitOptions;
  /**
   * Hold the records of each trace below {@link alwaysKeepLevel} until a
   * record at or above `triggerLevel` in the same trace releases them, in
   * order, before it; otherwise drop them when the trace ends or after
   * `timeoutMillis`. `true` takes the defaults.
   */
  readonly bufferUntilError?: boolean | BufferUntilErrorOptions;
}

/** {@link SamplingOptions} validated, with defaults filled in. */
export interface ResolvedSampling {
  /** SeverityNumber at and above which records are always kept; `Infinity` for `silent`. */
  readonly floor: number;
  readonly ratio: number;
  readonly followTraceFlags: boolean;
  readonly rateLimit:
    | { readonly perSecond: number; readonly burst: number; readonly windowMillis: number }
    | undefined;
  readonly buffer:
    | {
        readonly trigger: number;
        readonly maxRecordsPerTrace: number;
        readonly maxTraces: number;
        readonly timeoutMillis: number;
      }
    | undefined;
}

const OPTION = 'option sampling';

function wholeNumber(value: unknown, source: string, fallback: number, min: number): number {
  return integer(value === undefined ? undefined : { value, source }, fallback, {
    min,
    strings: false,
  });
}

function level(
  value: unknown,
  source: string,
  levels: ReadonlyMap<string, LevelDefinition>,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' && typeof value !== 'number') {
    fail(source, value, 'a level name or a SeverityNumber from 1 to 24');
  }
  return resolveMinSeverity({ value, source }, levels);
}

/**
 * Validates the `sampling` option and fills in its defaults.
 *
 * @throws {@link LoggingConfigError} naming the first bad value (`option sampling.ratio`).
 */
export function resolveSamplingOptions(
  options: SamplingOptions | undefined,
  levels: ReadonlyMap<string, LevelDefinition>,
): ResolvedSampling {
  if (options === undefined) {
    return {
      floor: BUILTIN_LEVELS.warn.severityNumber,
      ratio: 1,
      followTraceFlags: false,
      rateLimit: undefined,
      buffer: undefined,
    };
  }
  if (!isObject(options)) fail(OPTION, options, 'an object');

  const floor = level(
    options.alwaysKeepLevel,
    `${OPTION}.alwaysKeepLevel`,
    levels,
    BUILTIN_LEVELS.warn.severityNumber,
  );

  const ratio = number(
    options.ratio === undefined ? undefined : { value: options.ratio, source: `${OPTION}.ratio` },
    1,
    { min: 0, max: 1, expected: 'a number from 0 to 1' },
  );

  const followTraceFlags = options.followTraceFlags ?? false;
  if (typeof followTraceFlags !== 'boolean') {
    fail(`${OPTION}.followTraceFlags`, followTraceFlags, '`true` or `false`');
  }

  let rateLimit: ResolvedSampling['rateLimit'];
  if (options.rateLimit !== undefined) {
    const source = `${OPTION}.rateLimit`;
    const given: unknown = options.rateLimit;
    if (!isObject(given)) fail(source, given, 'an object with perSecond');
    const { perSecond, burst, windowMillis } = given;
    if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0) {
      fail(`${source}.perSecond`, perSecond, 'a number > 0');
    }
    if (
      burst !== undefined &&
      (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1)
    ) {
      fail(`${source}.burst`, burst, 'a number >= 1');
    }
    rateLimit = {
      perSecond,
      burst: burst ?? Math.max(1, perSecond),
      windowMillis: wholeNumber(windowMillis, `${source}.windowMillis`, 10_000, 1),
    };
  }

  let buffer: ResolvedSampling['buffer'];
  const given: unknown = options.bufferUntilError;
  if (given !== undefined && given !== false) {
    const source = `${OPTION}.bufferUntilError`;
    if (given !== true && !isObject(given)) fail(source, given, '`true`, `false` or an object');
    const b: Record<string, unknown> = given === true ? {} : given;
    const trigger = level(
      b.triggerLevel,
      `${source}.triggerLevel`,
      levels,
      BUILTIN_LEVELS.error.severityNumber,
    );
    if (trigger === Number.POSITIVE_INFINITY) {
      fail(`${source}.triggerLevel`, b.triggerLevel, 'a level name other than silent');
    }
    buffer = {
      trigger,
      maxRecordsPerTrace: wholeNumber(b.maxRecordsPerTrace, `${source}.maxRecordsPerTrace`, 200, 1),
      maxTraces: wholeNumber(b.maxTraces, `${source}.maxTraces`, 1000, 1),
      timeoutMillis: wholeNumber(b.timeoutMillis, `${source}.timeoutMillis`, 30_000, 1),
    };
  }

  return { floor, ratio, followTraceFlags, rateLimit, buffer };
}
