import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { SendAttempt } from './SendAttempt.js';

const gzipAsync = promisify(gzip);

/** Options of {@link OtlpHttpSender}. */
export interface OtlpHttpSenderOptions {
  /** The signal's full URL, e.g. `http://localhost:4318/v1/logs`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A request (connect to end of response) may take this long, ms. */
  readonly timeoutMillis: number;
  /** `gzip` compresses the body (`Content-Encoding: gzip`); default none. */
  readonly compression?: 'gzip' | 'none';
  /**
   * For `https:` URLs: trusted CA certificates and a client certificate and
   * key (mTLS), PEM bytes (`OTEL_EXPORTER_OTLP_CERTIFICATE`, `_CLIENT_CERTIFICATE`,
   * `_CLIENT_KEY`, read at setup); default the system's CAs, no client certificate.
   */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
}

/**
 * How a send ended. `retry`: the endpoint could not take it now (connection
 * error, timeout, 408, 429, 5xx), with the `Retry-After` delay when it sent
 * one; `reject`: it refused the request for good (other 4xx).
 */
export type SendOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'retry'; readonly error: Error; readonly retryAfterMillis?: number }
  | { readonly kind: 'reject'; readonly error: Error };

/** Longest `Retry-After` honoured, ms; a larger one is clamped. */
const MAX_RETRY_AFTER_MILLIS = 5 * 60_000;

/**
 * POSTs encoded OTLP/HTTP export requests (the OTLP/HTTP spec's retry rules:
 * https://opentelemetry.io/docs/specs/otlp/#failures-1). Keeps connections
 * alive; never throws or rejects.
 */
export class OtlpHttpSender {
  private readonly url: URL;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMillis: number;
  private readonly gzip: boolean;
  private readonly agent: HttpAgent;

  constructor(options: OtlpHttpSenderOptions) {
    this.url = new URL(options.url);
    this.headers = options.headers ?? {};
    this.timeoutMillis = options.timeoutMillis;
    this.gzip = options.compression === 'gzip';
    this.agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 2, ...options.tls })
        : new HttpAgent({ keepAlive: true, maxSockets: 2 });
  }

  /** Sends `body`; `signal` aborts it (the outcome is then `retry`). */
  async send(body: Uint8Array, contentType: string, signal?: AbortSignal): Promise<SendOutcome> {
    let payload: Uint8Array = body;
    try {
      if (this.gzip) payload = await gzipAsync(body);
    } catch (error) {
      return { kind: 'reject', error: asError(error) };
    }
    return new Promise<SendOutcome>((resolve) => {
      const request = (this.url.protocol === 'https:' ? httpsRequest : httpRequest)(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.headers,
          'content-type': contentType,
          'content-length': String(payload.length),
          ...(this.gzip ? { 'content-encoding': 'gzip' } : {}),
        },
      });
      // A timeout or an abort destroys the request: its 'error' settles the attempt.
      const destroy = (error: Error): void => void request.destroy(error);
      const attempt = new SendAttempt(
        resolve,
        { timeoutMillis: this.timeoutMillis, signal, onTimeout: destroy, onAbort: destroy },
        'OTLP export',
      );
      const finish = (outcome: SendOutcome): void => attempt.finish(outcome);
      attempt.abortedAlready();
      request.on('error', (error) => finish({ kind: 'retry', error }));
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => finish({ kind: 'retry', error }));
        response.on('end', () => finish(outcomeOf(response, Buffer.concat(chunks))));
      });
      request.end(payload);
    });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

function outcomeOf(response: IncomingMessage, body: Buffer): SendOutcome {
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const detail = body.length > 0 && body.length < 512 ? `: ${body.toString('utf8')}` : '';
  const error = new Error(`OTLP endpoint answered ${status}${detail}`);
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMillis = parseRetryAfter(response.headers['retry-after']);
    return retryAfterMillis === undefined
      ? { kind: 'retry', error }
      : { kind: 'retry', error, retryAfterMillis };
  }
  return { kind: 'reject', error };
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  let millis: number;
  if (/^\d+$/.test(trimmed)) millis = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    millis = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MILLIS, Math.max(0, millis));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
