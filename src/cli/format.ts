import pc from 'picocolors';
import type { LogRecordView } from './otlp.js';
import { CATEGORY_KEY, categoryOf, levelOf, messageOf, nanosToIso, toText } from './otlp.js';

/** picocolors' functions, with colours on or off. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Whether to colour standard output: `--color` / `--no-color` decide when
 * given; else on when `FORCE_COLOR` is set (not `0`), off when `NO_COLOR` is
 * set (https://no-color.org), else on a TTY only.
 */
export function useColors(flag: boolean | undefined, stream: { isTTY?: boolean }): boolean {
  if (flag !== undefined) return flag;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  const noColor = process.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return stream.isTTY === true && force !== '0';
}

/** The palette for `enabled`. */
export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators: written
// as visible escapes so a record cannot forge lines or terminal sequences.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with control characters written as `\n`, `\t`, `\u001b`, …. */
export function escapeControl(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_ALL, escapeChar) : text;
}

function escapeChar(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

// Quoted where a reader (or a logfmt parser) could misread the value.
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\s"=\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function formatScalar(text: string): string {
  if (text !== '' && !NEEDS_QUOTES.test(text)) return text;
  return escapeControl(JSON.stringify(text));
}

/** Attributes the one-line view leaves out: shown elsewhere on the line, or multi-line. */
const HIDDEN_ATTRIBUTES = new Set([CATEGORY_KEY, 'exception.stacktrace']);

const CATEGORY_WIDTH = 11; // 'performance', the longest of the seed's categories

/**
 * Formats records as aligned, optionally coloured lines:
 *
 * `2025-11-21T05:10:00.123Z WARN  llm         checkout  4bf92f35 model call slow gen_ai.request.model=gpt-x …`
 *
 * time (UTC), level, category, service, the first 8 hex digits of the trace id
 * (`-` without one), the message, then the attributes as `key=value` (all but
 * `logkit.category` and `exception.stacktrace`). Columns widen as longer
 * values are met. Control characters are escaped.
 */
export class LineFormatter {
  private readonly c: Colors;
  private levelWidth = 5;
  private categoryWidth = CATEGORY_WIDTH;
  private serviceWidth = 16;

  constructor(colorsEnabled: boolean) {
    this.c = colors(colorsEnabled);
  }

  format(record: LogRecordView): string {
    const c = this.c;
    const time = nanosToIso(record.timeNs) || '-'.padEnd(24);
    const level = escapeControl(levelOf(record));
    const category = escapeControl(categoryOf(record) ?? '-');
    const service = escapeControl(record.resource.service ?? '-');
    if (level.length > this.levelWidth) this.levelWidth = Math.min(level.length, 16);
    if (category.length > this.categoryWidth) this.categoryWidth = Math.min(category.length, 32);
    if (service.length > this.serviceWidth) this.serviceWidth = Math.min(service.length, 32);
    const trace = record.traceId !== '' ? escapeControl(record.traceId.slice(0, 8)) : '-';
    let line =
      `${c.dim(time)} ${colorLevel(c, record.severity, level.padEnd(this.levelWidth))} ` +
      `${c.cyan(category.padEnd(this.categoryWidth))} ${c.blue(service.padEnd(this.serviceWidth))} ` +
      `${c.dim(trace.padEnd(8))}`;
    const message = escapeControl(messageOf(record));
    if (message !== '') line += ` ${record.severity >= 17 ? c.bold(message) : message}`;
    const attributes = record.attributes;
    for (const key in attributes) {
      if (HIDDEN_ATTRIBUTES.has(key)) continue;
      line += ` ${c.dim(`${formatScalar(key)}=`)}${formatValue(attributes[key])}`;
    }
    return `${line}\n`;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return formatScalar(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return escapeControl(toText(value) || 'null');
}

function colorLevel(c: Colors, severity: number, text: string): string {
  if (severity <= 0) return text;
  if (severity <= 8) return c.gray(text);
  if (severity <= 12) return c.green(text);
  if (severity <= 16) return c.yellow(text);
  if (severity <= 20) return c.red(text);
  return c.bold(c.magenta(text));
}

/**
 * One record as a flat JSON object on one line (`--json`):
 *
 * `{"time","time_unix_nano","level","severity_number","category","service",
 * "message","trace_id","span_id","scope","event_name","attributes","resource","file"}`
 *
 * `time` is ISO 8601 (UTC, milliseconds), `time_unix_nano` the exact
 * nanoseconds as a string; missing values are `null`; `message` is a string
 * body as is, or the JSON text of a structured body, which then also comes as
 * `body`.
 */
export function formatJson(record: LogRecordView): string {
  const resource = record.resource;
  resource.json ??= JSON.stringify(resource.attributes);
  const body = record.body;
  const structured = body !== undefined && body !== null && typeof body === 'object';
  return (
    `{"time":${jsonOrNull(nanosToIso(record.timeNs))}` +
    `,"time_unix_nano":${record.timeNs === '0' ? 'null' : `"${record.timeNs}"`}` +
    `,"level":${JSON.stringify(levelOf(record))}` +
    `,"severity_number":${record.severity}` +
    `,"category":${jsonOrNull(categoryOf(record))}` +
    `,"service":${jsonOrNull(resource.service)}` +
    `,"message":${JSON.stringify(messageOf(record))}` +
    (structured ? `,"body":${JSON.stringify(body)}` : '') +
    `,"trace_id":${jsonOrNull(record.traceId)}` +
    `,"span_id":${jsonOrNull(record.spanId)}` +
    `,"scope":${jsonOrNull(record.scope)}` +
    `,"event_name":${jsonOrNull(record.eventName)}` +
    `,"attributes":${JSON.stringify(record.attributes)}` +
    `,"resource":${resource.json}` +
    `,"file":${JSON.stringify(record.file)}}\n`
  );
}

function jsonOrNull(value: string | undefined): string {
  return value === undefined || value === '' ? 'null' : JSON.stringify(value);
}

/** Bytes as `512 B`, `12.3 KiB`, `1.0 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** An integer with thousands separators: `12,345`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
