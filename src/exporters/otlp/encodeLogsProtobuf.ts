import { hasOwnProperty } from '../../internal/objects.js';
import { SeverityNumber } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { groupLogRecords, type ResourceOf, type ScopeOf } from './groupLogRecords.js';
import {
  encodeWithSharedWriter,
  MAX_KEY_PREFIXES,
  ProtoWriter,
  varintSize,
} from './ProtoWriter.js';

// Field tags of opentelemetry/proto/logs/v1/logs.proto, common.proto and
// resource.proto (v1.x), as single bytes: (field << 3) | wire type, all < 128.
const LEN = 2;
const tag = (field: number, wire: number) => (field << 3) | wire;
// ExportLogsServiceRequest / ResourceLogs / ScopeLogs
const REQ_RESOURCE_LOGS = tag(1, LEN);
const RL_RESOURCE = tag(1, LEN);
const RL_SCOPE_LOGS = tag(2, LEN);
const RL_SCHEMA_URL = tag(3, LEN);
const SL_SCOPE = tag(1, LEN);
const SL_LOG_RECORDS = tag(2, LEN);
const SL_SCHEMA_URL = tag(3, LEN);
// Resource / InstrumentationScope
const RES_ATTRIBUTES = tag(1, LEN);
const RES_DROPPED = tag(2, 0);
const SCOPE_NAME = tag(1, LEN);
const SCOPE_VERSION = tag(2, LEN);
const SCOPE_ATTRIBUTES = tag(3, LEN);
const SCOPE_DROPPED = tag(4, 0);
// LogRecord
const LR_TIME = tag(1, 1);
const LR_SEVERITY_NUMBER = tag(2, 0);
const LR_SEVERITY_TEXT = tag(3, LEN);
const LR_BODY = tag(5, LEN);
const LR_ATTRIBUTES = tag(6, LEN);
const LR_DROPPED = tag(7, 0);
const LR_FLAGS = tag(8, 5);
const LR_TRACE_ID = tag(9, LEN);
const LR_SPAN_ID = tag(10, LEN);
const LR_OBSERVED_TIME = tag(11, 1);
const LR_EVENT_NAME = tag(12, LEN);
// KeyValue / AnyValue / ArrayValue / KeyValueList
const KV_KEY = tag(1, LEN);
const KV_VALUE = tag(2, LEN);
const AV_STRING = tag(1, LEN);
const AV_BOOL = tag(2, 0);
const AV_INT = tag(3, 0);
const AV_DOUBLE = tag(4, 1);
const AV_ARRAY = tag(5, LEN);
const AV_KVLIST = tag(6, LEN);
const AV_BYTES = tag(7, LEN);
const LIST_VALUES = tag(1, LEN);

const INT64_MIN = -(2 ** 63);
const INT64_MAX_EXCLUSIVE = 2 ** 63;

/**
 * Encodes log records as one OTLP `ExportLogsServiceRequest` in the protobuf
 * wire format (opentelemetry-proto `collector/logs/v1/logs_service.proto`),
 * the body of an OTLP/HTTP `application/x-protobuf` request.
 *
 * Records are grouped resource → scope → records, in first-seen order, as the
 * SDK's `ProtobufLogsSerializer` does; each resource and scope is encoded once
 * per batch. Values follow the SDK's mapping: integers in [-2^63, 2^63) are
 * `int_value`, other numbers (fractions, NaN, ±Infinity, larger integers)
 * `double_value`, `Uint8Array` is `bytes_value`, arrays and plain objects are
 * `array_value` / `kvlist_value`, and anything else (null, undefined) an empty
 * AnyValue. Strings are UTF-8 with lone surrogates replaced by U+FFFD. A
 * timestamp with no valid value (NaN, negative) is 0, unknown, where the
 * SDK's serializer throws (see hrTimeNanos.ts).
 *
 * @param records - the batch, as a LogRecordExporter receives it.
 * @returns a new `Uint8Array` owned by the caller (an empty request for no records).
 */
export function encodeLogsProtobuf(records: readonly ReadableLogRecord[]): Uint8Array {
  return encodeWithSharedWriter((w) => {
    for (const { resource, scopes } of groupLogRecords(records)) {
      w.byte(REQ_RESOURCE_LOGS);
      const rlMark = w.begin(3);
      writeResource(w, resource.attributes);
      for (const { scope, records: scopeRecords } of scopes) {
        w.byte(RL_SCOPE_LOGS);
        const slMark = w.begin(3);
        writeScope(w, scope);
        for (let i = 0; i < scopeRecords.length; i++) writeLogRecord(w, scopeRecords[i]!);
        if (scope.schemaUrl) {
          w.byte(SL_SCHEMA_URL);
          w.string(scope.schemaUrl);
        }
        w.end(slMark);
      }
      if (resource.schemaUrl) {
        w.byte(RL_SCHEMA_URL);
        w.string(resource.schemaUrl);
      }
      w.end(rlMark);
    }
  });
}

/**
 * One record as it sits in its `ScopeLogs`: the `log_records` tag, the length
 * and the `LogRecord` message. Used by {@link encodeLogsProtobuf} and by the
 * delivery path's per-record encoding (EncodedLogRecords).
 *
 * @internal
 */
export function writeLogRecordProtobuf(w: ProtoWriter, r: ReadableLogRecord): void {
  writeLogRecord(w, r);
}

/**
 * The `resource` field of a `ResourceLogs` (tag, length, `Resource`), as
 * {@link encodeLogsProtobuf} writes it.
 *
 * @internal
 */
export function writeResourceProtobuf(w: ProtoWriter, resource: ResourceOf): void {
  writeResource(w, resource.attributes);
}

/**
 * The `scope` field of a `ScopeLogs` (tag, length, `InstrumentationScope`).
 *
 * @internal
 */
export function writeScopeProtobuf(w: ProtoWriter, scope: ScopeOf): void {
  writeScope(w, scope);
}

/** Field tags of the request's envelope, for assembling it from pre-encoded records. @internal */
export const PROTOBUF_TAGS = {
  REQ_RESOURCE_LOGS,
  RL_SCOPE_LOGS,
  RL_SCHEMA_URL,
  SL_SCHEMA_URL,
} as const;

function writeResource(w: ProtoWriter, attributes: Record<string, unknown> | undefined): void {
  w.byte(RL_RESOURCE);
  const mark = w.begin(2);
  if (attributes) writeAttributes(w, RES_ATTRIBUTES, attributes);
  w.byte(RES_DROPPED);
  w.byte(0);
  w.end(mark);
}

function writeScope(w: ProtoWriter, scope: ScopeOf): void {
  w.byte(SL_SCOPE);
  const mark = w.begin(1);
  w.byte(SCOPE_NAME);
  w.string(scope.name);
  if (scope.version) {
    w.byte(SCOPE_VERSION);
    w.string(scope.version);
  }
  if (scope.attributes) writeAttributes(w, SCOPE_ATTRIBUTES, scope.attributes);
  if (scope.droppedAttributesCount) {
    w.byte(SCOPE_DROPPED);
    w.uint32(scope.droppedAttributesCount);
  }
  w.end(mark);
}

function writeLogRecord(w: ProtoWriter, r: ReadableLogRecord): void {
  w.byte(SL_LOG_RECORDS);
  // Records are mostly 128 B – 16 KiB: a 2-byte reservation avoids moving them.
  const mark = w.begin(2);
  w.byte(LR_TIME);
  w.hrTimeFixed64(r.hrTime[0], r.hrTime[1]);
  const severity = r.severityNumber;
  if (severity !== undefined && severity !== SeverityNumber.UNSPECIFIED) {
    w.byte(LR_SEVERITY_NUMBER);
    w.int64(severity);
  }
  if (r.severityText) {
    w.byte(LR_SEVERITY_TEXT);
    w.string(r.severityText);
  }
  if (r.body !== undefined) {
    w.byte(LR_BODY);
    // The AnyValue's length prefix, reserved at the size an ASCII string body
    // needs (tag, length, bytes): a fixed guess moved a 100-character message
    // on every record (TypedArray#copyWithin, ~1 % of a burst's CPU in a perf
    // profile of bench/export.bench.mjs, Node 24).
    const body = r.body;
    const bodyMark = w.begin(
      typeof body === 'string'
        ? Math.min(3, varintSize(body.length + 1 + varintSize(body.length)))
        : 1,
    );
    writeAnyValue(w, body);
    w.end(bodyMark);
  }
  if (r.attributes) writeAttributes(w, LR_ATTRIBUTES, r.attributes);
  w.byte(LR_DROPPED);
  w.uint32(r.droppedAttributesCount);
  const sc = r.spanContext;
  if (sc !== undefined) {
    if (sc.traceFlags) {
      w.byte(LR_FLAGS);
      w.fixed32(sc.traceFlags);
    }
    if (sc.traceId) {
      w.byte(LR_TRACE_ID);
      writeHexBytes(w, sc.traceId);
    }
    if (sc.spanId) {
      w.byte(LR_SPAN_ID);
      writeHexBytes(w, sc.spanId);
    }
  }
  w.byte(LR_OBSERVED_TIME);
  w.hrTimeFixed64(r.hrTimeObserved[0], r.hrTimeObserved[1]);
  if (r.eventName) {
    w.byte(LR_EVENT_NAME);
    w.string(r.eventName);
  }
  w.end(mark);
}

function writeAttributes(w: ProtoWriter, field: number, attributes: object): void {
  const map = attributes as Record<string, unknown>;
  for (const key in map) {
    if (!hasOwnProperty.call(map, key)) continue;
    w.byte(field);
    const kvMark = w.begin(1);
    // The key and the value's tag, pre-encoded (keys repeat from record to
    // record), then the AnyValue: its length written up front for the
    // scalars whose size is known, reserved and fixed afterwards otherwise.
    w.raw(keyPrefix(key));
    const value = map[key];
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) {
      w.byte(1 + varintSize(value));
      w.byte(AV_INT);
      w.uint32(value);
    } else if (typeof value === 'boolean') {
      w.byte(2);
      w.byte(AV_BOOL);
      w.byte(value ? 1 : 0);
    } else if (typeof value === 'number' && !Number.isInteger(value)) {
      w.byte(9);
      w.byte(AV_DOUBLE);
      w.double(value);
    } else {
      const valueMark = w.begin(1);
      writeAnyValue(w, value);
      w.end(valueMark);
    }
    w.end(kvMark);
  }
}

/**
 * `KeyValue.key` (tag, length, UTF-8) and the `KeyValue.value` tag of an
 * attribute key, made on first use. The bench's record encoded in
 * 1064–1076 → 977–1000 ns (512-record batches, fastest of 40 rounds of 40, three
 * interleaved processes each, Node 24.22), with the scalars' lengths written
 * up front.
 */
function keyPrefix(key: string): Uint8Array {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    const w = new ProtoWriter(key.length * 3 + 8);
    w.byte(KV_KEY);
    w.string(key);
    w.byte(KV_VALUE);
    prefix = w.copy();
    if (keyPrefixes.size < MAX_KEY_PREFIXES) keyPrefixes.set(key, prefix);
  }
  return prefix;
}
const keyPrefixes = new Map<string, Uint8Array>();

/** The fields of one AnyValue message (its length is written by the caller). */
function writeAnyValue(w: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.byte(AV_STRING);
      w.string(value);
      return;
    case 'boolean':
      w.byte(AV_BOOL);
      w.byte(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX_EXCLUSIVE) {
        w.byte(AV_INT);
        w.int64(value);
      } else {
        w.byte(AV_DOUBLE);
        w.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        w.byte(AV_BYTES);
        w.bytes(value);
      } else if (Array.isArray(value)) {
        w.byte(AV_ARRAY);
        const listMark = w.begin(1);
        for (let i = 0; i < value.length; i++) {
          w.byte(LIST_VALUES);
          const itemMark = w.begin(1);
          writeAnyValue(w, value[i]);
          w.end(itemMark);
        }
        w.end(listMark);
      } else {
        w.byte(AV_KVLIST);
        const listMark = w.begin(1);
        writeAttributes(w, LIST_VALUES, value);
        w.end(listMark);
      }
      return;
    default:
      return; // undefined, bigint, symbol, function: an empty AnyValue, as the SDK writes it
  }
}

/**
 * A trace or span id given as hex, written as its bytes. Decoded as the SDK's
 * `hexToBinary` does (two characters per byte, `0-9a-fA-F`), so that both
 * serializers write the same bytes for the same id.
 */
function writeHexBytes(w: ProtoWriter, hex: string): void {
  // The records of one span share their ids: the last trace and span id are
  // kept decoded (one slot each, compared by value), so a run of records in a
  // span copies 16 + 8 bytes instead of decoding 48 hex characters: 1.20 →
  // 1.10 µs per record for the bench's record (Node 24, interleaved runs).
  let slot: HexSlot;
  if (hex === traceSlot.hex) slot = traceSlot;
  else if (hex === spanSlot.hex) slot = spanSlot;
  else {
    slot = hex.length === 32 ? traceSlot : spanSlot;
    const n = hex.length >>> 1;
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      bytes[i] = ((nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1))) & 255;
    }
    slot.hex = hex;
    slot.bytes = bytes;
  }
  const bytes = slot.bytes;
  const n = bytes.length;
  w.uint32(n);
  w.ensure(n);
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
  w.pos = pos;
}

interface HexSlot {
  hex: string;
  bytes: Uint8Array;
}
const traceSlot: HexSlot = { hex: '', bytes: new Uint8Array(0) };
const spanSlot: HexSlot = { hex: '', bytes: new Uint8Array(0) };

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return c - 55;
}
