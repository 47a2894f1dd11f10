/**
 * A loopback OTLP/HTTP receiver for tests.
 *
 * It accepts `POST /v1/logs`, `/v1/metrics` and `/v1/traces` in both OTLP/HTTP
 * encodings (`application/x-protobuf` and `application/json`, optionally
 * gzip/deflate compressed), decodes every request with a hand-written subset of
 * the OTLP v1 schema (see `./otlp-proto/`) and stores the telemetry in a
 * normalised plain-JS shape that is identical for both encodings, so a test can
 * assert the same way whichever exporter produced the data.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import type { IConversionOptions, Root, Type } from 'protobufjs';

/** A 64-bit integer: a number when it is a safe integer, else its decimal string. */
export type Int64 = number | string;

/** Normalised attributes: key to plain-JS value (see {@link ReceivedLogRecord.body}). */
export type ReceivedAttributes = Record<string, unknown>;

/** The instrumentation scope of received telemetry. */
export interface ReceivedScope {
  name: string;
  /** Undefined when absent or empty. */
  version?: string;
  attributes: ReceivedAttributes;
}

/** One OTLP log record, flattened with its resource and scope. */
export interface ReceivedLogRecord {
  /** Resource attributes. */
  resource: ReceivedAttributes;
  scope: ReceivedScope;
  /** Nanoseconds since the epoch as a decimal string (`'0'` when unset). */
  timeUnixNano: string;
  /** Nanoseconds since the epoch as a decimal string (`'0'` when unset). */
  observedTimeUnixNano: string;
  /** 0 when unspecified. */
  severityNumber: number;
  /** Undefined when absent or empty. */
  severityText?: string;
  /**
   * The body as plain JS: strings, booleans and doubles as themselves, ints as
   * {@link Int64}, bytes as a `Uint8Array`, arrays as arrays and kvlists as
   * objects (recursively); an empty AnyValue nested in an array, kvlist or
   * attribute is `null`. An absent or empty body is `undefined`.
   */
  body: unknown;
  attributes: ReceivedAttributes;
  /** Lowercase hex; undefined when absent or empty. */
  traceId?: string;
  /** Lowercase hex; undefined when absent or empty. */
  spanId?: string;
  /** The W3C trace flags; undefined when absent or 0. */
  flags?: number;
  /** Undefined when absent or empty. */
  eventName?: string;
  droppedAttributesCount: number;
}

/** An exemplar attached to a metric data point. */
export interface ReceivedExemplar {
  /** Lowercase hex; undefined when absent or empty. */
  traceId?: string;
  /** Lowercase hex; undefined when absent or empty. */
  spanId?: string;
  /** `as_double` or `as_int`. */
  value: number | string;
  timeUnixNano: string;
  filteredAttributes: ReceivedAttributes;
}

/**
 * A metric data point. Number data points (sum, gauge) carry `value`;
 * histogram data points carry `count`, `sum`, `min`, `max`, `bucketCounts` and
 * `explicitBounds` (each only when present on the wire).
 */
export interface ReceivedDataPoint {
  attributes: ReceivedAttributes;
  startTimeUnixNano: string;
  timeUnixNano: string;
  value?: number | string;
  count?: Int64;
  sum?: number;
  min?: number;
  max?: number;
  bucketCounts?: Int64[];
  explicitBounds?: number[];
  /** 0 when unset. */
  flags: number;
  exemplars: ReceivedExemplar[];
}

/** One OTLP metric, flattened with its resource and scope. */
export interface ReceivedMetric {
  resource: ReceivedAttributes;
  scope: ReceivedScope;
  name: string;
  /** `''` when absent. */
  unit: string;
  /** `''` when absent. */
  description: string;
  /**
   * The data kind. `'unsupported'` for exponential histograms and summaries,
   * which the bundled schema does not decode (they then have no data points).
   */
  kind: 'sum' | 'gauge' | 'histogram' | 'unsupported';
  /** OTLP AggregationTemporality (1 delta, 2 cumulative) for sums and histograms. */
  aggregationTemporality?: number;
  /** For sums only. */
  isMonotonic?: boolean;
  dataPoints: ReceivedDataPoint[];
}

/** A span event. */
export interface ReceivedSpanEvent {
  name: string;
  timeUnixNano: string;
  attributes: ReceivedAttributes;
}

/** One OTLP span, flattened with its resource and scope. */
export interface ReceivedSpan {
  resource: ReceivedAttributes;
  scope: ReceivedScope;
  /** Lowercase hex. */
  traceId: string;
  /** Lowercase hex. */
  spanId: string;
  /** Lowercase hex; undefined for a root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: ReceivedAttributes;
  /** OTLP StatusCode (0 unset, 1 ok, 2 error); message undefined when empty. */
  status: { code: number; message?: string };
  events: ReceivedSpanEvent[];
}

/** What the receiver saw of one HTTP request, whatever its outcome. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** The media type without parameters, `''` when absent. */
  contentType: string;
  contentEncoding?: string;
  /** The request's headers, as Node gives them (lower-case names). */
  headers: IncomingMessage['headers'];
  /** Body size in bytes as received (before decompression). */
  bytes: number;
  /** The status code the receiver answered. */
  status: number;
  /** Why the request was rejected (bad path, media type, encoding or payload). */
  error?: string;
}

/** A running loopback OTLP/HTTP receiver; see {@link startOtlpReceiver}. */
export interface OtlpReceiver {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:41234`; append `/v1/logs` etc. */
  readonly url: string;
  /** Every log record received, in arrival order. */
  readonly logs: ReceivedLogRecord[];
  /** Every metric received, in arrival order (one entry per metric per request). */
  readonly metrics: ReceivedMetric[];
  /** Every span received, in arrival order. */
  readonly spans: ReceivedSpan[];
  /**
   * Number of requests per `"<path> <content type>"`, e.g.
   * `requests['/v1/logs application/x-protobuf']`; counts every request,
   * including rejected ones and those answered with a {@link setStatus} error.
   */
  readonly requests: Record<string, number>;
  /** Details of every request, in arrival order. */
  readonly requestLog: ReceivedRequest[];
  /**
   * Resolves once `predicate()` returns true (checked now, after every request
   * and every 10 ms); rejects after `timeoutMs` with a summary of what arrived.
   */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /**
   * Sets the status code of subsequent responses. With a non-2xx code the
   * request is counted but its payload is neither decoded nor stored, and the
   * response body is empty. Use `setStatus(200)` to go back to normal.
   */
  setStatus(code: number): void;
  /** Empties `logs`, `metrics`, `spans`, `requests` and `requestLog`. */
  clear(): void;
  /** Stops the server, dropping kept-alive connections. */
  close(): Promise<void>;
}

type Signal = 'logs' | 'metrics' | 'traces';

const REQUEST_TYPES: Record<Signal, string> = {
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
};

const PATHS: Record<string, Signal> = {
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
  '/v1/traces': 'traces',
};

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** protobufjs → the same camelCase object tree OTLP/JSON uses (ids/bytes stay binary). */
const TO_OBJECT: IConversionOptions = { longs: String, enums: Number, defaults: false };

let schema: Root | undefined;

/** Parses the bundled `.proto` files once. */
function loadSchema(): Root {
  if (!schema) {
    const dir = fileURLToPath(new URL('./otlp-proto/', import.meta.url));
    const root = new protobuf.Root();
    root.loadSync(
      ['logs_service.proto', 'metrics_service.proto', 'trace_service.proto'].map((f) => dir + f),
    );
    root.resolveAll();
    schema = root;
  }
  return schema;
}

function requestType(signal: Signal): Type {
  return loadSchema().lookupType(REQUEST_TYPES[signal]);
}

function enumValue(enumName: string, raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') {
    if (/^-?\d+$/.test(raw)) return Number(raw);
    const value = loadSchema().lookupEnum(enumName).values[raw];
    if (value !== undefined) return value;
    throw new Error(`unknown ${enumName} value ${JSON.stringify(raw)}`);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Normalisation of the camelCase object tree (from protobufjs toObject or
// from JSON.parse) into the Received* shapes.
// ---------------------------------------------------------------------------

type Raw = Record<string, unknown>;

function rec(value: unknown): Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function optStr(value: unknown): string | undefined {
  const s = str(value);
  return s === '' ? undefined : s;
}

function int64(value: unknown): Int64 {
  if (typeof value === 'number') {
    // JSON.parse already rounded an unsafe integer; render it like the
    // protobuf path does so both encodings agree.
    return Number.isInteger(value) && !Number.isSafeInteger(value)
      ? BigInt(value).toString()
      : value;
  }
  if (typeof value === 'bigint') {
    return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value).toString();
  }
  if (value === undefined || value === null) return 0;
  throw new Error(`not an int64: ${JSON.stringify(value)}`);
}

function uint32(value: unknown): number {
  const n = int64(value);
  return typeof n === 'number' ? n : Number(n);
}

/** OTLP/JSON may spell non-finite doubles as strings (protobuf JSON mapping). */
function double(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    const n = Number(value);
    if (value.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new Error(`not a double: ${JSON.stringify(value)}`);
}

function optDouble(value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : double(value);
}

function nanos(value: unknown): string {
  if (value === undefined || value === null) return '0';
  if (typeof value === 'number') return BigInt(Math.trunc(value)).toString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value).toString();
  throw new Error(`not a nanosecond timestamp: ${JSON.stringify(value)}`);
}

/** Bytes: binary from protobuf, base64 (or base64url) from JSON. */
function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  throw new Error(`not bytes: ${JSON.stringify(value)}`);
}

/** Trace/span ids: binary from protobuf, hex from OTLP/JSON. Empty → undefined. */
function id(value: unknown): string | undefined {
  if (value instanceof Uint8Array) {
    return value.length === 0 ? undefined : Buffer.from(value).toString('hex');
  }
  if (typeof value === 'string') {
    if (value === '') return undefined;
    if (!/^[0-9a-fA-F]+$/.test(value) || value.length % 2 !== 0) {
      throw new Error(`id is not hex: ${JSON.stringify(value)}`);
    }
    return value.toLowerCase();
  }
  return undefined;
}

function anyValue(raw: unknown): unknown {
  const v = rec(raw);
  if (v.stringValue != null) return str(v.stringValue);
  if (v.boolValue != null) return v.boolValue === true;
  if (v.intValue != null) return int64(v.intValue);
  if (v.doubleValue != null) return double(v.doubleValue);
  if (v.arrayValue != null) return list(rec(v.arrayValue).values).map(anyValue);
  if (v.kvlistValue != null) return keyValues(rec(v.kvlistValue).values);
  if (v.bytesValue != null) return bytes(v.bytesValue);
  return null;
}

function keyValues(raw: unknown): ReceivedAttributes {
  return Object.fromEntries(
    list(raw).map((kv) => [str(rec(kv).key), anyValue(rec(kv).value)] as const),
  );
}

function scopeOf(raw: unknown): ReceivedScope {
  const s = rec(raw);
  return { name: str(s.name), version: optStr(s.version), attributes: keyValues(s.attributes) };
}

function normaliseLogs(request: Raw): ReceivedLogRecord[] {
  const out: ReceivedLogRecord[] = [];
  for (const rl of list(request.resourceLogs)) {
    const resource = keyValues(rec(rec(rl).resource).attributes);
    for (const sl of list(rec(rl).scopeLogs)) {
      const scope = scopeOf(rec(sl).scope);
      for (const item of list(rec(sl).logRecords)) {
        const r = rec(item);
        const body = anyValue(r.body);
        const flags = r.flags == null ? 0 : uint32(r.flags);
        out.push({
          resource,
          scope,
          timeUnixNano: nanos(r.timeUnixNano),
          observedTimeUnixNano: nanos(r.observedTimeUnixNano),
          severityNumber: enumValue('opentelemetry.proto.logs.v1.SeverityNumber', r.severityNumber),
          severityText: optStr(r.severityText),
          body: body === null ? undefined : body,
          attributes: keyValues(r.attributes),
          traceId: id(r.traceId),
          spanId: id(r.spanId),
          flags: flags === 0 ? undefined : flags,
          eventName: optStr(r.eventName),
          droppedAttributesCount:
            r.droppedAttributesCount == null ? 0 : uint32(r.droppedAttributesCount),
        });
      }
    }
  }
  return out;
}

function exemplarOf(raw: unknown): ReceivedExemplar {
  const e = rec(raw);
  return {
    traceId: id(e.traceId),
    spanId: id(e.spanId),
    value: e.asInt != null ? int64(e.asInt) : double(e.asDouble ?? 0),
    timeUnixNano: nanos(e.timeUnixNano),
    filteredAttributes: keyValues(e.filteredAttributes),
  };
}

function dataPointOf(raw: unknown, histogram: boolean): ReceivedDataPoint {
  const p = rec(raw);
  const point: ReceivedDataPoint = {
    attributes: keyValues(p.attributes),
    startTimeUnixNano: nanos(p.startTimeUnixNano),
    timeUnixNano: nanos(p.timeUnixNano),
    flags: p.flags == null ? 0 : uint32(p.flags),
    exemplars: list(p.exemplars).map(exemplarOf),
  };
  if (histogram) {
    point.count = int64(p.count);
    point.sum = optDouble(p.sum);
    point.min = optDouble(p.min);
    point.max = optDouble(p.max);
    point.bucketCounts = list(p.bucketCounts).map(int64);
    point.explicitBounds = list(p.explicitBounds).map(double);
    for (const key of ['sum', 'min', 'max'] as const) {
      if (point[key] === undefined) delete point[key];
    }
  } else if (p.asInt != null) {
    point.value = int64(p.asInt);
  } else if (p.asDouble != null) {
    point.value = double(p.asDouble);
  }
  return point;
}

function normaliseMetrics(request: Raw): ReceivedMetric[] {
  const out: ReceivedMetric[] = [];
  for (const rm of list(request.resourceMetrics)) {
    const resource = keyValues(rec(rec(rm).resource).attributes);
    for (const sm of list(rec(rm).scopeMetrics)) {
      const scope = scopeOf(rec(sm).scope);
      for (const item of list(rec(sm).metrics)) {
        const m = rec(item);
        const base = {
          resource,
          scope,
          name: str(m.name),
          unit: str(m.unit),
          description: str(m.description),
        };
        const temporality = (data: Raw): number =>
          enumValue(
            'opentelemetry.proto.metrics.v1.AggregationTemporality',
            data.aggregationTemporality,
          );
        if (m.sum != null) {
          const data = rec(m.sum);
          out.push({
            ...base,
            kind: 'sum',
            aggregationTemporality: temporality(data),
            isMonotonic: data.isMonotonic === true,
            dataPoints: list(data.dataPoints).map((p) => dataPointOf(p, false)),
          });
        } else if (m.gauge != null) {
          out.push({
            ...base,
            kind: 'gauge',
            dataPoints: list(rec(m.gauge).dataPoints).map((p) => dataPointOf(p, false)),
          });
        } else if (m.histogram != null) {
          const data = rec(m.histogram);
          out.push({
            ...base,
            kind: 'histogram',
            aggregationTemporality: temporality(data),
            dataPoints: list(data.dataPoints).map((p) => dataPointOf(p, true)),
          });
        } else {
          out.push({ ...base, kind: 'unsupported', dataPoints: [] });
        }
      }
    }
  }
  return out;
}

function normaliseTraces(request: Raw): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of list(request.resourceSpans)) {
    const resource = keyValues(rec(rec(rs).resource).attributes);
    for (const ss of list(rec(rs).scopeSpans)) {
      const scope = scopeOf(rec(ss).scope);
      for (const item of list(rec(ss).spans)) {
        const s = rec(item);
        const status = rec(s.status);
        out.push({
          resource,
          scope,
          traceId: id(s.traceId) ?? '',
          spanId: id(s.spanId) ?? '',
          parentSpanId: id(s.parentSpanId),
          name: str(s.name),
          kind: enumValue('opentelemetry.proto.trace.v1.Span.SpanKind', s.kind),
          startTimeUnixNano: nanos(s.startTimeUnixNano),
          endTimeUnixNano: nanos(s.endTimeUnixNano),
          attributes: keyValues(s.attributes),
          status: {
            code: enumValue('opentelemetry.proto.trace.v1.Status.StatusCode', status.code),
            message: optStr(status.message),
          },
          events: list(s.events).map((e) => ({
            name: str(rec(e).name),
            timeUnixNano: nanos(rec(e).timeUnixNano),
            attributes: keyValues(rec(e).attributes),
          })),
        });
      }
    }
  }
  return out;
}

/** Decodes one request body (already decompressed) into its camelCase object tree. */
function decode(signal: Signal, contentType: string, body: Buffer): Raw {
  if (contentType === PROTOBUF) {
    const type = requestType(signal);
    return type.toObject(type.decode(body), TO_OBJECT);
  }
  const parsed: unknown = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('JSON body is not an object');
  }
  return parsed as Raw;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decompress(encoding: string | undefined, body: Buffer): Buffer {
  switch (encoding) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

/**
 * Starts a loopback OTLP/HTTP receiver on `127.0.0.1` with an ephemeral port.
 *
 * It answers `POST /v1/logs`, `/v1/metrics` and `/v1/traces` sent as
 * `application/x-protobuf` or `application/json` (optionally with
 * `content-encoding: gzip` or `deflate`) with 200 and an empty export response
 * of the same content type (zero protobuf bytes, or `{}`), after decoding and
 * storing the payload in {@link OtlpReceiver.logs}, `metrics` or `spans`.
 * Other paths get 404, other methods 405, other content types 415, and
 * undecodable payloads 400 (with the reason in `requestLog[i].error`).
 *
 * Both encodings normalise to the same shapes; the notable conversions are:
 * trace/span ids become lowercase hex (`undefined` when empty), int64 values
 * become numbers (decimal strings past `Number.MAX_SAFE_INTEGER`), timestamps
 * become decimal nanosecond strings, bytes become `Uint8Array`, enums become
 * numbers, and empty optional strings become `undefined`.
 *
 * @example
 * ```ts
 * const receiver = await startOtlpReceiver();
 * const exporter = new OTLPLogExporter({ url: `${receiver.url}/v1/logs` });
 * // ... emit and flush ...
 * await receiver.waitFor(() => receiver.logs.length === 1);
 * expect(receiver.logs[0]?.body).toBe('hello');
 * await receiver.close();
 * ```
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  loadSchema();
  const logs: ReceivedLogRecord[] = [];
  const metrics: ReceivedMetric[] = [];
  const spans: ReceivedSpan[] = [];
  const requests: Record<string, number> = {};
  const requestLog: ReceivedRequest[] = [];
  const listeners = new Set<() => void>();
  let statusCode = 200;

  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const contentEncoding = req.headers['content-encoding']?.trim().toLowerCase();
    let body: Buffer = Buffer.alloc(0);
    let entry: ReceivedRequest | undefined;
    const answer = (status: number, payload: string | Buffer, error?: string): void => {
      entry = {
        method: req.method ?? '',
        path,
        contentType,
        contentEncoding,
        headers: req.headers,
        bytes: body.length,
        status,
        error,
      };
      res.writeHead(status, {
        'content-type': contentType === JSON_TYPE ? JSON_TYPE : PROTOBUF,
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    };
    try {
      body = await readBody(req);
      const signal = PATHS[path];
      if (signal === undefined) return answer(404, '', `unknown path ${path}`);
      if (req.method !== 'POST') return answer(405, '', `method ${req.method} not allowed`);
      if (contentType !== PROTOBUF && contentType !== JSON_TYPE) {
        return answer(415, '', `unsupported content-type ${contentType || '(none)'}`);
      }
      if (statusCode < 200 || statusCode > 299) return answer(statusCode, '');
      let decoded: Raw;
      try {
        decoded = decode(signal, contentType, decompress(contentEncoding, body));
        if (signal === 'logs') logs.push(...normaliseLogs(decoded));
        else if (signal === 'metrics') metrics.push(...normaliseMetrics(decoded));
        else spans.push(...normaliseTraces(decoded));
      } catch (err) {
        return answer(400, '', err instanceof Error ? err.message : String(err));
      }
      return answer(statusCode, contentType === JSON_TYPE ? '{}' : Buffer.alloc(0));
    } catch (err) {
      if (!res.headersSent) answer(500, '', err instanceof Error ? err.message : String(err));
    } finally {
      if (entry) {
        const key = `${path} ${contentType}`;
        requests[key] = (requests[key] ?? 0) + 1;
        requestLog.push(entry);
      }
      notify();
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const summary = (): string =>
    `received ${logs.length} log record(s), ${metrics.length} metric(s), ${spans.length} span(s); ` +
    `requests: ${JSON.stringify(requests)}` +
    requestLog
      .filter((r) => r.error !== undefined)
      .map((r) => `\n  ${r.path} ${r.contentType} -> ${r.status}: ${r.error}`)
      .join('');

  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    metrics,
    spans,
    requests,
    requestLog,
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          let done: boolean;
          try {
            done = predicate();
          } catch (err) {
            finish();
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          if (done) {
            finish();
            resolve();
          }
        };
        const interval = setInterval(check, 10);
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`waitFor timed out after ${timeoutMs} ms; ${summary()}`));
        }, timeoutMs);
        const finish = (): void => {
          clearInterval(interval);
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    setStatus(code) {
      statusCode = code;
    },
    clear() {
      logs.length = 0;
      metrics.length = 0;
      spans.length = 0;
      requestLog.length = 0;
      for (const key of Object.keys(requests)) delete requests[key];
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Normalises one OTLP export request, already decoded into the camelCase
 * object tree (longs as strings, enums as numbers, ids as bytes), into the
 * Received* shapes: for receivers of another transport (the gRPC one).
 */
export function normaliseOtlpRequest(
  signal: Signal,
  request: Record<string, unknown>,
): ReceivedLogRecord[] | ReceivedMetric[] | ReceivedSpan[] {
  if (signal === 'logs') return normaliseLogs(request);
  if (signal === 'metrics') return normaliseMetrics(request);
  return normaliseTraces(request);
}
