import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_HEADER,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';

/**
 * `http.request.body.size` and `http.response.body.size` are still
 * experimental in semconv; the semantic-conventions package asks users to copy
 * incubating names rather than import them from its unstable entry point.
 */
export const ATTR_HTTP_REQUEST_BODY_SIZE = 'http.request.body.size';
/** See {@link ATTR_HTTP_REQUEST_BODY_SIZE}. */
export const ATTR_HTTP_RESPONSE_BODY_SIZE = 'http.response.body.size';
/** The request's duration in milliseconds, as the other otel-logkit records and `otel-logkit stats` name it. */
export { ATTR_DURATION_MS } from '../../attributes.js';

/** The methods semconv calls "known"; any other becomes `_OTHER` (with `http.request.method_original`). */
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'QUERY',
]);

/** What is known of a request when it starts; computed once. */
export interface RequestInfo {
  /** `http.request.method`: a known method, or `_OTHER`. */
  readonly method: string;
  /** The method as sent, when it is not a known one. */
  readonly methodOriginal: string | undefined;
  /** `url.path`: the path without the query string. */
  readonly path: string;
  readonly scheme: 'http' | 'https';
  readonly protocolVersion: string | undefined;
  readonly serverAddress: string | undefined;
  readonly serverPort: number | undefined;
  readonly clientAddress: string | undefined;
  readonly userAgent: string | undefined;
  readonly requestBodySize: number | undefined;
}

/** The first value of a header, trimmed; undefined when absent or empty. */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function firstListItem(value: string | undefined): string | undefined {
  const item = value?.split(',')[0]?.trim();
  return item === undefined || item === '' ? undefined : item;
}

function toSize(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) return undefined;
  const size = Number(value.trim());
  return Number.isSafeInteger(size) ? size : undefined;
}

/** Splits `host[:port]` (with `[v6]` literals) into address and port. */
function parseHost(host: string | undefined): { address?: string; port?: number } {
  if (host === undefined) return {};
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (!match?.[1]) return {};
  const address = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
  return { address, port: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * The path of a request target. An absolute-form target (RFC 9112 §3.2.2,
 * `GET http://user:pass@host/x`, which proxies receive and servers must
 * accept) is reduced to its path: `url.path` never holds the scheme, the
 * host or credentials.
 */
function originFormPath(target: string): string {
  if (target.charCodeAt(0) === 47 /* / */ || !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(target)) {
    return target;
  }
  const start = target.indexOf('/', target.indexOf('//') + 2);
  return start === -1 ? '/' : target.slice(start);
}

/**
 * Reads what the semantic conventions want of an incoming request. The
 * `X-Forwarded-*` headers are believed only with `trustProxy`.
 */
export function readRequest(req: IncomingMessage, trustProxy: boolean): RequestInfo {
  const rawMethod = req.method ?? 'GET';
  const upper = rawMethod.toUpperCase();
  const known = KNOWN_METHODS.has(upper);
  const url = req.url ?? '/';
  const end = url.search(/[?#]/);
  const path = originFormPath((end === -1 ? url : url.slice(0, end)) || '/');
  const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined;
  const forwardedProto = trustProxy
    ? firstListItem(header(req.headers, 'x-forwarded-proto'))?.toLowerCase()
    : undefined;
  const scheme =
    forwardedProto === 'https' || forwardedProto === 'http'
      ? forwardedProto
      : socket?.encrypted
        ? 'https'
        : 'http';
  const host = parseHost(
    (trustProxy ? firstListItem(header(req.headers, 'x-forwarded-host')) : undefined) ??
      header(req.headers, 'host'),
  );
  const version = req.httpVersion;
  return {
    method: known ? upper : HTTP_REQUEST_METHOD_VALUE_OTHER,
    methodOriginal: known && upper === rawMethod ? undefined : rawMethod,
    path,
    scheme,
    // semconv writes HTTP/2 as `2`, HTTP/1.1 as `1.1`.
    protocolVersion: version ? (version === '2.0' ? '2' : version) : undefined,
    serverAddress: host.address,
    serverPort:
      host.address === undefined ? undefined : (host.port ?? (scheme === 'https' ? 443 : 80)),
    clientAddress:
      (trustProxy ? firstListItem(header(req.headers, 'x-forwarded-for')) : undefined) ??
      socket?.remoteAddress,
    userAgent: header(req.headers, 'user-agent'),
    requestBodySize: toSize(header(req.headers, 'content-length')),
  };
}

/**
 * The response's `content-length`, when it sent one. Headers given to
 * `writeHead(status, headers)` are not visible through `getHeader()`, so the
 * head as written (`_header`, kept by Node's OutgoingMessage) is read then, guarded.
 */
export function responseBodySize(res: ServerResponse): number | undefined {
  try {
    const value = res.getHeader('content-length');
    const size = toSize(Array.isArray(value) ? value[0] : value);
    if (size !== undefined) return size;
    const head = (res as unknown as { _header?: unknown })._header;
    if (typeof head !== 'string') return undefined;
    return toSize(/\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i.exec(head)?.[1]);
  } catch {
    return undefined;
  }
}

/** Attributes known at the start of the request, for the span and the records. */
export function startAttributes(
  info: RequestInfo,
): Record<string, string | number | string[] | undefined> {
  return {
    [ATTR_HTTP_REQUEST_METHOD]: info.method,
    [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: info.methodOriginal,
    [ATTR_URL_PATH]: info.path,
    [ATTR_URL_SCHEME]: info.scheme,
    [ATTR_NETWORK_PROTOCOL_VERSION]: info.protocolVersion,
    [ATTR_SERVER_ADDRESS]: info.serverAddress,
    [ATTR_SERVER_PORT]: info.serverPort,
    [ATTR_CLIENT_ADDRESS]: info.clientAddress,
    [ATTR_USER_AGENT_ORIGINAL]: info.userAgent,
    [ATTR_HTTP_REQUEST_BODY_SIZE]: info.requestBodySize,
  };
}

/** `http.request.header.<name>` for each listed header present, as semconv's string arrays. */
export function capturedHeaders(
  req: IncomingMessage,
  names: readonly string[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (value === undefined) continue;
    out[ATTR_HTTP_REQUEST_HEADER(name)] = Array.isArray(value) ? value : [value];
  }
  return out;
}

/** Drops undefined values (the OTel attribute types do not allow them). */
export function defined<V>(attributes: Record<string, V | undefined>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}
