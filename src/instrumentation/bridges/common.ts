import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from '@opentelemetry/semantic-conventions';
import { reportOnce } from '../../internal/reportOnce.js';
import type { LogRecord } from '@opentelemetry/api';
import type { LoggingHandle } from '../../LoggingHandle.js';
import { getLoggingHandle } from '../../liveHandle.js';

/** Options every bridge takes. */
export interface BridgeOptions {
  /** Sets `logkit.category` on every bridged record. */
  readonly category?: string;
  /** The InstrumentationScope name of the bridge's logger; default `pino`, `winston` or `console`. */
  readonly loggerName?: string;
}

/** What a bridge needs of a logger. */
export interface BridgeLogger {
  emit(record: LogRecord): void;
}

/**
 * The logger a bridge emits through. With a handle, one logger made now (so a
 * bad option throws at setup); without, the live registration's
 * ({@link getLoggingHandle}) looked up on each record, so a bridge can be set
 * up before `registerLogging` and follows a re-registration. Returns
 * undefined when there is no registration: the record is dropped.
 */
export function bridgeLogger<L extends string>(
  handle: LoggingHandle<L> | undefined,
  defaultName: string,
  options: BridgeOptions,
): () => BridgeLogger | undefined {
  const name = options.loggerName ?? defaultName;
  const loggerOptions = options.category === undefined ? {} : { category: options.category };
  if (handle) {
    const logger = handle.getLogger(name, loggerOptions);
    return () => logger;
  }
  let cachedHandle: LoggingHandle<string> | undefined;
  let cachedLogger: BridgeLogger | undefined;
  return () => {
    const live = getLoggingHandle();
    if (live !== cachedHandle) {
      cachedHandle = live;
      cachedLogger = undefined;
      try {
        cachedLogger = live?.getLogger(name, loggerOptions);
      } catch (error) {
        reportOnce(`bridge:${name}`, `the ${name} bridge could not get a logger`, error);
      }
    }
    return cachedLogger;
  };
}

export { setOwn } from '../../internal/objects.js';

/** Whether a value is an Error (also one from another realm). */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

const STACK_HEAD = /^([A-Za-z_$][\w$.]*)(?::[ \t]?(.*))?$/;

/**
 * Exception attributes from an error already serialised to plain fields, as
 * pino (`{ type, message, stack }`) and winston's `format.errors()` (`message`
 * and `stack`) leave it. `type` and `message` fall back to the first line of
 * the stack (`TypeError: boom`).
 */
export function serialisedErrorAttributes(fields: {
  type?: unknown;
  message?: unknown;
  stack?: unknown;
}): Record<string, string> {
  const stack = typeof fields.stack === 'string' ? fields.stack : undefined;
  const head = stack === undefined ? undefined : STACK_HEAD.exec(stack.split('\n', 1)[0] ?? '');
  const type = typeof fields.type === 'string' && fields.type !== '' ? fields.type : head?.[1];
  const message = typeof fields.message === 'string' ? fields.message : head?.[2];
  const attributes: Record<string, string> = { [ATTR_EXCEPTION_TYPE]: type ?? 'Error' };
  if (message !== undefined) attributes[ATTR_EXCEPTION_MESSAGE] = message;
  if (stack !== undefined) attributes[ATTR_EXCEPTION_STACKTRACE] = stack;
  return attributes;
}

/**
 * A record's timestamp from a log library's time field: epoch milliseconds
 * (seconds when below 1e11, as pino's `unixTime` writes), an ISO string or a
 * Date; undefined when absent or unreadable, so the SDK stamps the time of emit.
 */
export function toTimestamp(value: unknown): Date | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value < 1e11 ? value * 1000 : value;
  else if (typeof value === 'string') ms = Date.parse(value);
  else if (value instanceof Date) ms = value.getTime();
  else return undefined;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}
