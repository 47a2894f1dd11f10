import {
  connect,
  constants as http2,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type IncomingHttpStatusHeader,
} from 'node:http2';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { reportOnce } from '../internal/reportOnce.js';
import type { BatchSender } from '../processors/DeliveringLogRecordProcessor.js';
import type { OtlpHttpSenderOptions, SendOutcome } from './OtlpHttpSender.js';
import { encodeLogsProtobuf } from './otlp/encodeLogsProtobuf.js';
import { SendAttempt } from './SendAttempt.js';
import { decodeLogsJson } from './spool/decodeLogsJson.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The unary method of the OTLP logs service (opentelemetry-proto `logs_service.proto`). */
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** Options of {@link OtlpGrpcSender}: those of OTLP/HTTP, with `url` the server's `http(s)://host:port`. */
export type OtlpGrpcSenderOptions = OtlpHttpSenderOptions & {
  /** The gRPC method, default {@link LOGS_EXPORT_PATH}. */
  readonly path?: string;
};

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
} as const;

/**
 * The codes the OTLP spec calls retryable
 * (https://opentelemetry.io/docs/specs/otlp/#failures, OTLP/gRPC);
 * RESOURCE_EXHAUSTED only when the status carries a `RetryInfo`.
 */
const RETRYABLE = new Set<number>([
  Status.CANCELLED,
  Status.DEADLINE_EXCEEDED,
  Status.ABORTED,
  Status.OUT_OF_RANGE,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
]);

/** Longest `RetryInfo.retry_delay` honoured, ms; a larger one is clamped (as `Retry-After`). */
const MAX_RETRY_DELAY_MILLIS = 5 * 60_000;

/**
 * Sends encoded OTLP `ExportLogsServiceRequest` bytes as a unary OTLP/gRPC
 * call over `node:http2`: `application/grpc`, one length-prefixed message
 * (gzip with `grpc-encoding: gzip` when compression is on), the status from
 * the `grpc-status` / `grpc-message` trailers. Retryable codes and throttling
 * follow the OTLP spec (https://opentelemetry.io/docs/specs/otlp/#failures);
 * an OK answer with a `partial_success` is a success (the rejected records are
 * reported once through diag, never resent). `http://` is plaintext (h2c),
 * `https://` TLS with the given CA and client pair. One HTTP/2 connection,
 * reopened after it fails; never throws or rejects.
 */
export class OtlpGrpcSender implements BatchSender {
  private readonly origin: string;
  private readonly path: string;
  private readonly metadata: Readonly<Record<string, string>>;
  private readonly timeoutMillis: number;
  private readonly gzip: boolean;
  private readonly tls: OtlpHttpSenderOptions['tls'];
  private session: ClientHttp2Session | undefined;
  private active = 0;

  constructor(options: OtlpGrpcSenderOptions) {
    const url = new URL(options.url);
    this.origin = url.origin;
    this.path = options.path ?? LOGS_EXPORT_PATH;
    this.metadata = metadataOf(options.headers ?? {});
    this.timeoutMillis = options.timeoutMillis;
    this.gzip = options.compression === 'gzip';
    this.tls = url.protocol === 'https:' ? (options.tls ?? {}) : undefined;
  }

  /**
   * Sends one request's protobuf bytes; `signal` cancels the call (the
   * outcome is then `retry`). OTLP/JSON bytes (`contentType`
   * `application/json`: a spool written while the protocol was `http/json`)
   * are re-encoded as protobuf first.
   */
  async send(body: Uint8Array, contentType?: string, signal?: AbortSignal): Promise<SendOutcome> {
    let message: Uint8Array = body;
    try {
      if (contentType === 'application/json') message = encodeLogsProtobuf(decodeLogsJson(body));
      if (this.gzip) message = await gzipAsync(message);
    } catch (error) {
      return { kind: 'reject', error: asError(error) };
    }
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame[0] = this.gzip ? 1 : 0;
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    return new Promise<SendOutcome>((resolve) => {
      let stream: ClientHttp2Stream | undefined;
      let session: ClientHttp2Session | undefined;
      const fail = (error: Error): void => finish({ kind: 'retry', error });
      this.active++;
      const attempt = new SendAttempt(
        resolve,
        {
          timeoutMillis: this.timeoutMillis,
          signal,
          onTimeout: (error) => {
            // The connection is dropped too (a black-holed address, a half-open
            // connection to a peer that went away), so the next attempt dials again.
            if (session) this.drop(session);
            fail(error);
          },
          onAbort: fail,
          onSettle: () => {
            if (stream && !stream.closed) stream.close(http2.NGHTTP2_CANCEL);
            if (--this.active === 0) this.session?.unref();
          },
        },
        'OTLP/gRPC export',
      );
      const finish = (outcome: SendOutcome): void => attempt.finish(outcome);
      if (attempt.abortedAlready()) return;
      try {
        session = this.connected();
        session.ref();
        stream = session.request({
          ...this.metadata,
          [http2.HTTP2_HEADER_METHOD]: 'POST',
          [http2.HTTP2_HEADER_PATH]: this.path,
          [http2.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
          [http2.HTTP2_HEADER_TE]: 'trailers',
          'grpc-timeout': `${Math.max(1, Math.ceil(this.timeoutMillis))}m`,
          'grpc-accept-encoding': 'identity,gzip',
          ...(this.gzip ? { 'grpc-encoding': 'gzip' } : {}),
        });
      } catch (error) {
        return fail(asError(error));
      }
      let headers: IncomingHttpHeaders & IncomingHttpStatusHeader = {};
      let trailers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h: IncomingHttpHeaders & IncomingHttpStatusHeader) => {
        headers = h;
      });
      stream.on('trailers', (t: IncomingHttpHeaders) => {
        trailers = t;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', fail);
      stream.on('close', () => {
        if (attempt.settled) return;
        outcomeOf(headers, trailers, Buffer.concat(chunks)).then(finish, (e: unknown) =>
          fail(asError(e)),
        );
      });
      stream.end(frame);
    });
  }

  /** Closes the connection. */
  close(): void {
    const session = this.session;
    this.session = undefined;
    session?.close();
  }

  private connected(): ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = connect(this.origin, this.tls ? { ...this.tls } : {});
    // Errors reach the streams; the session is only forgotten so the next
    // send dials again.
    session.on('error', () => this.drop(session));
    session.on('close', () => this.drop(session));
    // A graceful GOAWAY: the call in flight may still complete; new calls
    // go on a new connection.
    session.on('goaway', () => {
      if (this.session === session) this.session = undefined;
      if (!session.closed) session.close();
    });
    this.session = session;
    return session;
  }

  private drop(session: ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
    if (!session.destroyed) session.destroy();
  }
}

/** Header metadata: lower-case ASCII keys; reserved and pseudo headers left out. */
function metadataOf(headers: Readonly<Record<string, string>>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (key.startsWith(':') || key.startsWith('grpc-') || RESERVED.has(key)) {
      reportOnce(`grpc:header:${key}`, `OTLP/gRPC header ${name} is reserved and not sent`);
      continue;
    }
    metadata[key] = value;
  }
  return metadata;
}

const RESERVED = new Set(['content-type', 'te', 'host', 'connection', 'transfer-encoding']);

/** The outcome of a finished call, from its headers, trailers and response message. */
async function outcomeOf(
  headers: IncomingHttpHeaders & IncomingHttpStatusHeader,
  trailers: IncomingHttpHeaders,
  body: Buffer,
): Promise<SendOutcome> {
  const httpStatus = headers[':status'];
  // A trailers-only answer carries the status in the headers.
  const rawStatus = trailers['grpc-status'] ?? headers['grpc-status'];
  if (rawStatus === undefined) {
    const error = new Error(
      `OTLP/gRPC endpoint answered HTTP ${httpStatus ?? '?'} without grpc-status`,
    );
    // The gRPC mapping of HTTP statuses (doc/http-grpc-status-mapping.md):
    // 429, 502, 503, 504 are UNAVAILABLE; a stream cut before its trailers
    // too. Other HTTP errors are UNKNOWN / INTERNAL, not retried.
    if (httpStatus === undefined || httpStatus === 200 || [429, 502, 503, 504].includes(httpStatus))
      return { kind: 'retry', error };
    return { kind: 'reject', error };
  }
  const code = Number(rawStatus);
  if (code === Status.OK) {
    await reportPartialSuccess(headers, body);
    return { kind: 'ok' };
  }
  const grpcMessage = decodeGrpcMessage(trailers['grpc-message'] ?? headers['grpc-message']);
  const error = new Error(
    `OTLP/gRPC endpoint answered status ${code}${grpcMessage ? `: ${grpcMessage}` : ''}`,
  );
  const details = trailers['grpc-status-details-bin'] ?? headers['grpc-status-details-bin'];
  const retryDelay = typeof details === 'string' ? retryDelayOf(details) : undefined;
  if (code === Status.RESOURCE_EXHAUSTED) {
    // Retryable only when the server signals that recovery is possible.
    return retryDelay === undefined
      ? { kind: 'reject', error }
      : { kind: 'retry', error, retryAfterMillis: retryDelay };
  }
  if (RETRYABLE.has(code)) {
    return retryDelay === undefined
      ? { kind: 'retry', error }
      : { kind: 'retry', error, retryAfterMillis: retryDelay };
  }
  return { kind: 'reject', error };
}

/** `grpc-message` is percent-encoded (gRPC over HTTP/2 spec). */
function decodeGrpcMessage(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(', ') : (value ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The `ExportLogsServiceResponse.partial_success` of an OK answer, reported
 * once through diag: those records were refused for good and must not be
 * resent (OTLP spec, "Partial Success").
 */
async function reportPartialSuccess(headers: IncomingHttpHeaders, body: Buffer): Promise<void> {
  if (body.length < 5) return;
  let message: Buffer = body.subarray(5, 5 + body.readUInt32BE(1));
  if (body[0] === 1) {
    if (headers['grpc-encoding'] !== 'gzip') return;
    message = await gunzipAsync(message);
  }
  const partial = fieldsOf(message).get(1)?.[0];
  if (!(partial instanceof Uint8Array)) return;
  const fields = fieldsOf(partial);
  const rejected = fields.get(1)?.[0];
  const text = fields.get(2)?.[0];
  if ((typeof rejected === 'bigint' && rejected > 0n) || text instanceof Uint8Array) {
    reportOnce(
      'grpc:partial-success',
      `the OTLP/gRPC endpoint rejected ${String(rejected ?? 0)} log records of a request` +
        (text instanceof Uint8Array ? `: ${Buffer.from(text).toString('utf8')}` : ''),
    );
  }
}

/**
 * The delay of a `google.rpc.RetryInfo` in a `grpc-status-details-bin`
 * trailer (base64 `google.rpc.Status`), ms; undefined without one.
 */
export function retryDelayOf(base64: string): number | undefined {
  try {
    const status = fieldsOf(Buffer.from(base64, 'base64'));
    for (const any of status.get(3) ?? []) {
      if (!(any instanceof Uint8Array)) continue;
      const fields = fieldsOf(any);
      const typeUrl = fields.get(1)?.[0];
      if (!(typeUrl instanceof Uint8Array)) continue;
      if (!Buffer.from(typeUrl).toString('utf8').endsWith('/google.rpc.RetryInfo')) continue;
      const value = fields.get(2)?.[0];
      const delay = value instanceof Uint8Array ? fieldsOf(value).get(1)?.[0] : undefined;
      if (!(delay instanceof Uint8Array)) return 0;
      const duration = fieldsOf(delay);
      const seconds = Number(duration.get(1)?.[0] ?? 0n);
      const nanos = Number(duration.get(2)?.[0] ?? 0n);
      return Math.min(MAX_RETRY_DELAY_MILLIS, Math.max(0, seconds * 1000 + nanos / 1e6));
    }
  } catch {
    // A malformed details trailer is no RetryInfo.
  }
  return undefined;
}

/** The fields of a protobuf message: varints as bigint, length-delimited as bytes. */
function fieldsOf(bytes: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  const fields = new Map<number, (bigint | Uint8Array)[]>();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (pos >= bytes.length || shift > 63n) throw new Error('bad varint');
      const byte = bytes[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    let value: bigint | Uint8Array;
    switch (key & 7) {
      case 0:
        value = varint();
        break;
      case 2: {
        const length = Number(varint());
        if (pos + length > bytes.length) throw new Error('truncated field');
        value = bytes.subarray(pos, pos + length);
        pos += length;
        break;
      }
      case 1:
        pos += 8;
        continue;
      case 5:
        pos += 4;
        continue;
      default:
        throw new Error('unsupported wire type');
    }
    const list = fields.get(field);
    if (list) list.push(value);
    else fields.set(field, [value]);
  }
  return fields;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
