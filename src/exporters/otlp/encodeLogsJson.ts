import { hasOwnProperty } from '../../internal/objects.js';
import { SeverityNumber, type SpanContext } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { groupLogRecords, type ResourceOf, type ScopeOf } from './groupLogRecords.js';
import { hrTimeNanos, isPlainHrTime } from './hrTimeNanos.js';
import { encodeWithSharedWriter, MAX_KEY_PREFIXES, ProtoWriter } from './ProtoWriter.js';

const INT64_MIN = -(2 ** 63);
const INT64_MAX_EXCLUSIVE = 2 ** 63;

/**
 * Encodes log records as one OTLP `ExportLogsServiceRequest` in OTLP/JSON
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding), the body
 * of an OTLP/HTTP `application/json` request, as UTF-8 bytes.
 *
 * Grouping and value mapping are those of {@link encodeLogsProtobuf}; the JSON
 * spelling follows the OTLP/JSON rules: lowerCamelCase field names,
 * `traceId`/`spanId` as hex (not base64), 64-bit integers (`intValue`,
 * `timeUnixNano`, `observedTimeUnixNano`) as decimal strings, enums
 * (`severityNumber`) as integers, bytes as base64, and non-finite doubles as
 * `"NaN"`, `"Infinity"`, `"-Infinity"` (the protobuf JSON mapping; the SDK's
 * JSON serializer writes them as `null`). Strings are made well-formed (lone
 * surrogates → U+FFFD) so that both encodings carry the same text.
 *
 * The bytes are written directly from the records, with no intermediate OTLP
 * object tree; see {@link encodeLogsJsonString} for the string itself.
 *
 * @param records - the batch, as a LogRecordExporter receives it.
 * @returns the request as UTF-8 JSON bytes, owned by the caller.
 */
export function encodeLogsJson(records: readonly ReadableLogRecord[]): Uint8Array {
  return encodeWithSharedWriter((w) => writeRequest(w, records));
}

/**
 * {@link encodeLogsJson} as a JavaScript string (for callers that write text).
 *
 * @param records - the batch.
 * @returns the OTLP/JSON `ExportLogsServiceRequest`.
 */
export function encodeLogsJsonString(records: readonly ReadableLogRecord[]): string {
  return Buffer.from(encodeLogsJson(records)).toString('utf8');
}

// The JSON is written as bytes straight into one reused buffer (the
// ProtoWriter's growable Buffer): building it as a JS string of small
// JSON.stringify pieces measured slower than the SDK's JSON.stringify of a
// whole object tree (Node 24, 512 records of the bench record: 3.5 µs vs 3.2
// µs per record); bytes written by hand, with JSON.stringify only for strings
// that need escaping, avoid both the rope and the final UTF-8 conversion.

const bytes = (s: string) => Buffer.from(s, 'latin1');
const OPEN_REQUEST = bytes('{"resourceLogs":[');
const OPEN_RESOURCE = bytes('{"resource":{');
const ATTRIBUTES_OPEN = bytes('"attributes":[');
const RESOURCE_TAIL = bytes('"droppedAttributesCount":0},"scopeLogs":[');
const OPEN_SCOPE_LOGS = bytes('{"scope":{"name":');
const VERSION = bytes(',"version":');
const COMMA_ATTRIBUTES = bytes(',"attributes":[');
const DROPPED = bytes(',"droppedAttributesCount":');
const LOG_RECORDS = bytes(',"logRecords":[');
const SCHEMA_URL = bytes(',"schemaUrl":');
const TIME = bytes('{"timeUnixNano":"');
const OBSERVED = bytes('","observedTimeUnixNano":"');
const SEVERITY_NUMBER = bytes(',"severityNumber":');
const SEVERITY_TEXT = bytes(',"severityText":');
const BODY = bytes(',"body":');
const BODY_STRING = bytes(',"body":{"stringValue":');
const EVENT_NAME = bytes(',"eventName":');
const FLAGS = bytes(',"flags":');
const TRACE_ID = bytes(',"traceId":"');
const SPAN_ID = bytes(',"spanId":"');
const KEY = bytes('{"key":');
const VALUE = bytes(',"value":');
const STRING_VALUE = bytes('{"stringValue":');
const BOOL_TRUE = bytes('{"boolValue":true}');
const BOOL_FALSE = bytes('{"boolValue":false}');
const INT_VALUE = bytes('{"intValue":"');
const DOUBLE_VALUE = bytes('{"doubleValue":');
const BYTES_VALUE = bytes('{"bytesValue":"');
const ARRAY_VALUE = bytes('{"arrayValue":{"values":[');
const KVLIST_VALUE = bytes('{"kvlistValue":{"values":[');
const CLOSE_LIST_VALUE = bytes(']}}');
const EMPTY = bytes('{}');

function writeRequest(w: ProtoWriter, records: readonly ReadableLogRecord[]): void {
  w.raw(OPEN_REQUEST);
  let firstResource = true;
  for (const { resource, scopes } of groupLogRecords(records)) {
    if (!firstResource) w.byte(COMMA);
    firstResource = false;
    w.raw(OPEN_RESOURCE);
    if (resource.attributes && hasOwnKey(resource.attributes)) {
      w.raw(ATTRIBUTES_OPEN);
      keyValues(w, resource.attributes);
      w.byte(CLOSE_BRACKET);
      w.byte(COMMA);
    }
    w.raw(RESOURCE_TAIL);
    let firstScope = true;
    for (const { scope, records: scopeRecords } of scopes) {
      if (!firstScope) w.byte(COMMA);
      firstScope = false;
      writeScope(w, scope);
      w.raw(LOG_RECORDS);
      for (let i = 0; i < scopeRecords.length; i++) {
        if (i > 0) w.byte(COMMA);
        writeLogRecord(w, scopeRecords[i]!);
      }
      w.byte(CLOSE_BRACKET);
      if (scope.schemaUrl) {
        w.raw(SCHEMA_URL);
        str(w, scope.schemaUrl);
      }
      w.byte(CLOSE_BRACE);
    }
    w.byte(CLOSE_BRACKET);
    if (resource.schemaUrl) {
      w.raw(SCHEMA_URL);
      str(w, resource.schemaUrl);
    }
    w.byte(CLOSE_BRACE);
  }
  w.byte(CLOSE_BRACKET);
  w.byte(CLOSE_BRACE);
}

/**
 * The pieces of a request assembled from pre-encoded records (the delivery
 * path's EncodedLogRecords), byte-for-byte what {@link writeRequest} writes:
 * `open` + resources joined by `,` + `close`; a resource is its header, its
 * scopes joined by `,`, its tail; a scope is its header, its records joined
 * by `,`, its tail.
 *
 * @internal
 */
export const jsonRequestParts = {
  open: OPEN_REQUEST,
  close: bytes(']}'),
  resourceHeader(w: ProtoWriter, resource: ResourceOf): void {
    w.raw(OPEN_RESOURCE);
    if (resource.attributes && hasOwnKey(resource.attributes)) {
      w.raw(ATTRIBUTES_OPEN);
      keyValues(w, resource.attributes);
      w.byte(CLOSE_BRACKET);
      w.byte(COMMA);
    }
    w.raw(RESOURCE_TAIL);
  },
  resourceTail(w: ProtoWriter, resource: ResourceOf): void {
    closeWithSchemaUrl(w, resource.schemaUrl);
  },
  scopeHeader(w: ProtoWriter, scope: ScopeOf): void {
    writeScope(w, scope);
    w.raw(LOG_RECORDS);
  },
  scopeTail(w: ProtoWriter, scope: ScopeOf): void {
    closeWithSchemaUrl(w, scope.schemaUrl);
  },
  /** One record's JSON object. */
  record(w: ProtoWriter, r: ReadableLogRecord): void {
    writeLogRecord(w, r);
  },
};

const COMMA = 44;
const QUOTE = 34;
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;

/** Closes a resource's or scope's list, then its `,"schemaUrl":…` when set, then the object. */
function closeWithSchemaUrl(w: ProtoWriter, schemaUrl: string | undefined): void {
  w.byte(CLOSE_BRACKET);
  if (schemaUrl) {
    w.raw(SCHEMA_URL);
    str(w, schemaUrl);
  }
  w.byte(CLOSE_BRACE);
}

/** `,"attributes":[…]` when there are any, then `,"droppedAttributesCount":N` when N > 0. */
function attributesAndDropped(
  w: ProtoWriter,
  attributes: ReadableLogRecord['attributes'] | undefined,
  dropped: number | undefined,
): void {
  if (attributes && hasOwnKey(attributes)) {
    w.raw(COMMA_ATTRIBUTES);
    keyValues(w, attributes);
    w.byte(CLOSE_BRACKET);
  }
  if (dropped) {
    w.raw(DROPPED);
    ascii(w, String(dropped));
  }
}

function writeScope(w: ProtoWriter, scope: ScopeOf): void {
  w.raw(OPEN_SCOPE_LOGS);
  str(w, scope.name);
  if (scope.version) {
    w.raw(VERSION);
    str(w, scope.version);
  }
  attributesAndDropped(w, scope.attributes, scope.droppedAttributesCount);
  w.byte(CLOSE_BRACE);
}

function writeLogRecord(w: ProtoWriter, r: ReadableLogRecord): void {
  w.raw(TIME);
  const time = r.hrTime;
  const observed = r.hrTimeObserved;
  const from = w.pos;
  nanosDigits(w, time[0], time[1]);
  if (observed[0] === time[0] && observed[1] === time[1]) {
    // The same instant (a level method takes both from one clock read): its
    // digits are copied.
    const to = w.pos;
    w.raw(OBSERVED);
    w.ensure(to - from);
    w.pos += w.buf.copy(w.buf, w.pos, from, to);
  } else {
    w.raw(OBSERVED);
    nanosDigits(w, observed[0], observed[1]);
  }
  w.byte(QUOTE);
  severityFields(w, r.severityNumber, r.severityText);
  const body = r.body;
  if (typeof body === 'string') {
    w.raw(BODY_STRING);
    str(w, body);
    w.byte(CLOSE_BRACE);
  } else if (body !== undefined) {
    w.raw(BODY);
    anyValue(w, body);
  }
  if (r.eventName) {
    w.raw(EVENT_NAME);
    str(w, r.eventName);
  }
  attributesAndDropped(w, r.attributes, r.droppedAttributesCount);
  const sc = r.spanContext;
  if (sc !== undefined) spanFields(w, sc);
  w.byte(CLOSE_BRACE);
}

/** `,"severityNumber":N` when set, then `,"severityText":"…"` when non-empty. */
function severityFields(
  w: ProtoWriter,
  severity: SeverityNumber | undefined,
  text: string | undefined,
): void {
  // The pair written last, kept as its bytes: records come in runs of one
  // level. With spanFields' slot and the copied timestamp, the bench's
  // record (in a span, both times equal) encoded in 1436–1475 → 1261–1291
  // ns (512-record batches, fastest of 40 rounds of 40, three interleaved
  // processes each, Node 24.22).
  if (severity === lastSeverity && text === lastSeverityText) {
    w.raw(lastSeverityBytes);
    return;
  }
  const from = w.pos;
  if (severity !== undefined && severity !== SeverityNumber.UNSPECIFIED) {
    w.raw(SEVERITY_NUMBER);
    const n: number = severity;
    if (Number.isSafeInteger(n) && n >= 0) digits(w, n);
    else ascii(w, String(n));
  }
  if (text) {
    w.raw(SEVERITY_TEXT);
    str(w, text);
  }
  lastSeverity = severity;
  lastSeverityText = text;
  lastSeverityBytes = w.copy(from);
}
let lastSeverity: SeverityNumber | undefined;
let lastSeverityText: string | undefined;
let lastSeverityBytes: Uint8Array = new Uint8Array(0);

/**
 * `,"flags":N` when non-zero, then `,"traceId":"…"` and `,"spanId":"…"`
 * when set (hex in OTLP/JSON; the SDK's ids are lowercase hex already).
 */
function spanFields(w: ProtoWriter, sc: SpanContext): void {
  // The records of one span share its SpanContext: the fields written last
  // are kept as their bytes (one slot, compared by value), so a run of
  // records in a span copies them.
  const flags = sc.traceFlags;
  const traceId = sc.traceId;
  const spanId = sc.spanId;
  if (traceId === lastTraceId && spanId === lastSpanId && flags === lastFlags) {
    w.raw(lastSpanBytes);
    return;
  }
  const from = w.pos;
  if (flags) {
    w.raw(FLAGS);
    ascii(w, String(flags >>> 0));
  }
  if (traceId) {
    w.raw(TRACE_ID);
    ascii(w, traceId);
    w.byte(QUOTE);
  }
  if (spanId) {
    w.raw(SPAN_ID);
    ascii(w, spanId);
    w.byte(QUOTE);
  }
  lastTraceId = traceId;
  lastSpanId = spanId;
  lastFlags = flags;
  lastSpanBytes = w.copy(from);
}
let lastTraceId: string | undefined;
let lastSpanId: string | undefined;
let lastFlags: number | undefined;
let lastSpanBytes: Uint8Array = new Uint8Array(0);

function hasOwnKey(map: object): boolean {
  for (const key in map) if (hasOwnProperty.call(map, key)) return true;
  return false;
}

/** `{"key":…,"value":…}` entries of a map, comma-separated. */
function keyValues(w: ProtoWriter, map: object): void {
  const m = map as Record<string, unknown>;
  let first = true;
  for (const key in m) {
    if (!hasOwnProperty.call(m, key)) continue;
    if (!first) w.byte(COMMA);
    first = false;
    // The key's prefix with the value's opening, for the common types, is
    // one copy (see KeyEntry).
    const entry = keyEntry(key);
    const value = m[key];
    if (typeof value === 'string') {
      w.raw(entry.string ?? stringPrefix(entry));
      str(w, value);
      w.byte(CLOSE_BRACE);
    } else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      w.raw(entry.int ?? intPrefix(entry));
      digits(w, value);
      w.byte(QUOTE);
      w.byte(CLOSE_BRACE);
    } else if (typeof value === 'boolean') {
      w.raw(value ? (entry.yes ?? truePrefix(entry)) : (entry.no ?? falsePrefix(entry)));
    } else if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
      w.raw(entry.double ?? doublePrefix(entry));
      ascii(w, String(value));
      w.byte(CLOSE_BRACE);
    } else if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      !(value instanceof Uint8Array)
    ) {
      w.raw(entry.map ?? mapPrefix(entry));
      keyValues(w, value);
      w.raw(CLOSE_LIST_VALUE);
    } else {
      w.raw(entry.base);
      anyValue(w, value);
    }
    w.byte(CLOSE_BRACE);
  }
}

function anyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.raw(STRING_VALUE);
      str(w, value);
      w.byte(CLOSE_BRACE);
      return;
    case 'boolean':
      w.raw(value ? BOOL_TRUE : BOOL_FALSE);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX_EXCLUSIVE) {
        w.raw(INT_VALUE);
        if (!Number.isSafeInteger(value)) ascii(w, BigInt(value).toString());
        else if (value >= 0) digits(w, value);
        else {
          w.byte(MINUS);
          digits(w, -value);
        }
        w.byte(QUOTE);
      } else {
        w.raw(DOUBLE_VALUE);
        ascii(
          w,
          Number.isFinite(value)
            ? String(value)
            : value > 0
              ? '"Infinity"'
              : value < 0
                ? '"-Infinity"'
                : '"NaN"',
        );
      }
      w.byte(CLOSE_BRACE);
      return;
    case 'object':
      if (value === null) {
        w.raw(EMPTY);
      } else if (value instanceof Uint8Array) {
        w.raw(BYTES_VALUE);
        ascii(w, Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
        w.byte(QUOTE);
        w.byte(CLOSE_BRACE);
      } else if (Array.isArray(value)) {
        w.raw(ARRAY_VALUE);
        for (let i = 0; i < value.length; i++) {
          if (i > 0) w.byte(COMMA);
          anyValue(w, value[i]);
        }
        w.raw(CLOSE_LIST_VALUE);
      } else {
        w.raw(KVLIST_VALUE);
        keyValues(w, value);
        w.raw(CLOSE_LIST_VALUE);
      }
      return;
    default:
      w.raw(EMPTY);
  }
}

/** A string known to be ASCII without characters JSON escapes (digits, hex, base64). */
function ascii(w: ProtoWriter, s: string): void {
  const n = s.length;
  w.ensure(n);
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
  w.pos = pos;
}

/**
 * A JSON string literal of `s` as UTF-8, well-formed (lone surrogates →
 * U+FFFD). Printable ASCII without `"` or `\\` is copied byte by byte; any
 * other string goes through JSON.stringify.
 */
function str(w: ProtoWriter, s: string): void {
  const n = s.length;
  w.ensure(n + 2);
  const buf = w.buf;
  const start = w.pos;
  let pos = start;
  buf[pos++] = QUOTE;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === QUOTE || c === 92) break;
    buf[pos++] = c;
  }
  if (i === n) {
    buf[pos++] = QUOTE;
    w.pos = pos;
    return;
  }
  const wf = s as unknown as WellFormed;
  const literal = JSON.stringify(wf.isWellFormed() ? s : wf.toWellFormed());
  w.pos = start;
  w.ensure(literal.length * 3);
  w.pos = start + w.buf.write(literal, start, 'utf8');
}

/** ES2024 String methods (Node ≥ 20), not in this project's TypeScript `lib`. */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

// Numbers and keys are written without intermediate strings: String() of the
// two timestamps, the severity and integer values, and the key's JSON literal
// per attribute, were 0.6 µs of the 3.5 µs per bench record (Node 24, 512-record
// batches, CPU profile of encodeLogsJson) and most of its garbage.

/** The decimal digits of a non-negative safe integer. */
function digits(w: ProtoWriter, v: number): void {
  let n = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) n++;
  w.ensure(n);
  const buf = w.buf;
  let pos = w.pos + n;
  w.pos = pos;
  do {
    const q = Math.floor(v / 10);
    buf[--pos] = 48 + (v - q * 10);
    v = q;
  } while (v > 0);
}

/** {@link nanos} written as digits: seconds, then nanoseconds padded to 9 digits. */
function nanosDigits(w: ProtoWriter, seconds: number, ns: number): void {
  if (!isPlainHrTime(seconds, ns)) {
    ascii(w, hrTimeNanos(seconds, ns).toString());
    return;
  }
  if (seconds === 0) {
    digits(w, ns);
    return;
  }
  // The seconds' digits are kept from the last call (records of one second
  // share them), and the nanoseconds (< 1e9, an int32) are split with integer
  // arithmetic: a bench record's encoding in 512-record batches 1.97 → 1.86 µs
  // (Node 24, interleaved microbench, same bytes).
  if (seconds !== lastSeconds) {
    lastSeconds = seconds;
    lastSecondsText = String(seconds);
  }
  ascii(w, lastSecondsText);
  w.ensure(9);
  const buf = w.buf;
  let pos = w.pos + 9;
  w.pos = pos;
  let n = ns | 0;
  for (let i = 0; i < 9; i++) {
    const q = (n / 10) | 0;
    buf[--pos] = 48 + n - q * 10;
    n = q;
  }
}
let lastSeconds = -1;
let lastSecondsText = '';

const MINUS = 45;
/**
 * `{"key":<key>,"value":` per attribute key (keys repeat from record to
 * record), and the same followed by the value's opening for strings
 * (`{"stringValue":`), non-negative safe integers (`{"intValue":"`),
 * finite fractions (`{"doubleValue":`), maps (`{"kvlistValue":…`) and
 * booleans (the whole value), each made on first use: one copy per
 * attribute instead of two. The bench's record encoded in 1763–1832 →
 * 1576–1615 ns with strings, integers and booleans (512-record batches,
 * fastest of 40 rounds of 40, three interleaved processes each, Node 24.22;
 * the string body's opening the same way), then 1545–1568 → 1404–1476 ns
 * with fractions and maps too.
 */
interface KeyEntry {
  readonly base: Uint8Array;
  string: Uint8Array | undefined;
  int: Uint8Array | undefined;
  yes: Uint8Array | undefined;
  no: Uint8Array | undefined;
  double: Uint8Array | undefined;
  map: Uint8Array | undefined;
}
const keyEntries = new Map<string, KeyEntry>();

function keyEntry(key: string): KeyEntry {
  let entry = keyEntries.get(key);
  if (entry === undefined) {
    const w = new ProtoWriter(key.length * 3 + 32);
    w.raw(KEY);
    str(w, key);
    w.raw(VALUE);
    entry = {
      base: w.copy(),
      string: undefined,
      int: undefined,
      yes: undefined,
      no: undefined,
      double: undefined,
      map: undefined,
    };
    if (keyEntries.size < MAX_KEY_PREFIXES) keyEntries.set(key, entry);
  }
  return entry;
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function stringPrefix(entry: KeyEntry): Uint8Array {
  return (entry.string = joined(entry.base, STRING_VALUE));
}

function intPrefix(entry: KeyEntry): Uint8Array {
  return (entry.int = joined(entry.base, INT_VALUE));
}

function truePrefix(entry: KeyEntry): Uint8Array {
  return (entry.yes = joined(entry.base, BOOL_TRUE));
}

function falsePrefix(entry: KeyEntry): Uint8Array {
  return (entry.no = joined(entry.base, BOOL_FALSE));
}

function doublePrefix(entry: KeyEntry): Uint8Array {
  return (entry.double = joined(entry.base, DOUBLE_VALUE));
}

function mapPrefix(entry: KeyEntry): Uint8Array {
  return (entry.map = joined(entry.base, KVLIST_VALUE));
}
