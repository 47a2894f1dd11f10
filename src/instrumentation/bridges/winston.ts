import { SeverityNumber, type LogRecord } from '@opentelemetry/api';
import type { Writable } from 'node:stream';
import { reportOnce } from '../../internal/reportOnce.js';
import { requireOptional } from '../../internal/requireOptional.js';
import { errorToAttributes } from '../../logger/exceptionAttributes.js';
import type { LoggingHandle } from '../../LoggingHandle.js';
import {
  bridgeLogger,
  isError,
  serialisedErrorAttributes,
  setOwn,
  toTimestamp,
  type BridgeOptions,
} from './common.js';

// winston-transport is an optional peer: these declarations describe what otel-logkit uses of
// it structurally, so the published types do not import it (a consumer without winston compiles
// them with skipLibCheck off). winston's own types accept them: a winston-transport
// `TransportStream` is a `WinstonTransportInstance`, and the reverse holds where winston reads
// one (`createLogger({ transports })`).

/** The options of a `winston-transport` transport that {@link winstonTransport} passes on. */
export interface WinstonTransportBaseOptions {
  /** The most verbose level this transport logs; default: the logger's level. */
  level?: string;
  /** A logform format applied before this transport, e.g. `winston.format.json()`. */
  format?: { transform(info: any, opts?: any): any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- logform's own signature
  /** Drops every record when true; default false. */
  silent?: boolean;
  /** Logs uncaught exceptions; default false. */
  handleExceptions?: boolean;
  /** Logs unhandled promise rejections; default false. */
  handleRejections?: boolean;
}

/** A winston transport: a writable stream in object mode with winston's `log` method. */
export interface WinstonTransportInstance extends Writable {
  /** As {@link WinstonTransportBaseOptions.level}. */
  level?: string;
  /** As {@link WinstonTransportBaseOptions.silent}. */
  silent?: boolean;
  /** As {@link WinstonTransportBaseOptions.handleExceptions}. */
  handleExceptions?: boolean;
  /** As {@link WinstonTransportBaseOptions.handleRejections}. */
  handleRejections?: boolean;
  /** Receives one winston `info` object; calls `next` when done. Never throws. */
  log?(info: any, next: () => void): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- winston-transport's own signature
  /** Called by winston when the transport is removed or the logger closed. */
  close?(): void;
}

/** The `winston-transport` base class, `require('winston-transport')`. */
export type WinstonTransportClass = new (
  options?: WinstonTransportBaseOptions,
) => WinstonTransportInstance;

/** Options of {@link winstonTransport}. */
export interface WinstonTransportOptions extends BridgeOptions, WinstonTransportBaseOptions {
  /**
   * SeverityNumbers for level names, over the built-in mapping of winston's
   * npm, syslog and cli levels; for custom levels.
   */
  readonly severities?: Readonly<Record<string, number>>;
  /**
   * The `winston-transport` base class to extend. Default: loaded with
   * `require('winston-transport')` on the first call. Pass it where that
   * cannot resolve (a bundle, a strict pnpm layout without the optional peer).
   */
  readonly Transport?: WinstonTransportClass;
}

const S = SeverityNumber;

/**
 * winston's level names → SeverityNumber: the npm levels (winston's default),
 * then the syslog and cli levels where they add names. `verbose` is DEBUG3 as
 * otel-logkit's own `verbose`, `http` DEBUG4 just above it; the syslog levels
 * as the Logs Data Model's appendix B maps them.
 */
const WINSTON_SEVERITIES: Readonly<Record<string, number>> = {
  // npm
  error: S.ERROR,
  warn: S.WARN,
  info: S.INFO,
  http: S.DEBUG4,
  verbose: S.DEBUG3,
  debug: S.DEBUG,
  silly: S.TRACE,
  // syslog
  emerg: S.FATAL,
  alert: S.ERROR3,
  crit: S.ERROR2,
  warning: S.WARN,
  notice: S.INFO2,
  // cli
  help: S.INFO3,
  data: S.INFO2,
  prompt: S.TRACE4,
  input: S.TRACE2,
};

const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');

let loaded: WinstonTransportClass | undefined;

function loadTransportClass(): WinstonTransportClass {
  if (loaded) return loaded;
  try {
    loaded = requireOptional<WinstonTransportClass>('winston-transport');
  } catch (error) {
    throw new Error(
      'otel-logkit: winstonTransport() needs the winston-transport package: install it, or pass its class as options.Transport',
      { cause: error },
    );
  }
  return loaded;
}

/**
 * A winston transport that hands every record to otel-logkit's pipeline, so
 * an app keeps its winston calls and gets trace correlation, redaction,
 * sampling and the OTLP, console and file exporters:
 *
 * ```ts
 * import winston from 'winston';
 * const log = winston.createLogger({ transports: [winstonTransport(handle, { category: 'system' })] });
 * ```
 *
 * Each `info` becomes one record:
 * - severity from the level (npm: error 17 ERROR, warn 13 WARN, info 9 INFO,
 *   http 8 DEBUG4, verbose 7 DEBUG3, debug 5 DEBUG, silly 1 TRACE; the syslog
 *   and cli levels too; others through `severities`); severityText is the
 *   level's name in upper case, read from the uncoloured `Symbol.for('level')`;
 * - body: `info.message` (winston appends a meta error's message to it);
 * - timestamp: `info.timestamp` when a `format.timestamp()` set a parsable one;
 * - attributes: the other fields: meta, `defaultMeta`, child logger fields;
 * - an error (the info itself for `log.error(err)`, an Error among the
 *   arguments or meta values, or the `stack` that `format.errors()` leaves)
 *   becomes `exception.type`, `exception.message` and `exception.stacktrace`.
 *
 * The active trace context is kept: winston calls its transports
 * synchronously inside the log call (its formats are synchronous), so the
 * record is emitted in the caller's context and carries its span's ids.
 *
 * `winston-transport` is loaded when this is first called (it is an optional
 * peer dependency, installed with winston), not when otel-logkit is imported.
 * Without `handle`, the live registration is used, looked up per record; with
 * none, records are dropped. Never throws while logging.
 *
 * @throws Error when `winston-transport` cannot be loaded and no
 *   `options.Transport` is given.
 */
export function winstonTransport<L extends string = never>(
  handle?: LoggingHandle<L>,
  options: WinstonTransportOptions = {},
): WinstonTransportInstance {
  const Base = options.Transport ?? loadTransportClass();
  const getLogger = bridgeLogger(handle, 'winston', options);
  const severities = { ...WINSTON_SEVERITIES, ...options.severities };

  class LogkitWinstonTransport extends Base {
    override log(info: unknown, callback: () => void): void {
      try {
        const logger = getLogger();
        if (logger && info !== null && typeof info === 'object') {
          logger.emit(toRecord(info as Record<string | symbol, unknown>, severities));
        }
      } catch (error) {
        reportOnce('bridge:winston', 'the winston bridge could not emit a record', error);
      }
      setImmediate(() => this.emit('logged', info));
      callback();
    }
  }

  const transportOptions: WinstonTransportBaseOptions = {};
  for (const key of [
    'level',
    'format',
    'silent',
    'handleExceptions',
    'handleRejections',
  ] as const) {
    if (options[key] !== undefined) Object.assign(transportOptions, { [key]: options[key] });
  }
  return new LogkitWinstonTransport(transportOptions);
}

function toRecord(
  info: Record<string | symbol, unknown>,
  severities: Readonly<Record<string, number>>,
): LogRecord {
  const rawLevel = info[LEVEL] ?? info.level;
  const level = typeof rawLevel === 'string' ? rawLevel : undefined;
  const record: LogRecord = {};
  if (level !== undefined) {
    const severityNumber = Object.hasOwn(severities, level) ? severities[level] : undefined;
    if (severityNumber !== undefined) record.severityNumber = severityNumber;
    record.severityText = level.toUpperCase();
  }
  const message = info.message;
  if (message !== undefined) record.body = message;

  let exception: Record<string, string> | undefined = isError(info)
    ? errorToAttributes(info)
    : undefined;
  const attributes: Record<string, unknown> = {};
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'stack') continue;
    const value = info[key];
    if (key === 'timestamp') {
      const timestamp = toTimestamp(value);
      if (timestamp) {
        record.timestamp = timestamp;
        continue;
      }
    }
    if (isError(value)) {
      exception ??= errorToAttributes(value);
      continue;
    }
    setOwn(attributes, key, value);
  }
  if (!exception) {
    const splat = info[SPLAT];
    const error = Array.isArray(splat) ? splat.find(isError) : undefined;
    if (error !== undefined) exception = errorToAttributes(error);
    else if (typeof info.stack === 'string') {
      exception = serialisedErrorAttributes({ stack: info.stack });
    }
  }
  if (exception) Object.assign(attributes, exception);
  record.attributes = attributes;
  return record;
}
