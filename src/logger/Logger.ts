import type { LogRecord, Logger as OtelLogger } from '@opentelemetry/api';
import type { AnyValue, LogAttributes } from './anyValue.js';
import { reportOnce } from '../internal/reportOnce.js';
import { hasOwnProperty } from '../internal/objects.js';
import { errorToAttributes } from './exceptionAttributes.js';
import { emitCarrying, emitRecord } from './safeEmit.js';
import { directEmitter, type DirectEmit } from './DirectEmitter.js';
import type { BuiltinLevelName, LevelDefinition, LevelInput } from './levels.js';
import { toAnyValue, toAttributes } from './toAnyValue.js';

/** A value, or a function computed only when the level is enabled. */
export type Lazy<T> = T | (() => T);

/**
 * Attributes of one log call. Any JS value is accepted and converted to an OTel
 * AnyValue; a top-level function value is called only when the level is enabled.
 */
export type LogCallAttributes = Readonly<Record<string, unknown>>;

/**
 * A level method such as `logger.info`. Forms:
 * - `(message, attributes?)`
 * - `(error, attributes?)`: the body is the error's message and the error maps
 *   onto `exception.type`, `exception.message`, `exception.stacktrace`
 *   (semconv "Exceptions" page, https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-logs/);
 * - `(message, error, attributes?)`.
 *
 * Never throws; returns nothing.
 */
export interface LogMethod {
  (message: Lazy<string>, attributes?: LogCallAttributes): void;
  (error: Error, attributes?: LogCallAttributes): void;
  (message: Lazy<string>, error: unknown, attributes?: LogCallAttributes): void;
}

/** Options of `handle.getLogger(name, options)`. */
export interface GetLoggerOptions {
  /** Sets the `logkit.category` attribute on every record (`user`, `system`, `tool`, `llm`, `security`, `performance`, or your own). */
  readonly category?: string;
  /** Minimum level of this logger; default the `level` given to registerLogging. */
  readonly level?: LevelInput;
  /** Attributes put on every record of this logger. */
  readonly attributes?: LogCallAttributes;
  /** InstrumentationScope version. */
  readonly version?: string;
}

/** What loggers of one registration share; built once by registerLogging. */
export interface LoggerShared {
  readonly levels: ReadonlyMap<string, LevelDefinition>;
  resolveMinSeverity(level: LevelInput, source: string): number;
}

function noop(): void {}

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
  } catch {
    // A Proxy whose traps throw (or a revoked one) is no Error.
    return false;
  }
}

function evaluate(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (error) {
    reportOnce('lazy-value', 'a lazy log value threw; it was logged as [Lazy value failed]', error);
    let message: string;
    try {
      message = error instanceof Error ? error.message : String(error);
    } catch {
      message = 'unknown error';
    }
    return `[Lazy value failed: ${message}]`;
  }
}

/**
 * The otel-logkit logger: level methods over an OTel Logs API Logger, so a
 * record emitted inside an active span carries its trace and span ids.
 * Created by `handle.getLogger()`; the level methods of disabled levels are
 * bound to a no-op at construction, so a disabled call costs one function call.
 *
 * @typeParam L - user-defined level names, each also a method.
 */
export class LogkitLogger<L extends string = never> {
  /** The logger's name, its InstrumentationScope name. */
  readonly name: string;
  /** Minimum SeverityNumber this logger emits (`Infinity` when silent). */
  readonly minSeverity: number;

  declare readonly trace: LogMethod;
  declare readonly debug: LogMethod;
  declare readonly verbose: LogMethod;
  declare readonly info: LogMethod;
  declare readonly notice: LogMethod;
  declare readonly warn: LogMethod;
  declare readonly error: LogMethod;
  declare readonly alert: LogMethod;
  declare readonly fatal: LogMethod;
  declare readonly emergency: LogMethod;

  private readonly otel: OtelLogger;
  private readonly shared: LoggerShared;
  private readonly bound: LogAttributes;
  private readonly hasBound: boolean;
  /** Whether a bound value is a map, array or bytes: then each record gets its own copy. */
  private readonly boundNested: boolean;
  /** The level methods' emit when `otel` is sdk-logs' Logger (see DirectEmitter). */
  private readonly direct: DirectEmit | undefined;

  /** @internal use `handle.getLogger()`. */
  constructor(
    name: string,
    otel: OtelLogger,
    shared: LoggerShared,
    bound: LogAttributes,
    minSeverity: number,
    direct: DirectEmit | undefined = directEmitter(otel),
  ) {
    this.name = name;
    this.otel = otel;
    this.direct = direct;
    this.shared = shared;
    this.bound = bound;
    this.hasBound = Object.keys(bound).length > 0;
    this.boundNested = Object.values(bound).some((v) => typeof v === 'object' && v !== null);
    this.minSeverity = minSeverity;
    const methods = this as unknown as Record<string, LogMethod>;
    for (const level of shared.levels.values()) {
      methods[level.name] = level.severityNumber >= minSeverity ? this.method(level) : noop;
    }
  }

  /** Logs at a level given by name; an unknown name is reported once through diag and dropped. */
  log(level: BuiltinLevelName | L, message: Lazy<string> | Error, ...rest: unknown[]): void {
    const method = this.shared.levels.has(level)
      ? (this as unknown as Record<string, (...args: unknown[]) => void>)[level]
      : undefined;
    if (method) method.call(this, message, ...rest);
    else
      reportOnce(
        `unknown-level:${String(level)}`,
        `unknown level ${String(level)}; record dropped`,
      );
  }

  /**
   * Whether a record at `level` (name or SeverityNumber) would be emitted.
   * Never throws: an unknown level is false.
   */
  enabled(level: BuiltinLevelName | L | number): boolean {
    const severityNumber =
      typeof level === 'number' ? level : this.shared.levels.get(level)?.severityNumber;
    if (severityNumber === undefined || severityNumber < this.minSeverity) return false;
    try {
      return this.otel.enabled({ severityNumber });
    } catch {
      return false;
    }
  }

  /**
   * Emits a record in the OTel LogRecord shape (`eventName`, `body`,
   * `attributes`, `severityNumber`, `severityText`, `timestamp`, `context`,
   * `exception`), so code written for the plain Logs API works unchanged. The
   * logger's category and bound attributes are added; values are converted to
   * AnyValue. Records below the logger's level are dropped. Never throws.
   */
  emit(record: LogRecord): void {
    try {
      const severity: number | undefined = record.severityNumber;
      if (this.minSeverity > 1 && (severity ?? 0) < this.minSeverity) {
        // Records with no severity pass, as the SDK's minimumSeverity lets them,
        // unless the logger is silent.
        if (severity !== undefined || this.minSeverity === Number.POSITIVE_INFINITY) return;
      }
      const attributes = record.attributes
        ? this.hasBound
          ? { ...this.ownBound(), ...toAttributes(record.attributes) }
          : toAttributes(record.attributes)
        : this.ownBound();
      const body = record.body === undefined ? undefined : toAnyValue(record.body);
      if (record.exception === undefined) {
        emitCarrying(this.otel, { ...record, body, attributes: undefined }, attributes);
      } else {
        emitRecord(this.otel, { ...record, body, attributes });
      }
    } catch (error) {
      reportOnce('logger.emit', 'emit failed; the record was dropped', error);
    }
  }

  /**
   * A logger with `attributes` added to every record (over this logger's own),
   * sharing this logger's name, level and category.
   */
  child(attributes: LogCallAttributes): Logger<L> {
    let bound = this.bound;
    try {
      bound = { ...this.bound, ...toAttributes(attributes) };
    } catch (error) {
      reportOnce('logger.child', 'child attributes could not be converted', error);
    }
    return new LogkitLogger<L>(
      this.name,
      this.otel,
      this.shared,
      bound,
      this.minSeverity,
      this.direct,
    ) as Logger<L>;
  }

  /**
   * A fresh copy of the bound attributes for one record, which adopts it as
   * its attribute map (see emitCarrying): nested values are copied too, as a
   * step may change them in place.
   */
  private ownBound(): LogAttributes {
    return this.boundNested ? toAttributes(this.bound) : { ...this.bound };
  }

  private method(level: LevelDefinition): LogMethod {
    const { severityNumber, severityText } = level;
    return (first: unknown, second?: unknown, third?: unknown) => {
      try {
        const attributes: LogAttributes = this.hasBound ? this.ownBound() : {};
        let body: AnyValue;
        let error: unknown;
        let extra: unknown;
        if (isError(first)) {
          error = first;
          extra = second;
          body = first.message || first.name;
        } else {
          const message = typeof first === 'function' ? evaluate(first as () => unknown) : first;
          body = typeof message === 'string' ? message : toAnyValue(message);
          if (isError(second) || third !== undefined) {
            error = second;
            extra = third;
          } else {
            extra = second;
          }
        }
        if (extra !== null && typeof extra === 'object') {
          try {
            addAttributes(attributes, extra);
          } catch {
            // Keys that cannot be listed (a Proxy's trap threw): convert the
            // whole object, which describes what it cannot read.
            const converted = toAttributes(extra as Record<string, unknown>);
            for (const key of Object.keys(converted)) {
              Object.defineProperty(attributes, key, {
                value: converted[key],
                enumerable: true,
                writable: true,
                configurable: true,
              });
            }
          }
        }
        if (error !== undefined) Object.assign(attributes, errorToAttributes(error));
        // The map is fresh and its values are toAnyValue's: the record adopts
        // it, past the SDK's validation and copy (see emitCarrying).
        const direct = this.direct;
        if (direct !== undefined) direct(severityNumber, severityText, body, attributes);
        else emitCarrying(this.otel, { severityNumber, severityText, body }, attributes);
      } catch (failure) {
        // Not dropped: the record goes out with what can be read of it.
        reportOnce(
          'logger.emit',
          'a log call failed; the record was emitted without its attributes',
          failure,
        );
        try {
          this.otel.emit({ severityNumber, severityText, body: toAnyValue(first) });
        } catch (again) {
          reportOnce('logger.emit.fallback', 'a log call failed; the record was dropped', again);
        }
      }
    };
  }
}

/**
 * Copies the own enumerable attributes of `extra` into `attributes`,
 * converted with toAnyValue (so fresh); a lazy (function) value is evaluated. A getter that throws
 * costs only its own value; an object whose keys cannot be listed throws.
 */
function addAttributes(attributes: LogAttributes, extra: object): void {
  for (const key in extra) {
    if (!hasOwnProperty.call(extra, key)) continue;
    let value: unknown;
    try {
      value = (extra as Record<string, unknown>)[key];
    } catch (error) {
      // As toAnyValue describes a getter that throws.
      let message = 'unknown error';
      try {
        message = error instanceof Error ? error.message : String(error);
      } catch {
        // keep the placeholder
      }
      value = `[Unserializable: ${message}]`;
    }
    if (typeof value === 'function') value = evaluate(value as () => unknown);
    if (value === undefined) continue;
    // Converted, so copied: the record adopts the map without the SDK's
    // copy (see emitCarrying), and the caller may change its objects later.
    if (key === '__proto__') {
      // An ordinary attribute, not the map's prototype.
      Object.defineProperty(attributes, key, {
        value: toAnyValue(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      attributes[key] = toAnyValue(value);
    }
  }
}

/** A {@link LogkitLogger} with a method for each user-defined level `L`. */
export type Logger<L extends string = never> = LogkitLogger<L> & { readonly [K in L]: LogMethod };
