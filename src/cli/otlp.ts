/**
 * Decoding of OTLP/JSON `ExportLogsServiceRequest` lines into flat records.
 *
 * Follows the OTLP/JSON encoding (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding)
 * as written by our file exporter and by the Collector's `file` exporter:
 * lowerCamelCase keys, trace and span ids as hex (any case), 64-bit integers
 * as decimal strings or numbers, enums as numbers or names
 * (`"SEVERITY_NUMBER_WARN"`), bytes as base64, default values possibly left out.
 */
import { ATTR_LOGKIT_CATEGORY } from '../attributes.js';
import { severityRangeName } from '../logger/levels.js';

/** The resource of a `resourceLogs` entry, shared by its records. */
export interface ResourceView {
  /** Flat attributes (`service.name` → `'checkout'`). */
  readonly attributes: Record<string, unknown>;
  /** `service.name`, when it is a string. */
  readonly service: string | undefined;
  /** The attributes as compact JSON, built once on first use. */
  json: string | undefined;
}

/** One log record, flattened. */
export interface LogRecordView {
  /** Nanoseconds since the epoch as a decimal string without leading zeros; `'0'` when unknown. */
  readonly timeNs: string;
  /** The SeverityNumber, or one derived from `severityText` when the number is missing; 0 unknown. */
  readonly severity: number;
  /** `severityText` as written, `''` when absent. */
  readonly severityText: string;
  /** The body as a plain value (string, number, object, …); `undefined` when absent. */
  readonly body: unknown;
  readonly attributes: Record<string, unknown>;
  /** Lowercase hex, `''` when absent. */
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
  /** InstrumentationScope name. */
  readonly scope: string;
  readonly resource: ResourceView;
  /** Path of the file it was read from, as given or found. */
  readonly file: string;
}

/** The attribute our loggers put the category in (the library's own constant: one home). */
export const CATEGORY_KEY = ATTR_LOGKIT_CATEGORY;

/** The record's `logkit.category`, when it is a string. */
export function categoryOf(record: LogRecordView): string | undefined {
  const value = record.attributes[CATEGORY_KEY];
  return typeof value === 'string' ? value : undefined;
}

/** The level shown for a record: its severityText, else the SeverityNumber's short name. */
export function levelOf(record: LogRecordView): string {
  return record.severityText !== '' ? record.severityText : severityShortName(record.severity);
}

/** OTel's short name of a SeverityNumber: `INFO` for 9, `INFO2` for 10, `UNSPECIFIED` for 0. */
export function severityShortName(severity: number): string {
  const range = severityRangeName(severity);
  if (severity <= 0 || severity > 24) return range;
  const step = (severity - 1) % 4;
  return step === 0 ? range : `${range}${step + 1}`;
}

/** The message: a string body as is, any other body as compact JSON, `''` when absent. */
export function messageOf(record: LogRecordView): string {
  const body = record.body;
  if (typeof body === 'string') return body;
  if (body === undefined || body === null) return '';
  return toText(body);
}

/** A value as text: strings as they are, numbers and booleans by String, the rest as JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return '';
  return JSON.stringify(value) ?? '';
}

const LEVELS_BY_NAME = new Map<string, number>();
for (const [name, base] of [
  ['TRACE', 1],
  ['DEBUG', 5],
  ['INFO', 9],
  ['WARN', 13],
  ['ERROR', 17],
  ['FATAL', 21],
] as const) {
  LEVELS_BY_NAME.set(name, base);
  for (let step = 2; step <= 4; step++) LEVELS_BY_NAME.set(`${name}${step}`, base + step - 1);
}
// otel-logkit's extra levels and common spellings of other loggers (syslog's,
// as the Logs Data Model's appendix B maps them).
for (const [name, severity] of [
  ['VERBOSE', 7],
  ['NOTICE', 10],
  ['ALERT', 19],
  ['EMERGENCY', 23],
  ['WARNING', 13],
  ['ERR', 17],
  ['CRITICAL', 18],
  ['CRIT', 18],
  ['INFORMATIONAL', 9],
  ['EMERG', 23],
  ['PANIC', 21],
] as const) {
  LEVELS_BY_NAME.set(name, severity);
}

/**
 * The SeverityNumber a level name stands for, case-insensitively: OTel's short
 * names (`WARN`, `INFO2`), otel-logkit's levels (`NOTICE`), `WARNING`, syslog's;
 * `undefined` for anything else.
 */
export function severityFromName(name: string): number | undefined {
  return LEVELS_BY_NAME.get(name.toUpperCase());
}

/** The SeverityNumber of an enum value as OTLP/JSON may write it: a number or `SEVERITY_NUMBER_*`. */
export function severityFromEnum(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : 0;
  if (typeof value === 'string') {
    if (value.startsWith('SEVERITY_NUMBER_')) {
      return LEVELS_BY_NAME.get(value.slice('SEVERITY_NUMBER_'.length)) ?? 0;
    }
    const number = Number(value);
    if (value !== '' && Number.isInteger(number) && number > 0) return number;
  }
  return 0;
}

const DIGITS = /^\d+$/;

/**
 * A fixed64 nanosecond timestamp (a decimal string or a number) as a decimal
 * string without leading zeros; `'0'` for zero, missing or invalid values.
 */
export function normalizeNanos(value: unknown): string {
  if (typeof value === 'string') {
    if (value === '' || !DIGITS.test(value)) return '0';
    if (value.charCodeAt(0) !== 48 /* 0 */) return value;
    const trimmed = value.replace(/^0+/, '');
    return trimmed === '' ? '0' : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 1) {
    return BigInt(Math.trunc(value)).toString();
  }
  return '0';
}

/** Compares two normalized nanosecond strings numerically. */
export function compareNanos(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Milliseconds since the epoch of a normalized nanosecond string. */
export function nanosToMillis(nanos: string): number {
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) : 0;
}

/** ISO 8601 text (UTC, milliseconds) of a normalized nanosecond string; `''` when unknown. */
export function nanosToIso(nanos: string): string {
  if (nanos === '0') return '';
  const date = new Date(nanosToMillis(nanos));
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** An OTLP AnyValue (`{"stringValue":"x"}`, …) as a plain value. */
export function decodeAnyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const string = v.stringValue;
  if (string !== undefined) return typeof string === 'string' ? string : toText(string);
  const int = v.intValue;
  if (int !== undefined) return decodeInt(int);
  const bool = v.boolValue;
  if (bool !== undefined) return bool === true || bool === 'true';
  const double = v.doubleValue;
  if (double !== undefined) return decodeDouble(double);
  const kvlist = v.kvlistValue;
  if (kvlist !== undefined) {
    return decodeKeyValues(valuesOf(kvlist));
  }
  const array = v.arrayValue;
  if (array !== undefined) {
    const values = valuesOf(array);
    return Array.isArray(values) ? values.map(decodeAnyValue) : [];
  }
  const bytes = v.bytesValue;
  if (bytes !== undefined) return typeof bytes === 'string' ? bytes : toText(bytes);
  return undefined;
}

function valuesOf(holder: unknown): unknown {
  return typeof holder === 'object' && holder !== null
    ? (holder as { values?: unknown }).values
    : undefined;
}

// int64 is a decimal string in OTLP/JSON (or a number): a number when exact, else the string.
function decodeInt(value: unknown): number | string {
  if (typeof value === 'number') return value;
  const text = toText(value);
  const number = Number(text);
  return text !== '' && Number.isSafeInteger(number) ? number : text;
}

// A double is a number, or "NaN" / "Infinity" / "-Infinity" as strings; those stay strings.
function decodeDouble(value: unknown): number | string {
  if (typeof value === 'number') return value;
  const number = Number(value);
  return Number.isFinite(number) && value !== '' ? number : toText(value);
}

/** A KeyValue list (`[{"key":"k","value":{…}}]`) as an object; later duplicates win. */
export function decodeKeyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const key = (entry as { key?: unknown }).key;
    if (typeof key !== 'string') continue;
    const value = decodeAnyValue((entry as { value?: unknown }).value);
    // defineProperty-free assignment is safe: `__proto__` would only set the
    // prototype of this plain object; guard it anyway.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true });
    else out[key] = value;
  }
  return out;
}

/** {@link keyValueOf}: the list has no entry with the key. */
export const NO_ENTRY: unique symbol = Symbol('no entry');

/**
 * The decoded value of one key of a KeyValue list, exactly as
 * `decodeKeyValues(list)[key]` would give it (the last entry with the key
 * wins; entries that are not objects or whose key is not a string are passed
 * over), without decoding the other entries; {@link NO_ENTRY} when no entry
 * has the key.
 */
export function keyValueOf(list: unknown, key: string): unknown {
  if (!Array.isArray(list)) return NO_ENTRY;
  let found: { key?: unknown; value?: unknown } | undefined;
  for (const entry of list as Array<{ key?: unknown; value?: unknown } | null>) {
    if (typeof entry === 'object' && entry !== null && entry.key === key) found = entry;
  }
  return found === undefined ? NO_ENTRY : decodeAnyValue(found.value);
}

/** Thrown for a line that is JSON but not an OTLP logs request. */
export class MalformedLineError extends Error {}

/**
 * What the caller decides per record, from the cheap raw fields, before the
 * record's attributes are decoded; and then on the decoded record.
 */
export interface RecordPredicate {
  /** A SeverityNumber below which {@link matchesRaw} rejects every record (0: none). */
  readonly minSeverity?: number;
  matchesRaw(timeNs: string, severity: number, traceId: string): boolean;
  /**
   * Optional, for a selective decode: false only when the record whose JSON
   * text is `line[start, end)` cannot pass {@link matches}, told from its text
   * and its (decoded) resource before the record is parsed. `attributes` is
   * where the record's `attributes` value starts in `line` (-1: none).
   */
  recordMayMatch?(
    line: string,
    start: number,
    end: number,
    attributes: number,
    resource: ResourceView,
  ): boolean;
  /**
   * Optional: false only when the JSON-parsed record `raw` of `resource`
   * cannot pass {@link matches}, told before its body and attributes are
   * decoded into a {@link LogRecordView}.
   */
  rawMayMatch?(raw: RawLogRecord, resource: ResourceView): boolean;
  matches(record: LogRecordView): boolean;
}

const OTHER_SIGNALS = ['resourceSpans', 'resourceMetrics', 'resourceProfiles'];

/**
 * Decodes one line (an ExportLogsServiceRequest) and appends the records that
 * pass `predicate` to `out`, in the line's order. Throws (a SyntaxError or a
 * {@link MalformedLineError}) when the line is not a logs request; a line of
 * another signal (`resourceSpans`, …) or `{}` yields nothing.
 */
export function decodeLine(
  line: string,
  file: string,
  predicate: RecordPredicate,
  out: LogRecordView[],
): number {
  const request: unknown = JSON.parse(line);
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new MalformedLineError('not a JSON object');
  }
  const resourceLogs = (request as { resourceLogs?: unknown }).resourceLogs;
  if (resourceLogs === undefined || resourceLogs === null) {
    const keys = Object.keys(request);
    if (keys.length === 0 || keys.some((key) => OTHER_SIGNALS.includes(key))) return 0;
    throw new MalformedLineError('no resourceLogs');
  }
  if (!Array.isArray(resourceLogs)) throw new MalformedLineError('resourceLogs is not an array');
  let total = 0;
  for (const rl of resourceLogs as unknown[]) {
    if (typeof rl !== 'object' || rl === null) throw new MalformedLineError('bad resourceLogs');
    const scopeLogs = (rl as { scopeLogs?: unknown }).scopeLogs ?? [];
    if (!Array.isArray(scopeLogs)) throw new MalformedLineError('scopeLogs is not an array');
    let resource: ResourceView | undefined;
    for (const sl of scopeLogs as unknown[]) {
      if (typeof sl !== 'object' || sl === null) throw new MalformedLineError('bad scopeLogs');
      const records = (sl as { logRecords?: unknown }).logRecords ?? [];
      if (!Array.isArray(records)) throw new MalformedLineError('logRecords is not an array');
      let scope: string | undefined;
      for (const r of records as unknown[]) {
        if (typeof r !== 'object' || r === null) throw new MalformedLineError('bad log record');
        total++;
        const raw = r as RawLogRecord;
        let timeNs = normalizeNanos(raw.timeUnixNano);
        if (timeNs === '0') timeNs = normalizeNanos(raw.observedTimeUnixNano);
        let severity = severityFromEnum(raw.severityNumber);
        const severityText = typeof raw.severityText === 'string' ? raw.severityText : '';
        if (severity === 0 && severityText !== '') severity = severityFromName(severityText) ?? 0;
        const traceId = hexId(raw.traceId);
        if (!predicate.matchesRaw(timeNs, severity, traceId)) continue;
        resource ??= decodeResource((rl as { resource?: unknown }).resource);
        if (predicate.rawMayMatch && !predicate.rawMayMatch(raw, resource)) continue;
        scope ??= scopeName((sl as { scope?: unknown }).scope);
        const record = recordView(
          raw,
          timeNs,
          severity,
          severityText,
          traceId,
          scope,
          resource,
          file,
        );
        if (predicate.matches(record)) out.push(record);
      }
    }
  }
  return total;
}

/**
 * The view of a decoded (JSON-parsed) OTLP log record whose raw fields were
 * already read: body and attributes decoded, ids normalised.
 */
export function recordView(
  raw: RawLogRecord,
  timeNs: string,
  severity: number,
  severityText: string,
  traceId: string,
  scope: string,
  resource: ResourceView,
  file: string,
): LogRecordView {
  return {
    timeNs,
    severity,
    severityText,
    body: decodeAnyValue(raw.body),
    attributes: decodeKeyValues(raw.attributes),
    traceId,
    spanId: hexId(raw.spanId),
    eventName: typeof raw.eventName === 'string' ? raw.eventName : '',
    scope,
    resource,
    file,
  };
}

/** A JSON-parsed OTLP LogRecord, before any check of its fields. */
export interface RawLogRecord {
  timeUnixNano?: unknown;
  observedTimeUnixNano?: unknown;
  severityNumber?: unknown;
  severityText?: unknown;
  body?: unknown;
  attributes?: unknown;
  traceId?: unknown;
  spanId?: unknown;
  eventName?: unknown;
}

/** A trace or span id as lowercase hex; `''` when absent, empty or all zeros (invalid). */
export function hexId(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  const lower = value.toLowerCase();
  // All-zero ids are the spec's "invalid", i.e. no span context.
  return /^0+$/.test(lower) ? '' : lower;
}

/** The view of a JSON-parsed OTLP Resource (`null` or `undefined`: no attributes). */
export function decodeResource(resource: unknown): ResourceView {
  const attributes = decodeKeyValues((resource as { attributes?: unknown } | null)?.attributes);
  const service = attributes['service.name'];
  return {
    attributes,
    service: typeof service === 'string' ? service : undefined,
    json: undefined,
  };
}

/** The name of a JSON-parsed InstrumentationScope; `''` when it has none. */
export function scopeName(scope: unknown): string {
  const name = (scope as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}
