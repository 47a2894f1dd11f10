import { SeverityNumber } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { groupLogRecords, type ScopeOf } from './groupLogRecords.js';

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
 * The string is built directly from the records, with no intermediate OTLP
 * object tree; see {@link encodeLogsJsonString} for the string itself.
 *
 * @param records - the batch, as a LogRecordExporter receives it.
 * @returns the request as UTF-8 JSON bytes, owned by the caller.
 */
export function encodeLogsJson(records: readonly ReadableLogRecord[]): Uint8Array {
  return Buffer.from(encodeLogsJsonString(records), 'utf8');
}

/**
 * {@link encodeLogsJson} as a JavaScript string (for callers that write text).
 *
 * @param records - the batch.
 * @returns the OTLP/JSON `ExportLogsServiceRequest`.
 */
export function encodeLogsJsonString(records: readonly ReadableLogRecord[]): string {
  let out = '{"resourceLogs":[';
  let firstResource = true;
  for (const { resource, scopes } of groupLogRecords(records)) {
    out += firstResource ? '{"resource":{' : ',{"resource":{';
    firstResource = false;
    const attrs = resource.attributes ? keyValues(resource.attributes) : '';
    out += attrs === '' ? '' : `"attributes":[${attrs}],`;
    out += '"droppedAttributesCount":0},"scopeLogs":[';
    let firstScope = true;
    for (const { scope, records: scopeRecords } of scopes) {
      out += firstScope ? '{"scope":' : ',{"scope":';
      firstScope = false;
      out += scopeJson(scope);
      out += ',"logRecords":[';
      for (let i = 0; i < scopeRecords.length; i++) {
        if (i > 0) out += ',';
        out += logRecordJson(scopeRecords[i]!);
      }
      out += ']';
      if (scope.schemaUrl) out += `,"schemaUrl":${str(scope.schemaUrl)}`;
      out += '}';
    }
    out += ']';
    if (resource.schemaUrl) out += `,"schemaUrl":${str(resource.schemaUrl)}`;
    out += '}';
  }
  return out + ']}';
}

function scopeJson(scope: ScopeOf): string {
  let out = `{"name":${str(scope.name)}`;
  if (scope.version) out += `,"version":${str(scope.version)}`;
  if (scope.attributes) {
    const attrs = keyValues(scope.attributes);
    if (attrs !== '') out += `,"attributes":[${attrs}]`;
  }
  if (scope.droppedAttributesCount) {
    out += `,"droppedAttributesCount":${scope.droppedAttributesCount}`;
  }
  return out + '}';
}

function logRecordJson(r: ReadableLogRecord): string {
  let out = `{"timeUnixNano":"${nanos(r.hrTime[0], r.hrTime[1])}","observedTimeUnixNano":"${nanos(
    r.hrTimeObserved[0],
    r.hrTimeObserved[1],
  )}"`;
  const severity = r.severityNumber;
  if (severity !== undefined && severity !== SeverityNumber.UNSPECIFIED)
    out += `,"severityNumber":${severity}`;
  if (r.severityText) out += `,"severityText":${str(r.severityText)}`;
  if (r.body !== undefined) out += `,"body":${anyValue(r.body)}`;
  if (r.eventName) out += `,"eventName":${str(r.eventName)}`;
  if (r.attributes) {
    const attrs = keyValues(r.attributes);
    if (attrs !== '') out += `,"attributes":[${attrs}]`;
  }
  if (r.droppedAttributesCount) out += `,"droppedAttributesCount":${r.droppedAttributesCount}`;
  const sc = r.spanContext;
  if (sc !== undefined) {
    if (sc.traceFlags) out += `,"flags":${sc.traceFlags >>> 0}`;
    // Ids are hex in OTLP/JSON; the SDK's are already lowercase hex.
    if (sc.traceId) out += `,"traceId":${str(sc.traceId)}`;
    if (sc.spanId) out += `,"spanId":${str(sc.spanId)}`;
  }
  return out + '}';
}

/** `"key":value` pairs of a map, comma-separated ('' for none). */
function keyValues(map: object): string {
  const m = map as Record<string, unknown>;
  let out = '';
  for (const key in m) {
    if (!Object.hasOwn(m, key)) continue;
    if (out !== '') out += ',';
    out += `{"key":${str(key)},"value":${anyValue(m[key])}}`;
  }
  return out;
}

function anyValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${str(value)}}`;
    case 'boolean':
      return value ? '{"boolValue":true}' : '{"boolValue":false}';
    case 'number':
      if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX_EXCLUSIVE) {
        return `{"intValue":"${int64String(value)}"}`;
      }
      if (Number.isFinite(value)) return `{"doubleValue":${value}}`;
      return `{"doubleValue":"${value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN'}"}`;
    case 'object': {
      if (value === null) return '{}';
      if (value instanceof Uint8Array) {
        return `{"bytesValue":"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"}`;
      }
      if (Array.isArray(value)) {
        let out = '{"arrayValue":{"values":[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += anyValue(value[i]);
        }
        return out + ']}}';
      }
      return `{"kvlistValue":{"values":[${keyValues(value)}]}}`;
    }
    default:
      return '{}';
  }
}

/** A JSON string literal of `s`, well-formed (lone surrogates → U+FFFD). */
function str(s: string): string {
  const w = s as unknown as WellFormed;
  return JSON.stringify(w.isWellFormed() ? s : w.toWellFormed());
}

/** ES2024 String methods (Node ≥ 20), not in this project's TypeScript `lib`. */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Decimal digits of an integer in [-2^63, 2^63), exact past 2^53. */
function int64String(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

/** Nanoseconds since the epoch of an HrTime, as a decimal string, exact without BigInt. */
function nanos(seconds: number, ns: number): string {
  if (seconds === 0) return String(ns);
  const frac = String(ns);
  return String(seconds) + '000000000'.slice(frac.length) + frac;
}
