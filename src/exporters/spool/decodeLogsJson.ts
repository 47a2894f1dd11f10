import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

type Json = Record<string, unknown>;

const decoder = new TextDecoder();

/**
 * The log records of one OTLP/JSON `ExportLogsServiceRequest` as
 * {@link encodeLogsJson} writes it, back as ReadableLogRecords: for
 * destinations whose exporter takes records (user `destinations`), so that
 * their batches can wait in the spool as OTLP bytes. Values map back as the
 * encoder mapped them (`intValue` and `doubleValue` to numbers, `bytesValue`
 * to a Uint8Array, `kvlistValue` to an object, an empty value to null); the
 * records of one resource share one Resource and those of one scope one scope
 * object. Throws on bytes that are not such a request.
 */
export function decodeLogsJson(bytes: Uint8Array): ReadableLogRecord[] {
  const request = JSON.parse(decoder.decode(bytes)) as Json;
  const records: ReadableLogRecord[] = [];
  for (const rl of list(request.resourceLogs)) {
    const resourceJson = (rl.resource ?? {}) as Json;
    const resource = resourceFromAttributes(
      attributes(resourceJson.attributes),
      typeof rl.schemaUrl === 'string' ? { schemaUrl: rl.schemaUrl } : undefined,
    );
    for (const sl of list(rl.scopeLogs)) {
      const scopeJson = (sl.scope ?? {}) as Json;
      const scope: ReadableLogRecord['instrumentationScope'] = {
        name: typeof scopeJson.name === 'string' ? scopeJson.name : '',
        ...(typeof scopeJson.version === 'string' ? { version: scopeJson.version } : {}),
        ...(typeof sl.schemaUrl === 'string' ? { schemaUrl: sl.schemaUrl } : {}),
        ...(scopeJson.attributes ? { attributes: attributes(scopeJson.attributes) } : {}),
        ...(scopeJson.droppedAttributesCount
          ? { droppedAttributesCount: Number(scopeJson.droppedAttributesCount) }
          : {}),
      };
      for (const lr of list(sl.logRecords)) {
        const record: {
          -readonly [K in keyof ReadableLogRecord]: ReadableLogRecord[K];
        } = {
          hrTime: hrTime(lr.timeUnixNano),
          hrTimeObserved: hrTime(lr.observedTimeUnixNano),
          resource,
          instrumentationScope: scope,
          attributes: attributes(lr.attributes),
          droppedAttributesCount: Number(lr.droppedAttributesCount ?? 0),
        };
        if (typeof lr.severityNumber === 'number') record.severityNumber = lr.severityNumber;
        if (typeof lr.severityText === 'string') record.severityText = lr.severityText;
        if (lr.body !== undefined) record.body = anyValue(lr.body);
        if (typeof lr.eventName === 'string') record.eventName = lr.eventName;
        if (typeof lr.traceId === 'string' && typeof lr.spanId === 'string') {
          const spanContext: SpanContext = {
            traceId: lr.traceId,
            spanId: lr.spanId,
            traceFlags: Number(lr.flags ?? 0) & 0xff,
          };
          record.spanContext = spanContext;
        }
        records.push(record);
      }
    }
  }
  return records;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

const NANOS = 1_000_000_000n;

function hrTime(value: unknown): HrTime {
  const nanos = BigInt(typeof value === 'string' || typeof value === 'number' ? value : 0);
  return [Number(nanos / NANOS), Number(nanos % NANOS)];
}

function attributes(value: unknown): Attributes {
  const out: Attributes = {};
  for (const kv of list(value)) {
    if (typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function anyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return null;
  const v = value as Json;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('bytesValue' in v) return new Uint8Array(Buffer.from(String(v.bytesValue), 'base64'));
  if ('arrayValue' in v) return list((v.arrayValue as Json | undefined)?.values).map(anyValue);
  if ('kvlistValue' in v) {
    const out: Record<string, unknown> = {};
    for (const kv of list((v.kvlistValue as Json | undefined)?.values)) {
      if (typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
    }
    return out;
  }
  return null;
}
