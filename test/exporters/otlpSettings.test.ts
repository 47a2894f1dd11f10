import http2 from 'node:http2';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { startOtlpGrpcReceiver, type OtlpGrpcReceiver } from '../helpers/otlpGrpcReceiver.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import { recordDiag } from '../helpers/diag.js';

// The standard OTLP exporter settings (protocol, compression, headers,
// timeouts, TLS files; common and per signal), from options and from the
// OTEL_EXPORTER_OTLP_* variables, against real loopback receivers.

let http: OtlpReceiver;
let grpcReceiver: OtlpGrpcReceiver;
let handle: LoggingHandle | undefined;

beforeAll(async () => {
  http = await startOtlpReceiver();
  grpcReceiver = await startOtlpGrpcReceiver();
});
afterAll(async () => {
  await http.close();
  await grpcReceiver.close();
});
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  for (const dir of spoolDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  http.clear();
  grpcReceiver.clear();
  vi.unstubAllEnvs();
  diag.disable();
  resetReportOnce();
});

const spoolDirs: string[] = [];

function register(options: LoggingOptions = {}): LoggingHandle {
  // A spool of the test's own: what a refused endpoint leaves (logs over
  // gRPC and OTLP/HTTP are spooled) must not reach a later test.
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'logkit-settings-'));
  spoolDirs.push(spoolDir);
  handle = registerLogging({
    serviceName: 'settings-it',
    handleProcessExit: false,
    metricExportIntervalMillis: 60_000,
    ...options,
    delivery: { spoolDir, ...options.delivery },
  });
  return handle;
}

/** One log, one span and one metric point through the registration, then a flush. */
async function emitAll(h: LoggingHandle): Promise<void> {
  const log = h.getLogger('settings');
  trace.getTracer('it').startActiveSpan('work', (span) => {
    log.warn('over the wire', { 'order.id': 42 });
    span.end();
  });
  h.meterProvider.getMeter('it').createCounter('it.count').add(3);
  await h.forceFlush();
}

describe('OTLP/gRPC', () => {
  it('should deliver logs, spans and metrics with protocol grpc, headers as metadata', async () => {
    const h = register({
      endpoint: grpcReceiver.url,
      protocol: 'grpc',
      traces: true,
      headers: { 'x-api-key': 'k1' },
    });
    await emitAll(h);
    await grpcReceiver.waitFor(
      () =>
        grpcReceiver.logs.length >= 1 &&
        grpcReceiver.spans.length >= 1 &&
        grpcReceiver.metrics.some((m) => m.name === 'it.count'),
    );
    const [record] = grpcReceiver.logs;
    expect(record).toMatchObject({
      severityNumber: 13,
      severityText: 'WARN',
      body: 'over the wire',
      attributes: { 'order.id': 42 },
      scope: { name: 'settings' },
    });
    expect(record!.resource['service.name']).toBe('settings-it');
    expect(record!.traceId).toBe(grpcReceiver.spans[0]!.traceId);
    expect(grpcReceiver.metrics.find((m) => m.name === 'it.count')!.dataPoints[0]!.value).toBe(3);
    expect(new Set(grpcReceiver.calls.map((c) => c.signal))).toEqual(
      new Set(['logs', 'metrics', 'traces']),
    );
    for (const call of grpcReceiver.calls) expect(call.metadata['x-api-key']).toBe('k1');
    // Nothing went to the HTTP side.
    expect(http.requestLog).toEqual([]);
  });

  it('should take grpc, gzip, headers and the endpoint from OTEL_EXPORTER_OTLP_* alone', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', grpcReceiver.url);
    vi.stubEnv('OTEL_EXPORTER_OTLP_COMPRESSION', 'gzip');
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_HEADERS', 'tenant=a%20b');
    const h = register();
    h.getLogger('env').info('from the environment');
    await h.forceFlush();
    await grpcReceiver.waitFor(() => grpcReceiver.logs.length >= 1);
    expect(grpcReceiver.logs[0]!.body).toBe('from the environment');
    const call = grpcReceiver.calls.find((c) => c.signal === 'logs')!;
    expect(call.metadata['tenant']).toBe('a b');
    // gzip itself is not observable here: grpc-js decompresses and strips
    // grpc-encoding before the handler; the delivery shows the server
    // accepted the compressed messages.
  });

  it('should mix protocols per signal: logs over gRPC, metrics over OTLP/HTTP JSON', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'grpc');
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', grpcReceiver.url);
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/json');
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', `${http.url}/v1/metrics`);
    const h = register();
    await emitAll(h);
    await grpcReceiver.waitFor(() => grpcReceiver.logs.length >= 1);
    await http.waitFor(() => http.metrics.some((m) => m.name === 'it.count'));
    expect(http.requests['/v1/metrics application/json']).toBeGreaterThan(0);
    expect(http.logs).toEqual([]);
    expect(grpcReceiver.metrics).toEqual([]);
  });
});

/**
 * The bytes of gRPC requests, seen on a bare HTTP/2 server (grpc-js
 * decompresses before a service handler sees anything): each request's
 * `grpc-encoding` header and its messages' compressed flags. Answers OK.
 */
async function startRawGrpc(): Promise<{
  url: string;
  requests: { path: string; encoding: unknown; compressed: boolean[]; body: Buffer }[];
  close(): Promise<void>;
}> {
  const requests: { path: string; encoding: unknown; compressed: boolean[]; body: Buffer }[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const data = Buffer.concat(chunks);
      const compressed: boolean[] = [];
      const bodies: Buffer[] = [];
      // Length-prefixed messages: 1 byte compressed flag, 4 bytes length.
      for (let at = 0; at + 5 <= data.length;) {
        const length = data.readUInt32BE(at + 1);
        compressed.push(data[at] === 1);
        const message = data.subarray(at + 5, at + 5 + length);
        bodies.push(data[at] === 1 ? gunzipSync(message) : message);
        at += 5 + length;
      }
      requests.push({
        path: String(headers[':path']),
        encoding: headers['grpc-encoding'],
        compressed,
        body: Buffer.concat(bodies),
      });
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc' },
        { waitForTrailers: true },
      );
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('OTLP/gRPC compression on the wire', () => {
  for (const compression of ['gzip', 'none'] as const) {
    it(`should send ${compression === 'gzip' ? 'gzip-compressed' : 'uncompressed'} messages for ${compression}`, async () => {
      const raw = await startRawGrpc();
      try {
        const h = register({
          endpoint: raw.url,
          protocol: 'grpc',
          compression,
          metricsExporter: 'none',
        });
        h.getLogger('wire').info('squeezed '.repeat(50));
        await h.forceFlush();
        const logs = raw.requests.filter((r) => r.path.endsWith('LogsService/Export'));
        expect(logs.length).toBeGreaterThan(0);
        for (const request of logs) {
          expect(request.encoding).toBe(compression === 'gzip' ? 'gzip' : undefined);
          expect(request.compressed).toEqual([compression === 'gzip']);
          // The (decompressed) message holds the record.
          expect(request.body.toString('latin1')).toContain('squeezed squeezed');
        }
      } finally {
        await handle?.shutdown();
        handle = undefined;
        await raw.close();
      }
    });
  }
});

describe('OTLP/HTTP', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`should send gzip-compressed ${protocol} with the headers`, async () => {
      const h = register({
        endpoint: http.url,
        protocol,
        compression: 'gzip',
        traces: true,
        headers: { authorization: 'Bearer t' },
        logsHeaders: { 'x-signal': 'logs' },
      });
      await emitAll(h);
      await http.waitFor(
        () =>
          http.logs.length >= 1 &&
          http.spans.length >= 1 &&
          http.metrics.some((m) => m.name === 'it.count'),
      );
      expect(http.logs[0]).toMatchObject({ body: 'over the wire', attributes: { 'order.id': 42 } });
      const type = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
      for (const request of http.requestLog) {
        expect(request).toMatchObject({ status: 200, contentType: type, contentEncoding: 'gzip' });
        expect(request.headers['authorization']).toBe('Bearer t');
        expect(request.headers['x-signal']).toBe(request.path === '/v1/logs' ? 'logs' : undefined);
      }
    });
  }

  it('should let options win over the OTEL_EXPORTER_OTLP_* variables the SDK exporters also read', async () => {
    // Each of these, left to the SDK exporter, would take over.
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'http://127.0.0.1:9/v1/logs');
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', 'gzip');
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'http/json');
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', 'abc');
    const h = register({
      logsEndpoint: `${http.url}/v1/logs`,
      protocol: 'http/protobuf',
      logsOtlp: { compression: 'none' },
    });
    h.getLogger('opt').info('options win');
    await h.forceFlush();
    await http.waitFor(() => http.logs.length >= 1);
    expect(http.requestLog[0]).toMatchObject({
      path: '/v1/logs',
      contentType: 'application/x-protobuf',
      contentEncoding: undefined,
    });
  });

  it('should warn through diag, not throw, for invalid spec variables, and still export', async () => {
    const diagnostics = recordDiag(DiagLogLevel.WARN);
    vi.stubEnv('OTEL_SDK_DISABLED', '1');
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'thrift');
    vi.stubEnv('OTEL_BLRP_SCHEDULE_DELAY', 'soon');
    const h = register({ endpoint: http.url });
    h.getLogger('lenient').info('still exported');
    await h.forceFlush();
    await http.waitFor(() => http.logs.length >= 1);
    expect(http.requestLog[0]!.contentType).toBe('application/x-protobuf');
    const messages = diagnostics.at('warn');
    for (const expected of [
      'OTEL_SDK_DISABLED="1"',
      'OTEL_EXPORTER_OTLP_PROTOCOL="thrift"',
      'OTEL_BLRP_SCHEDULE_DELAY="soon"',
    ]) {
      expect(messages.some((m) => m.includes(`ignoring ${expected}`))).toBe(true);
    }
  });

  it('should disable everything for OTEL_SDK_DISABLED=TRUE', async () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'TRUE');
    const h = register({ endpoint: http.url });
    h.getLogger('off').error('not sent');
    await h.forceFlush();
    await new Promise((r) => setTimeout(r, 50));
    expect(http.requestLog).toEqual([]);
  });
});

// Test-only certificates, self-signed, valid to 2126 (test/fixtures/tls):
// server.crt for 127.0.0.1 (IP SAN), client.crt for mTLS. Regenerate with
// `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=127.0.0.1
// -addext subjectAltName=IP:127.0.0.1 -keyout server.key -out server.crt`.
const TLS_DIR = path.resolve(import.meta.dirname, '../fixtures/tls');
const pem = (name: string) => path.join(TLS_DIR, name);

describe('TLS over gRPC', () => {
  let tlsReceiver: OtlpGrpcReceiver;
  let mtlsReceiver: OtlpGrpcReceiver;
  beforeAll(async () => {
    const pair = {
      private_key: readFileSync(pem('server.key')),
      cert_chain: readFileSync(pem('server.crt')),
    };
    tlsReceiver = await startOtlpGrpcReceiver(grpc.ServerCredentials.createSsl(null, [pair]));
    // Requires a client certificate signed by (here: equal to) client.crt.
    mtlsReceiver = await startOtlpGrpcReceiver(
      grpc.ServerCredentials.createSsl(readFileSync(pem('client.crt')), [pair], true),
    );
  });
  afterEach(() => {
    tlsReceiver.clear();
    mtlsReceiver.clear();
  });
  afterAll(async () => {
    await tlsReceiver.close();
    await mtlsReceiver.close();
  });

  it('should trust the server through OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_CERTIFICATE', pem('server.crt'));
    const h = register({ endpoint: tlsReceiver.url, protocol: 'grpc' });
    expect(tlsReceiver.url).toMatch(/^https:/);
    h.getLogger('tls').info('encrypted');
    await h.forceFlush();
    await tlsReceiver.waitFor(() => tlsReceiver.logs.length >= 1);
    expect(tlsReceiver.logs[0]!.body).toBe('encrypted');
  });

  it('should deliver nothing to a server whose certificate is not trusted', async () => {
    const h = register({ endpoint: tlsReceiver.url, protocol: 'grpc', otlpTimeoutMillis: 2000 });
    h.getLogger('tls').info('refused');
    await h.forceFlush();
    expect(tlsReceiver.logs).toEqual([]);
    expect(h.health().healthy).toBe(false);
  });

  it('should take the certificate from the tls option too', async () => {
    const h = register({
      endpoint: tlsReceiver.url,
      protocol: 'grpc',
      logsOtlp: { tls: { certificateFile: pem('server.crt') } },
    });
    h.getLogger('tls').info('by option');
    await h.forceFlush();
    await tlsReceiver.waitFor(() => tlsReceiver.logs.some((r) => r.body === 'by option'));
  });

  it('should present the client certificate of OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY/_CERTIFICATE (mTLS)', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_CERTIFICATE', pem('server.crt'));
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY', pem('client.key'));
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE', pem('client.crt'));
    const h = register({ endpoint: mtlsReceiver.url, protocol: 'grpc' });
    h.getLogger('mtls').info('mutual');
    await h.forceFlush();
    await mtlsReceiver.waitFor(() => mtlsReceiver.logs.length >= 1);
    expect(mtlsReceiver.logs[0]!.body).toBe('mutual');
  });

  it('should be refused by an mTLS server without a client certificate', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_CERTIFICATE', pem('server.crt'));
    const h = register({ endpoint: mtlsReceiver.url, protocol: 'grpc', otlpTimeoutMillis: 2000 });
    h.getLogger('mtls').info('no client cert');
    await h.forceFlush();
    expect(mtlsReceiver.logs).toEqual([]);
    expect(h.health().healthy).toBe(false);
  });
});

describe('TLS over OTLP/HTTP (https)', () => {
  let server: https.Server;
  let url: string;
  const seen: { path: string; client: string | undefined }[] = [];
  beforeAll(async () => {
    server = https.createServer(
      {
        key: readFileSync(pem('server.key')),
        cert: readFileSync(pem('server.crt')),
        ca: readFileSync(pem('client.crt')),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        req.resume();
        req.on('end', () => {
          const socket = req.socket as TLSSocket;
          const peer = socket.getPeerCertificate();
          seen.push({
            path: req.url ?? '',
            client: socket.authorized ? String(peer.subject?.CN) : undefined,
          });
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    seen.length = 0;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('should verify the server with the CA and present the client certificate from options', async () => {
    const h = register({
      endpoint: url,
      tls: {
        certificateFile: pem('server.crt'),
        clientCertificateFile: pem('client.crt'),
        clientKeyFile: pem('client.key'),
      },
    });
    h.getLogger('https').info('over https');
    await h.forceFlush();
    expect(seen.find((r) => r.path === '/v1/logs')).toEqual({
      path: '/v1/logs',
      client: 'otel-logkit-test-client',
    });
  });

  it('should use the per-signal certificate variables, and send no client certificate without them', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE', pem('server.crt'));
    const h = register({ endpoint: url });
    h.getLogger('https').info('server-only TLS');
    await h.forceFlush();
    expect(seen.find((r) => r.path === '/v1/logs')).toEqual({
      path: '/v1/logs',
      client: undefined,
    });
  });
});
