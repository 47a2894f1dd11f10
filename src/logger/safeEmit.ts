import type {
  LogRecord,
  Logger as OtelLogger,
  LoggerProvider as ApiLoggerProvider,
} from '@opentelemetry/api';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { LogAttributes } from './anyValue.js';
import { reportOnce } from '../internal/reportOnce.js';
import { toAnyValue, toAttributes, toAttributeValue } from './toAnyValue.js';

/**
 * An attribute named `__proto__` is an ordinary attribute to OpenTelemetry,
 * but the SDK stores attributes by assignment (`attributes[key] = value`),
 * which for that one key sets the map's prototype instead (or is ignored for
 * a primitive value). So the key travels beside the record: {@link emitRecord}
 * takes it out before the SDK sees it, and the pipeline puts it back on the
 * SDK's record as an own property ({@link takeProtoAttribute}), after which
 * assignments to it are ordinary. The emit path is synchronous, so one slot
 * suffices; it is cleared after every emit, whether the SDK kept the record
 * or not. (`constructor` and `prototype` need nothing: assigning them makes
 * own properties.)
 */
let pending: { value: unknown } | undefined;

const PROTO = '__proto__';

/** Emits `record` through `logger`, carrying an own `__proto__` attribute past the SDK. */
export function emitRecord(logger: OtelLogger, record: LogRecord): void {
  const attributes = record.attributes;
  if (attributes === undefined || attributes === null || !Object.hasOwn(attributes, PROTO)) {
    logger.emit(record);
    return;
  }
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(attributes)) {
    if (key !== PROTO) rest[key] = (attributes as Record<string, unknown>)[key];
  }
  const outer = pending;
  pending = { value: (attributes as Record<string, unknown>)[PROTO] };
  try {
    logger.emit({ ...record, attributes: rest });
  } finally {
    pending = outer;
  }
}

/**
 * An attribute map carried past the SDK's `LogRecordImpl` constructor, which
 * would validate (`isAnyValue`, a WeakSet per attribute) and deep-copy
 * (`copyAndTruncAnyValue`, even with no length limit) every value of a map
 * our conversion has just built fresh and valid: that was about 30 % of the
 * emit path's CPU in a profile of the default chain (Node 24, sdk-logs
 * 3.1.1); carrying it measured 2513 → 1716 ns per record for the default
 * chain (pipeline bench record, fastest of 8 interleaved rounds in one
 * process, load ~5 on 2 cores). The record is emitted without attributes
 * and the pipeline, the provider's only processor, adopts the map as the
 * record's own ({@link takeCarriedAttributes}). Same synchronous slot
 * discipline as {@link pending}.
 */
let carried: LogAttributes | undefined;

/**
 * Emits `record` (whose own `attributes` are ignored) through `logger` with
 * `attributes` carried past the SDK. The map must be fresh and owned by this
 * record alone, its values valid AnyValues sharing nothing mutable with the
 * caller (toAnyValue's output), as the record adopts it without a copy; and
 * `logger` must come from a provider whose processor is the pipeline. A
 * record with an `exception` must not be emitted this way (the SDK would set
 * attributes from it that the adoption replaces).
 */
export function emitCarrying(
  logger: OtelLogger,
  record: LogRecord,
  attributes: LogAttributes,
): void {
  const outer = carried;
  carried = attributes;
  try {
    logger.emit(record);
  } finally {
    carried = outer;
  }
}

/** The fields of sdk-logs' LogRecordImpl that adopting a map relies on. */
interface AdoptingRecord {
  attributes: LogAttributes;
  _attributesCount: number;
}

/** Whether records of this SDK can adopt a map: decided on the first carried record. */
let adoptable: boolean | undefined;

function canAdopt(record: object): boolean {
  if (adoptable === undefined) {
    const descriptor = Object.getOwnPropertyDescriptor(record, 'attributes');
    adoptable =
      descriptor !== undefined &&
      descriptor.writable === true &&
      typeof descriptor.value === 'object' &&
      descriptor.value !== null &&
      typeof (record as Partial<AdoptingRecord>)._attributesCount === 'number';
  }
  return adoptable;
}

/**
 * Gives the SDK's record the attributes {@link emitCarrying} carried, and an
 * own `__proto__` attribute {@link emitRecord} carried. Called first thing in
 * the pipeline's `onEmit`. When the record has none yet (the usual case) it
 * adopts the map as its attribute map, as the SDK's `setAttribute` would
 * have built it (same keys, values, count); otherwise (an SDK whose record
 * differs, an empty key the SDK refuses) they are set one by one through the
 * SDK, `__proto__` as an own property.
 */
export function takeCarriedAttributes(record: ReadWriteLogRecord): void {
  takeProtoAttribute(record);
  const attributes = carried;
  if (attributes === undefined) return;
  carried = undefined;
  let count = 0;
  let emptyKey = false;
  for (const key in attributes) {
    if (key === '') emptyKey = true;
    count++;
  }
  const target = record as unknown as AdoptingRecord;
  if (!emptyKey && canAdopt(record) && target._attributesCount === 0) {
    target.attributes = attributes;
    target._attributesCount = count;
    return;
  }
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (key !== PROTO) record.setAttribute(key, value);
    else {
      try {
        Object.defineProperty(record.attributes, PROTO, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } catch {
        // A frozen attribute map: the attribute is lost, as any the SDK refuses.
      }
    }
  }
}

/** Puts a carried `__proto__` attribute on the SDK's record as an own property. */
function takeProtoAttribute(record: ReadWriteLogRecord): void {
  if (pending === undefined) return;
  const { value } = pending;
  pending = undefined;
  if (value === undefined) return;
  try {
    Object.defineProperty(record.attributes, PROTO, {
      value: toAttributeValue(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } catch {
    // A frozen attribute map: the attribute is lost, as any the SDK refuses.
  }
}

/**
 * A Logs API logger for the global LoggerProvider, so that plain
 * `logs.getLogger().emit()` calls are as safe as otel-logkit's loggers: the
 * body and attributes are converted to AnyValues first (circular references,
 * throwing getters, Proxies, typed arrays described or copied; see
 * toAnyValue), where the SDK would throw into the caller on a getter that
 * throws; `__proto__` is carried as above; and nothing thrown reaches the
 * caller (reported once through diag).
 */
export function safeLogger(logger: OtelLogger): OtelLogger {
  return {
    emit: (record) => {
      try {
        const attributes = record.attributes;
        const body = record.body === undefined ? undefined : toAnyValue(record.body);
        if (attributes === undefined || attributes === null) {
          emitRecord(logger, { ...record, body, attributes: undefined });
        } else if (record.exception === undefined) {
          // toAttributes builds a fresh map: carried past the SDK's copy.
          emitCarrying(
            logger,
            { ...record, body, attributes: undefined },
            toAttributes(attributes),
          );
        } else {
          emitRecord(logger, { ...record, body, attributes: toAttributes(attributes) });
        }
      } catch (error) {
        reportOnce('logs-api.emit', 'a Logs API emit failed; the record was dropped', error);
      }
    },
    enabled: (options) => {
      try {
        return logger.enabled(options);
      } catch {
        return false;
      }
    },
  };
}

/** A LoggerProvider whose loggers are {@link safeLogger}s; for the global registration. */
export function safeLoggerProvider(provider: ApiLoggerProvider): ApiLoggerProvider {
  return {
    getLogger: (name, version, options) => safeLogger(provider.getLogger(name, version, options)),
  };
}
