import type {
  LogRecord,
  Logger as OtelLogger,
  LoggerProvider as ApiLoggerProvider,
} from '@opentelemetry/api';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
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

/** Puts a carried `__proto__` attribute on the SDK's record as an own property. */
export function takeProtoAttribute(record: ReadWriteLogRecord): void {
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
        emitRecord(logger, {
          ...record,
          body: record.body === undefined ? undefined : toAnyValue(record.body),
          attributes:
            attributes === undefined || attributes === null ? undefined : toAttributes(attributes),
        });
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
