/**
 * A loopback OTLP/HTTP logs receiver for delivery tests: it counts records by
 * body (`<tag>:<n>`) without keeping them, so bursts of a million records fit
 * in a test's memory, and it can misbehave on demand (status codes with
 * `Retry-After`, hanging, closing the connection mid-body, being down).
 *
 * Bodies are read with a minimal protobuf walk (ExportLogsServiceRequest →
 * resource_logs(1) → scope_logs(2) → log_records(2) → body(5) →
 * string_value(1)) or from OTLP JSON.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** How the receiver answers `POST /v1/logs`. */
export type Fault =
  | { readonly kind: 'ok' }
  /** Answer `status` (and `Retry-After` when given) without storing anything. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  /** Read the request and never answer. */
  | { readonly kind: 'hang' }
  /** Destroy the connection once part of the body arrived. */
  | { readonly kind: 'close-mid-body' };

export interface CountingReceiver {
  readonly url: string;
  readonly port: number;
  /** Requests answered 2xx. */
  readonly accepted: number;
  /** Every request that arrived (also faulted ones). */
  readonly requests: number;
  setFault(fault: Fault): void;
  /** Records received with `tag`. */
  total(tag: string): number;
  /** Indexes `0..expected-1` of `tag` never received, and those received more than once. */
  check(tag: string, expected: number): { missing: number[]; duplicated: number[] };
  waitFor(predicate: () => boolean, timeoutMs: number): Promise<void>;
  /** Stops listening (clients get connection refused) and drops open connections. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** Bodies `<tag>:<n>` of an OTLP protobuf ExportLogsServiceRequest. */
export function protobufBodies(data: Uint8Array): string[] {
  const out: string[] = [];
  const decoder = new TextDecoder();
  const walk = (buf: Uint8Array, path: readonly number[], depth: number): void => {
    let pos = 0;
    const varint = (): number => {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = buf[pos++]!;
        result += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return result;
        shift += 7;
      }
    };
    while (pos < buf.length) {
      const key = varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const len = varint();
        const sub = buf.subarray(pos, pos + len);
        pos += len;
        if (field === path[depth]) {
          if (depth === path.length - 1) out.push(decoder.decode(sub));
          else walk(sub, path, depth + 1);
        }
      } else throw new Error(`unexpected wire type ${wire}`);
    }
  };
  walk(data, [1, 2, 2, 5, 1], 0);
  return out;
}

interface JsonRequest {
  resourceLogs?: { scopeLogs?: { logRecords?: { body?: { stringValue?: string } }[] }[] }[];
}

function jsonBodies(data: Uint8Array): string[] {
  const parsed = JSON.parse(new TextDecoder().decode(data)) as JsonRequest;
  const out: string[] = [];
  for (const rl of parsed.resourceLogs ?? [])
    for (const sl of rl.scopeLogs ?? [])
      for (const lr of sl.logRecords ?? []) if (lr.body?.stringValue) out.push(lr.body.stringValue);
  return out;
}

export async function startCountingReceiver(port = 0): Promise<CountingReceiver> {
  let fault: Fault = { kind: 'ok' };
  const seen = new Map<string, Uint8Array>();
  let accepted = 0;
  let requests = 0;
  const sockets = new Set<Socket>();
  const listeners = new Set<() => void>();

  const count = (body: string): void => {
    const at = body.lastIndexOf(':');
    const tag = body.slice(0, at);
    const n = Number(body.slice(at + 1));
    if (!Number.isSafeInteger(n) || n < 0) return;
    let counts = seen.get(tag) ?? new Uint8Array(1024);
    if (n >= counts.length) {
      const grown = new Uint8Array(Math.max(n + 1, counts.length * 2));
      grown.set(counts);
      counts = grown;
    }
    seen.set(tag, counts);
    if (counts[n]! < 255) counts[n]!++;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    requests++;
    const current = fault;
    if (current.kind === 'close-mid-body') {
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (current.kind === 'hang') return;
      if (current.kind === 'status') {
        res.writeHead(
          current.status,
          current.retryAfter ? { 'retry-after': current.retryAfter } : {},
        );
        res.end();
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const bodies = (req.headers['content-type'] ?? '').startsWith('application/json')
          ? jsonBodies(body)
          : protobufBodies(body);
        for (const b of bodies) count(b);
        accepted++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end();
      } catch (error) {
        res.writeHead(400);
        res.end(String(error));
      }
      for (const l of [...listeners]) l();
    });
  };

  let server: Server | undefined;
  let boundPort = port;
  const start = async (): Promise<void> => {
    const s = createServer(handle);
    s.keepAliveTimeout = 60_000;
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => resolve());
    });
    boundPort = (s.address() as AddressInfo).port;
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await start();

  return {
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    get accepted() {
      return accepted;
    },
    get requests() {
      return requests;
    },
    setFault(next) {
      fault = next;
    },
    total(tag) {
      const counts = seen.get(tag);
      let n = 0;
      if (counts) for (const c of counts) n += c;
      return n;
    },
    check(tag, expected) {
      const counts = seen.get(tag) ?? new Uint8Array(0);
      const missing: number[] = [];
      const duplicated: number[] = [];
      for (let i = 0; i < Math.max(expected, counts.length); i++) {
        const c = counts[i] ?? 0;
        if (i < expected && c === 0) missing.push(i);
        if (c > 1) duplicated.push(i);
      }
      return {
        missing: missing.slice(0, 20).concat(missing.length > 20 ? [-missing.length] : []),
        duplicated,
      };
    },
    waitFor(predicate, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate()) return;
          done();
          resolve();
        };
        const interval = setInterval(check, 20);
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `waitFor timed out after ${timeoutMs} ms (${requests} requests, ${accepted} accepted)`,
            ),
          );
        }, timeoutMs);
        const done = (): void => {
          clearInterval(interval);
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    stop,
    start,
  };
}
