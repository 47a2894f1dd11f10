import { SeverityNumber } from '@opentelemetry/api';
import type { AnyValue } from '../logger/anyValue.js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_EXCEPTION_STACKTRACE } from '@opentelemetry/semantic-conventions';
import pc from 'picocolors';
import { ATTR_LOGKIT_CATEGORY } from '../attributes.js';
import { reportOnce } from '../internal/reportOnce.js';
import { severityRangeName } from '../logger/levels.js';

/**
 * Where {@link PrettyConsoleLogRecordExporter} writes: anything with a
 * `write(string)` method, such as `process.stdout` or a file stream. `isTTY`
 * decides the default for colours.
 */
export interface PrettyConsoleStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  /** Bytes buffered and not yet written out (a Node Writable's `writableLength`). */
  readonly writableLength?: number;
}

/** Options of {@link PrettyConsoleLogRecordExporter}. */
export interface PrettyConsoleLogRecordExporterOptions {
  /** Stream for records below WARN; default `process.stdout`. */
  stream?: PrettyConsoleStream;
  /**
   * Stream for WARN and above (SeverityNumber 13+); default `process.stderr`,
   * or `stream` when only `stream` is given.
   */
  errorStream?: PrettyConsoleStream;
  /**
   * Colour the output. Default, per stream: on when `FORCE_COLOR` is set to
   * anything but `''` or `'0'`; otherwise on when the stream is a TTY, `NO_COLOR`
   * is unset or empty, and `FORCE_COLOR` is not `'0'`.
   */
  colors?: boolean;
  /**
   * A stream holding more than this many bytes not yet written out (a slow
   * pipe or terminal behind `process.stdout`) gets no more lines: the export
   * fails (counted `export-failed`) instead of buffering without bound.
   * Default 8388608 (8 MiB).
   */
  maxBufferedBytes?: number;
}

const WARN: number = SeverityNumber.WARN;

/** The fields of a record {@link formatLogRecordLine} reads; a `ReadableLogRecord` has them all. */
export type PrettyLogRecord = Pick<
  ReadableLogRecord,
  'hrTime' | 'severityText' | 'severityNumber' | 'body' | 'attributes' | 'spanContext'
>;

/**
 * A LogRecordExporter writing one human-readable line per record, for a
 * developer's terminal:
 *
 * `2024-01-02T03:04:05.006Z INFO  [user] signed in trace=4bf92f35 user.id=42`
 *
 * (see {@link formatLogRecordLine} for the format). Records below WARN go to
 * `stream`, WARN and above to `errorStream`. Writes are synchronous calls to
 * `stream.write` in record order.
 *
 * Never throws: a record that cannot be formatted or a stream that throws is
 * reported once through OTel `diag` and the export calls back FAILED. After
 * {@link shutdown} every export calls back FAILED. The streams are never
 * ended; they belong to the caller (or to the process).
 */
export class PrettyConsoleLogRecordExporter implements LogRecordExporter {
  private readonly stream: PrettyConsoleStream;
  private readonly errorStream: PrettyConsoleStream;
  private readonly colors: boolean;
  private readonly errorColors: boolean;
  private isShutdown = false;
  private readonly maxBufferedBytes: number;

  constructor(options: PrettyConsoleLogRecordExporterOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.stream = options.stream ?? process.stdout;
    this.errorStream = options.errorStream ?? (options.stream ? this.stream : process.stderr);
    this.colors = options.colors ?? colorsByDefault(this.stream);
    this.errorColors = options.colors ?? colorsByDefault(this.errorStream);
  }

  /**
   * Writes each record's line to its stream and calls `resultCallback` once:
   * SUCCESS when all were written, else FAILED with the first error (records
   * that could be formatted are still written). Never throws.
   */
  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      callBack(resultCallback, {
        code: ExportResultCode.FAILED,
        error: new Error('otel-logkit: PrettyConsoleLogRecordExporter is shut down'),
      });
      return;
    }
    let firstError: Error | undefined;
    // Consecutive lines for the same stream go out in one write.
    let pending = '';
    let pendingStream: PrettyConsoleStream | undefined;
    const flush = (): void => {
      if (pendingStream === undefined || pending === '') return;
      const chunk = pending;
      pending = '';
      const buffered = pendingStream.writableLength;
      if (typeof buffered === 'number' && buffered > this.maxBufferedBytes) {
        firstError ??= new Error(
          `otel-logkit: the console stream has ${buffered} bytes not yet written (over ${this.maxBufferedBytes}); lines dropped`,
        );
        reportOnce('pretty-console-exporter:backlog', firstError.message);
        return;
      }
      try {
        pendingStream.write(chunk);
      } catch (error) {
        reportOnce('pretty-console-exporter:write', 'could not write to the console stream', error);
        firstError ??= toError(error);
      }
    };
    for (const record of logs) {
      let line: string;
      let target: PrettyConsoleStream;
      try {
        const severity: number = record.severityNumber ?? 0;
        const isWarn = severity >= WARN;
        target = isWarn ? this.errorStream : this.stream;
        line = formatLogRecordLine(record, isWarn ? this.errorColors : this.colors);
      } catch (error) {
        reportOnce('pretty-console-exporter:format', 'could not format a log record', error);
        firstError ??= toError(error);
        continue;
      }
      if (target !== pendingStream) {
        flush();
        pendingStream = target;
      }
      pending += line;
    }
    flush();
    callBack(
      resultCallback,
      firstError
        ? { code: ExportResultCode.FAILED, error: firstError }
        : { code: ExportResultCode.SUCCESS },
    );
  }

  /** Nothing is buffered here, so this resolves at once. Never rejects. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Makes later exports fail. Idempotent; never rejects; does not end the streams. */
  shutdown(): Promise<void> {
    this.isShutdown = true;
    return Promise.resolve();
  }
}

function colorsByDefault(stream: PrettyConsoleStream): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  const noColor = process.env.NO_COLOR;
  return stream.isTTY === true && (noColor === undefined || noColor === '') && force !== '0';
}

type Colors = ReturnType<typeof pc.createColors>;

const COLORS_ON = pc.createColors(true);
const COLORS_OFF = pc.createColors(false);

/**
 * Formats a record as the text {@link PrettyConsoleLogRecordExporter} writes:
 *
 * `<ISO time> <LEVEL> [<category>] <body> trace=<8 hex> key=value …\n`
 *
 * - LEVEL is `severityText`, else the SeverityNumber range name (`INFO`),
 *   padded to 5 characters;
 * - `[category]` only when the record has a `logkit.category` attribute;
 * - the body: a string as is, any other value as compact JSON; left out when absent;
 * - `trace=` the first 8 hex digits of the trace id, only with a span context;
 * - the other attributes as `key=value`: a string is JSON-quoted when it is
 *   empty or holds whitespace, `"`, `=` or a control character; maps and
 *   arrays are compact JSON with bytes as base64;
 * - `exception.stacktrace` follows on its own lines, indented by two spaces.
 *
 * Control characters (C0, DEL, C1, U+2028/U+2029) anywhere in the record's
 * text are written as visible escapes (`\n`, `\r`, `\t`, `\u001b`), so a
 * message cannot forge extra lines or send terminal escape sequences. With
 * `colors`, the level is coloured by severity (gray TRACE/DEBUG, green INFO,
 * yellow WARN, red ERROR, bold magenta FATAL) and the time and trace are dim.
 *
 * The result ends with `\n`. Pure; throws only if the record itself is
 * malformed (such as an attribute getter that throws).
 */
export function formatLogRecordLine(record: PrettyLogRecord, colors: boolean): string {
  const c = colors ? COLORS_ON : COLORS_OFF;
  const attributes = record.attributes;
  let line = `${c.dim(formatTime(record.hrTime))} ${formatLevel(record, c)}`;

  const category = attributes[ATTR_LOGKIT_CATEGORY];
  if (category !== undefined && category !== null) {
    line += ` [${escapeControl(typeof category === 'string' ? category : toJson(category as AnyValue))}]`;
  }

  const body = record.body;
  if (body !== undefined && body !== null) {
    const text = typeof body === 'string' ? escapeControl(body) : toJson(body as AnyValue);
    if (text !== '') line += ` ${text}`;
  }

  if (record.spanContext) {
    line += ` ${c.dim(`trace=${escapeControl(record.spanContext.traceId.slice(0, 8))}`)}`;
  }

  let stackLines = '';
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key) || key === ATTR_LOGKIT_CATEGORY) continue;
    const value = attributes[key];
    if (key === ATTR_EXCEPTION_STACKTRACE && typeof value === 'string') {
      stackLines = formatStack(value);
      continue;
    }
    line += ` ${formatString(key)}=${formatValue(value as AnyValue)}`;
  }
  return `${line}\n${stackLines}`;
}

function formatTime(hrTime: PrettyLogRecord['hrTime']): string {
  const date = new Date(hrTime[0] * 1000 + Math.floor(hrTime[1] / 1e6));
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

function formatLevel(record: PrettyLogRecord, c: Colors): string {
  const severity: number | undefined = record.severityNumber;
  const text = escapeControl(record.severityText ?? severityRangeName(severity)).padEnd(5);
  if (severity === undefined || severity <= 0) return text;
  if (severity <= 8) return c.gray(text);
  if (severity <= 12) return c.green(text);
  if (severity <= 16) return c.yellow(text);
  if (severity <= 20) return c.red(text);
  return c.bold(c.magenta(text));
}

function formatStack(stack: string): string {
  let text = '';
  for (const stackLine of stack.replace(/\r?\n$/, '').split(/\r?\n/)) {
    text += `  ${escapeControl(stackLine)}\n`;
  }
  return text;
}

function formatValue(value: AnyValue): string {
  if (typeof value === 'string') return formatString(value);
  if (value instanceof Uint8Array) return formatString(toBase64(value));
  if (typeof value === 'object' && value !== null) return toJson(value);
  return String(value);
}

// Quotes only where a reader (or a logfmt parser) could misread the value.
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\s"=\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function formatString(text: string): string {
  if (text !== '' && !NEEDS_QUOTES.test(text)) return text;
  // JSON escapes C0 controls, `"` and `\`; escapeControl adds DEL, C1, U+2028/9.
  return escapeControl(JSON.stringify(text));
}

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals) and
// the Unicode line and paragraph separators, which some viewers break lines on.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeControl(text: string): string {
  // Most text has nothing to escape; testing first spares building a copy.
  return CONTROL.test(text) ? text.replace(CONTROL_ALL, escapeChar) : text;
}

function escapeChar(char: string): string {
  switch (char) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

function toJson(value: AnyValue): string {
  return escapeControl(JSON.stringify(value, jsonReplacer) ?? 'null');
}

// Reads the holder's own value: for a Buffer, `value` is already the output of its toJSON.
function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return toBase64(raw);
  if (typeof raw === 'bigint') return raw.toString();
  return value;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function callBack(resultCallback: (result: ExportResult) => void, result: ExportResult): void {
  try {
    resultCallback(result);
  } catch (error) {
    // The callback belongs to the SDK or the caller; its failure must not reach the application.
    reportOnce('pretty-console-exporter:callback', 'an export result callback threw', error);
  }
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  try {
    return new Error(String(error));
  } catch {
    // A thrown object whose toString throws too.
    return new Error('unknown error');
  }
}
