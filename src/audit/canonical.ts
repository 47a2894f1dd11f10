import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Semconv `log.record.uid`: a unique id of the record (here a UUID v7). */
export const ATTR_LOG_RECORD_UID = 'log.record.uid';
/** Position of the record in its audit directory's chain: 1, 2, 3, … */
export const ATTR_AUDIT_SEQ = 'logkit.audit.seq';
/** {@link ATTR_AUDIT_HASH} of the record before in the chain; {@link GENESIS_HASH} for seq 1. */
export const ATTR_AUDIT_PREV_HASH = 'logkit.audit.prev_hash';
/** Hex SHA-256 of the record's canonical form (see {@link canonicalForm}). */
export const ATTR_AUDIT_HASH = 'logkit.audit.hash';
/**
 * How {@link ATTR_AUDIT_HASH} was computed: absent for SHA-256 of the
 * canonical form, {@link AUDIT_ALG_HMAC} for HMAC-SHA-256 of it with the
 * audit key. Covered by the hash itself, like every other attribute.
 */
export const ATTR_AUDIT_ALG = 'logkit.audit.alg';
/** {@link ATTR_AUDIT_ALG} of a chain written with a key. */
export const AUDIT_ALG_HMAC = 'hmac-sha256';
/** The prev_hash of the first record of a chain: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Tag of the canonical form, so a later format can be told apart. */
const FORMAT = 'logkit.audit.v1';

/** An OTLP/JSON AnyValue as `JSON.parse` gives it back from a file line. */
export type OtlpJsonAnyValue = Record<string, unknown>;

/** An OTLP/JSON KeyValue. */
export interface OtlpJsonKeyValue {
  key: string;
  value?: OtlpJsonAnyValue;
}

/** An OTLP/JSON LogRecord as `JSON.parse` gives it back from a file line. */
export interface OtlpJsonLogRecord {
  timeUnixNano?: unknown;
  observedTimeUnixNano?: unknown;
  severityNumber?: unknown;
  severityText?: unknown;
  body?: OtlpJsonAnyValue;
  attributes?: OtlpJsonKeyValue[];
  droppedAttributesCount?: unknown;
  flags?: unknown;
  traceId?: unknown;
  spanId?: unknown;
  eventName?: unknown;
}

type Canonical = null | string | number | boolean | Canonical[];

function canonicalValue(value: OtlpJsonAnyValue | undefined): Canonical {
  if (value === undefined || value === null || typeof value !== 'object') return null;
  if ('stringValue' in value) return ['s', str(value.stringValue)];
  if ('boolValue' in value) return ['b', value.boolValue === true];
  if ('intValue' in value) return ['i', str(value.intValue)];
  if ('doubleValue' in value) {
    const d = value.doubleValue;
    return ['d', typeof d === 'number' ? d : d === null || d === undefined ? null : str(d)];
  }
  if ('bytesValue' in value) return ['y', str(value.bytesValue)];
  if ('arrayValue' in value) {
    const values = (value.arrayValue as { values?: OtlpJsonAnyValue[] } | undefined)?.values ?? [];
    return ['a', values.map((v) => canonicalValue(v))];
  }
  if ('kvlistValue' in value) {
    const values = (value.kvlistValue as { values?: OtlpJsonKeyValue[] } | undefined)?.values ?? [];
    return ['m', values.map((kv) => [str(kv.key), canonicalValue(kv.value)])];
  }
  return null;
}

// Any JSON value as a string: primitives as String() does, the rest as JSON.
function str(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function text(value: unknown, fallback: string): string {
  return value === undefined || value === null ? fallback : str(value);
}

function int(value: unknown): number | string {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' ? value : str(value);
}

/**
 * The canonical serialisation of one audit record, the input of its
 * {@link ATTR_AUDIT_HASH}. It is computed from the record's OTLP/JSON form,
 * the `logRecords[i]` object of the line the audit files get (otel-logkit's
 * `encodeLogsJson` output, parsed back with `JSON.parse`; files written before
 * it by the SDK's `JsonLogsSerializer` were hashed in that spelling, and
 * verify as well), so the verifier recomputes it from the file alone. It is
 * the compact `JSON.stringify` (UTF-8) of the array:
 *
 * ```text
 * ["logkit.audit.v1", scopeName, timeUnixNano, observedTimeUnixNano,
 *  severityNumber, severityText, eventName, body, attributes,
 *  droppedAttributesCount, flags, traceId, spanId]
 * ```
 *
 * - `scopeName`: the `scope.name` of the record's scopeLogs ("" if none);
 *   the resource is not covered (its attributes may still be pending when the
 *   record is emitted).
 * - `timeUnixNano`, `observedTimeUnixNano`: as decimal strings ("0" if absent).
 * - `severityNumber`, `droppedAttributesCount`, `flags`: numbers (0 if absent).
 * - `severityText`, `eventName`: strings ("" if absent); `traceId`, `spanId`:
 *   lower-case hex ("" if absent).
 * - `body` and each attribute value: a tagged AnyValue, `["s", string]`,
 *   `["b", bool]`, `["i", decimal string]` (OTLP intValue), `["d", number]`
 *   (OTLP doubleValue; `null` for NaN/±Infinity, which JSON cannot hold),
 *   `["y", base64]`, `["a", [values…]]`, `["m", [[key, value]…]]` (map entries
 *   in written order); an empty AnyValue or no body is `null`. Ints and doubles
 *   stay apart: `1` (intValue) and `1.5` (doubleValue) differ by tag.
 * - `attributes`: `[[key, value]…]` sorted by key (UTF-16 code units), every
 *   attribute except `logkit.audit.hash` itself; so `log.record.uid`,
 *   `logkit.audit.seq` and `logkit.audit.prev_hash` are covered.
 */
export function canonicalForm(record: OtlpJsonLogRecord, scopeName: string): string {
  const attributes = (record.attributes ?? [])
    .filter((kv) => kv.key !== ATTR_AUDIT_HASH)
    .map((kv): [string, Canonical] => [str(kv.key), canonicalValue(kv.value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical: Canonical[] = [
    FORMAT,
    scopeName,
    text(record.timeUnixNano, '0'),
    text(record.observedTimeUnixNano, '0'),
    int(record.severityNumber),
    text(record.severityText, ''),
    text(record.eventName, ''),
    canonicalValue(record.body),
    attributes,
    int(record.droppedAttributesCount),
    int(record.flags),
    text(record.traceId, '').toLowerCase(),
    text(record.spanId, '').toLowerCase(),
  ];
  return JSON.stringify(canonical);
}

/**
 * Hex SHA-256 of the record's {@link canonicalForm}, or with `key` its hex
 * HMAC-SHA-256 (RFC 2104): without the key, a rewritten record cannot be
 * given a hash that verifies.
 */
export function auditHash(record: OtlpJsonLogRecord, scopeName: string, key?: Uint8Array): string {
  const hash = key ? createHmac('sha256', key) : createHash('sha256');
  return hash.update(canonicalForm(record, scopeName), 'utf8').digest('hex');
}

/** The string value of an OTLP/JSON attribute, or undefined. */
export function stringAttribute(record: OtlpJsonLogRecord, key: string): string | undefined {
  const value = record.attributes?.find((kv) => kv.key === key)?.value;
  return value && typeof value.stringValue === 'string' ? value.stringValue : undefined;
}

/** The integer value of an OTLP/JSON attribute (intValue, as a number or a string), or undefined. */
export function intAttribute(record: OtlpJsonLogRecord, key: string): number | undefined {
  const value = record.attributes?.find((kv) => kv.key === key)?.value;
  if (!value || !('intValue' in value)) return undefined;
  const n = Number(value.intValue);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A UUID v7 (RFC 9562): 48-bit Unix milliseconds, then random bits; sorts by time. */
export function uuidV7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  let ms = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
