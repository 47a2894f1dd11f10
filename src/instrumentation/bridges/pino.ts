import { SeverityNumber } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api';
import { reportOnce } from '../../internal/reportOnce.js';
import type { LoggingHandle } from '../../LoggingHandle.js';
import {
  bridgeLogger,
  serialisedErrorAttributes,
  setOwn,
  toTimestamp,
  type BridgeOptions,
} from './common.js';

/** Options of {@link pinoDestination}. */
export interface PinoDestinationOptions extends BridgeOptions {
  /** pino's `messageKey`; default `msg`. Its value becomes the record's body. */
  readonly messageKey?: string;
  /** pino's `errorKey`; default `err`. A serialised error there becomes `exception.*`. */
  readonly errorKey?: string;
  /**
   * Fields left out of the attributes; default `['pid', 'hostname']`, which
   * repeat the Resource's `process.pid` and `host.name`. `[]` keeps them.
   */
  readonly dropKeys?: readonly string[];
  /**
   * pino's `customLevels` (name → pino level number), so their records carry
   * the level's name as severityText. Their SeverityNumber is that of the
   * nearest standard pino level.
   */
  readonly customLevels?: Readonly<Record<string, number>>;
}

/** What {@link pinoDestination} returns: a pino destination stream. */
export interface PinoDestination {
  /** Marks it as a stream, so `pino(destination)` with no options takes it as one. */
  readonly writable: true;
  /** Takes one or more newline-terminated JSON lines as pino writes them. Never throws. */
  write(chunk: string): void;
}

interface PinoLevel {
  readonly value: number;
  readonly label: string;
  readonly severityNumber: number;
}

/** pino's standard levels, ascending. */
const PINO_LEVELS: readonly PinoLevel[] = [
  { value: 10, label: 'trace', severityNumber: SeverityNumber.TRACE },
  { value: 20, label: 'debug', severityNumber: SeverityNumber.DEBUG },
  { value: 30, label: 'info', severityNumber: SeverityNumber.INFO },
  { value: 40, label: 'warn', severityNumber: SeverityNumber.WARN },
  { value: 50, label: 'error', severityNumber: SeverityNumber.ERROR },
  { value: 60, label: 'fatal', severityNumber: SeverityNumber.FATAL },
];

/** The standard level nearest to a pino level number; a tie goes to the more severe. */
function nearestLevel(value: number): PinoLevel {
  let best = PINO_LEVELS[0]!;
  for (const level of PINO_LEVELS) {
    if (Math.abs(level.value - value) <= Math.abs(best.value - value)) best = level;
  }
  return best;
}

/**
 * A pino destination that hands every line pino writes to otel-logkit's
 * pipeline, so an app keeps its pino calls and gets trace correlation,
 * redaction, sampling and the OTLP, console and file exporters:
 *
 * ```ts
 * import pino from 'pino';
 * const log = pino({ level: 'debug' }, pinoDestination(handle, { category: 'system' }));
 * ```
 *
 * Each JSON line becomes one record:
 * - severity from pino's level number (10 TRACE, 20 DEBUG, 30 INFO, 40 WARN,
 *   50 ERROR, 60 FATAL; a custom level maps to the nearest of these, a tie to
 *   the more severe), or from a level label when `formatters.level` writes one;
 *   severityText is the level's name in upper case;
 * - body: the `msg` field;
 * - timestamp: the `time` field (epoch ms, epoch seconds, or an ISO string);
 * - attributes: every other field, bindings and child fields included, nested
 *   objects as maps; `pid` and `hostname` are dropped (see `dropKeys`);
 * - a serialised error in `err` (`{ type, message, stack }`, pino's default
 *   serialiser) becomes `exception.type`, `exception.message` and
 *   `exception.stacktrace`; its other fields (such as `code`) stay under `err`.
 *
 * The active trace context is kept: pino writes to a destination object
 * synchronously, inside the log call, so the record is emitted in the
 * caller's context and carries its span's ids. Give this destination to
 * `pino(destination)` or `pino(options, destination)` directly; do not put it behind
 * `pino.transport()` or an asynchronous `pino.destination()`, which write on
 * another tick or thread. The lines pino writes are not printed anywhere else:
 * use otel-logkit's console exporter to see them, or
 * `pino(options, pino.multistream([{ stream: process.stdout }, { stream: destination }]))`,
 * which also writes synchronously.
 *
 * Levels below the registration's level are dropped by otel-logkit as well as
 * by pino. Without `handle`, the live registration is used, looked up per
 * record; with none, records are dropped. A line that is not JSON is emitted
 * as is, as the body of a record with no severity.
 */
export function pinoDestination<L extends string = never>(
  handle?: LoggingHandle<L>,
  options: PinoDestinationOptions = {},
): PinoDestination {
  const getLogger = bridgeLogger(handle, 'pino', options);
  const messageKey = options.messageKey ?? 'msg';
  const errorKey = options.errorKey ?? 'err';
  const dropKeys = new Set(options.dropKeys ?? ['pid', 'hostname']);
  const byValue = new Map<number, PinoLevel>(PINO_LEVELS.map((l) => [l.value, l]));
  const byLabel = new Map<string, PinoLevel>(PINO_LEVELS.map((l) => [l.label, l]));
  for (const [label, value] of Object.entries(options.customLevels ?? {})) {
    const level = { value, label, severityNumber: nearestLevel(value).severityNumber };
    byValue.set(value, level);
    byLabel.set(label, level);
  }

  const toRecord = (line: string): LogRecord => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { body: line };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { body: line };
    }
    const fields = parsed as Record<string, unknown>;
    const record: LogRecord = {};
    const attributes: Record<string, unknown> = {};
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (key === 'level') {
        const level =
          typeof value === 'number'
            ? (byValue.get(value) ?? nearestLevel(value))
            : typeof value === 'string'
              ? byLabel.get(value)
              : undefined;
        if (level) {
          record.severityNumber = level.severityNumber;
          record.severityText = level.label.toUpperCase();
        } else if (typeof value === 'string') {
          record.severityText = value.toUpperCase();
        }
      } else if (key === 'time') {
        const timestamp = toTimestamp(value);
        if (timestamp) record.timestamp = timestamp;
      } else if (key === messageKey) {
        record.body = value;
      } else if (key === errorKey && isSerialisedError(value)) {
        const { type, message, stack, ...rest } = value;
        Object.assign(attributes, serialisedErrorAttributes({ type, message, stack }));
        if (Object.keys(rest).length > 0) setOwn(attributes, key, rest);
      } else if (!dropKeys.has(key)) {
        setOwn(attributes, key, value);
      }
    }
    record.attributes = attributes;
    return record;
  };

  return {
    writable: true,
    write(chunk: string): void {
      try {
        const logger = getLogger();
        if (!logger) return;
        const text = typeof chunk === 'string' ? chunk : String(chunk);
        let start = 0;
        while (start < text.length) {
          let end = text.indexOf('\n', start);
          if (end === -1) end = text.length;
          const line = text.slice(start, end);
          start = end + 1;
          if (line.trim() !== '') logger.emit(toRecord(line));
        }
      } catch (error) {
        reportOnce('bridge:pino', 'the pino bridge could not emit a record', error);
      }
    },
  };
}

function isSerialisedError(
  value: unknown,
): value is { type?: unknown; message?: unknown; stack?: unknown } & Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const fields = value as Record<string, unknown>;
  return typeof fields.message === 'string' || typeof fields.stack === 'string';
}
