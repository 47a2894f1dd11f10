import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SpanKind, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  createHttpInstrumentation,
  HTTP_DURATION_BUCKETS,
} from '../../../src/instrumentation/http/index.js';
import { TRACE_ID, TRACEPARENT, useHttpTestServer } from './support.js';

const { listen, accessRecords, errorRecords, accessFor, flushAndWait, otlp } = useHttpTestServer();

describe('node:http', () => {
  it('should write one access record per request, the duration histogram and an error record for a throwing handler', async () => {
    const h = otlp.register();
    const http = createHttpInstrumentation(undefined, {
      ignorePaths: ['/health', /^\/internal\//],
      captureHeaders: ['X-Request-Id'],
    });
    const base = await listen(
      createServer(
        http.wrap((req: IncomingMessage, res: ServerResponse) => {
          const path = (req.url ?? '/').split('?')[0];
          if (path === '/boom') throw new TypeError('kaboom');
          if (path === '/reject') return Promise.reject(new RangeError('async kaboom'));
          if (path === '/missing') {
            res.statusCode = 404;
            res.end();
            return;
          }
          const body = JSON.stringify({ ok: true });
          res.writeHead(path === '/fail' ? 503 : 200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        }),
      ),
    );
    const port = Number(new URL(base).port);

    const ok = await fetch(`${base}/orders/42?token=secret`, {
      headers: { 'user-agent': 'it-agent/1.0', 'x-request-id': 'r-1' },
    });
    expect(ok.status).toBe(200);
    await ok.text();
    expect((await fetch(`${base}/missing`)).status).toBe(404);
    expect((await fetch(`${base}/fail`)).status).toBe(503);
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await fetch(`${base}/reject`)).status).toBe(500);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/internal/x`)).status).toBe(200);

    await flushAndWait(
      () =>
        accessRecords().length >= 5 &&
        errorRecords().length >= 2 &&
        otlp.receiver.metrics.some((m) => m.name === 'http.server.request.duration'),
    );

    expect(accessRecords()).toHaveLength(5); // /health and /internal/x ignored
    const okRecord = accessFor('/orders/42');
    expect(okRecord).toMatchObject({
      severityNumber: 9,
      severityText: 'INFO',
      body: 'GET /orders/42 200',
      scope: { name: 'otel-logkit.http' },
    });
    expect(okRecord.attributes).toMatchObject({
      'logkit.category': 'http',
      'http.request.method': 'GET',
      'url.path': '/orders/42',
      'url.scheme': 'http',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'server.port': port,
      'client.address': '127.0.0.1',
      'user_agent.original': 'it-agent/1.0',
      'network.protocol.version': '1.1',
      'http.response.body.size': 11,
      'http.request.header.x-request-id': ['r-1'],
    });
    expect(okRecord.attributes['duration_ms']).toBeTypeOf('number');
    expect(okRecord.attributes).not.toHaveProperty('url.query');
    expect(JSON.stringify(otlp.receiver.logs)).not.toContain('secret');
    expect(okRecord.attributes).not.toHaveProperty('error.type');
    // No instrumentation and no traceparent: a new trace, the record inside it.
    expect(okRecord.traceId).toMatch(/^[0-9a-f]{32}$/);

    expect(accessFor('/missing')).toMatchObject({ severityNumber: 13, severityText: 'WARN' });
    expect(accessFor('/fail')).toMatchObject({ severityNumber: 17, body: 'GET /fail 503' });
    expect(accessFor('/fail').attributes['error.type']).toBe('503');

    const boom = accessFor('/boom');
    expect(boom).toMatchObject({ severityNumber: 17, body: 'GET /boom 500' });
    expect(boom.attributes['error.type']).toBe('TypeError');
    const boomError = errorRecords().find((r) => r.attributes['url.path'] === '/boom');
    expect(boomError).toMatchObject({ severityNumber: 17, severityText: 'ERROR' });
    expect(boomError!.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'kaboom',
      'http.request.method': 'GET',
    });
    expect(boomError!.attributes['exception.stacktrace']).toContain('TypeError: kaboom');
    expect(boomError!.traceId).toBe(boom.traceId);
    expect(boomError!.spanId).toBe(boom.spanId);
    expect(accessFor('/reject').attributes['error.type']).toBe('RangeError');

    const metric = otlp.receiver.metrics.find((m) => m.name === 'http.server.request.duration');
    expect(metric).toMatchObject({ unit: 's', kind: 'histogram' });
    expect(metric!.scope.name).toBe('otel-logkit.http');
    const okPoint = metric!.dataPoints.find(
      (p) => p.attributes['http.response.status_code'] === 200,
    );
    expect(okPoint).toBeDefined();
    expect(okPoint!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'http.response.status_code': 200,
      'network.protocol.version': '1.1',
    });
    expect(Number(okPoint!.count)).toBe(1);
    expect(okPoint!.explicitBounds).toEqual([...HTTP_DURATION_BUCKETS]);
    const boomPoint = metric!.dataPoints.find((p) => p.attributes['error.type'] === 'TypeError');
    expect(boomPoint?.attributes['http.response.status_code']).toBe(500);
    expect(metric!.dataPoints.map((p) => Number(p.count)).reduce((a, b) => a + b, 0)).toBe(5);

    const spans = otlp.receiver.spans.filter((s) => s.scope.name === 'otel-logkit.http');
    expect(spans).toHaveLength(5);
    const okSpan = spans.find((s) => s.attributes['url.path'] === '/orders/42');
    expect(okSpan).toMatchObject({ kind: 2, name: 'GET', traceId: okRecord.traceId });
    expect(okSpan!.spanId).toBe(okRecord.spanId);
    expect(okSpan!.parentSpanId).toBeUndefined();
    expect(spans.find((s) => s.attributes['url.path'] === '/boom')!.status.code).toBe(2);
    expect(spans.find((s) => s.attributes['url.path'] === '/missing')!.status.code).toBe(0);
    expect(h.stats()).toBeDefined();
  });

  it('should keep the client-controlled Host out of the duration metric unless metricServerAddress', async () => {
    otlp.register();
    const plain = createHttpInstrumentation();
    const opted = createHttpInstrumentation(undefined, {
      metricServerAddress: true,
      loggerName: 'opted',
    });
    const ok = (_req: IncomingMessage, res: ServerResponse) => res.end('ok');
    const bases = [
      await listen(createServer(plain.wrap(ok))),
      await listen(createServer(opted.wrap(ok))),
    ];
    const { request } = await import('node:http');
    // fetch() does not let a caller set Host; node:http does, as any client can.
    const get = (base: string, host: string) =>
      new Promise<void>((resolve, reject) => {
        request(`${base}/x`, { headers: { host } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
    for (const base of bases) {
      for (const host of ['a.example:1', 'b.example:2', 'c.example:3']) await get(base, host);
    }
    await flushAndWait(() => accessRecords().length >= 6);

    // One Meter for both instrumentations: tell their points apart by the attributes.
    const points = otlp.receiver.metrics
      .filter((m) => m.name === 'http.server.request.duration')
      .flatMap((m) => m.dataPoints);
    const plainPoints = points.filter((p) => !('server.address' in p.attributes));
    expect(plainPoints).toHaveLength(1);
    expect(Number(plainPoints[0]!.count)).toBe(3); // three Hosts, one series
    expect(plainPoints[0]!.attributes).not.toHaveProperty('server.port');
    const optedPoints = points.filter((p) => 'server.address' in p.attributes);
    expect(
      optedPoints.map((p) => [p.attributes['server.address'], p.attributes['server.port']]).sort(),
    ).toEqual([
      ['a.example', 1],
      ['b.example', 2],
      ['c.example', 3],
    ]);
    // The access records carry them either way.
    expect(
      accessRecords()
        .map((r) => r.attributes['server.address'])
        .sort(),
    ).toEqual(['a.example', 'a.example', 'b.example', 'b.example', 'c.example', 'c.example']);
  });

  it('should log inside an outer span an instrumentation started, never creating a second one', async () => {
    otlp.register();
    const http = createHttpInstrumentation();
    const handler = http.wrap((_req: IncomingMessage, res: ServerResponse) => {
      res.end('ok');
    });
    const tracer = trace.getTracer('fake-instrumentation-http');
    const base = await listen(
      createServer((req, res) => {
        tracer.startActiveSpan('GET outer', { kind: SpanKind.SERVER }, (span) => {
          res.on('finish', () => span.end());
          handler(req, res);
        });
      }),
    );

    expect((await fetch(`${base}/inside`, { headers: { traceparent: TRACEPARENT } })).status).toBe(
      200,
    );
    await flushAndWait(() => accessRecords().length >= 1 && otlp.receiver.spans.length >= 1);

    expect(otlp.receiver.spans).toHaveLength(1);
    const outer = otlp.receiver.spans[0]!;
    expect(outer.name).toBe('GET outer');
    expect(otlp.receiver.spans.filter((s) => s.scope.name === 'otel-logkit.http')).toHaveLength(0);
    const record = accessFor('/inside');
    expect(record.traceId).toBe(outer.traceId);
    expect(record.spanId).toBe(outer.spanId);
    // The outer span's trace wins over the header: the instrumentation owns propagation.
    expect(record.traceId).not.toBe(TRACE_ID);
  });

  it('should record an aborted request as WARN with error.type aborted', async () => {
    otlp.register();
    const http = createHttpInstrumentation();
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const base = await listen(
      createServer(
        http.wrap(() => {
          received(); // never answers
        }),
      ),
    );
    const controller = new AbortController();
    const pending = fetch(`${base}/slow`, { signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await arrived;
    controller.abort();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await flushAndWait(() => accessRecords().length >= 1);
    const record = accessFor('/slow');
    expect(record).toMatchObject({ severityNumber: 13, body: 'GET /slow aborted' });
    expect(record.attributes['error.type']).toBe('aborted');
    expect(record.attributes).not.toHaveProperty('http.response.status_code');
  });
});
