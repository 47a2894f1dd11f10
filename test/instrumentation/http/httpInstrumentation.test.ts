import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, trace } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpInstrumentation,
  EVENT_HTTP_ACCESS,
  EVENT_HTTP_ERROR,
  HTTP_DURATION_BUCKETS,
} from '../../../src/instrumentation/http/index.js';
import type { ReceivedLogRecord } from '../../helpers/otlpReceiver.js';
import { useOtlpReceiver } from '../../helpers/useOtlpReceiver.js';

// Also shuts the registration down, clears the receiver and resets report-once
// state after each test.
const otlp = useOtlpReceiver({ serviceName: 'http-it' });
const closers: Array<() => Promise<void>> = [];

// Registered after useOtlpReceiver's, so it runs first (afterEach hooks run in
// reverse order): the servers close before the registration shuts down.
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;

function accessRecords(): ReceivedLogRecord[] {
  return otlp.receiver.logs.filter((r) => r.eventName === EVENT_HTTP_ACCESS);
}

function errorRecords(): ReceivedLogRecord[] {
  return otlp.receiver.logs.filter((r) => r.eventName === EVENT_HTTP_ERROR);
}

function accessFor(path: string): ReceivedLogRecord {
  const record = accessRecords().find((r) => r.attributes['url.path'] === path);
  expect(record, `access record of ${path}`).toBeDefined();
  return record!;
}

async function flushAndWait(predicate: () => boolean): Promise<void> {
  await otlp.handle!.forceFlush();
  await otlp.receiver.waitFor(predicate);
}

describe('createHttpInstrumentation', () => {
  it('should throw a message naming the problem when there is no registration', () => {
    expect(() => createHttpInstrumentation()).toThrow(/registerLogging\(\)/);
  });

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
        optedPoints
          .map((p) => [p.attributes['server.address'], p.attributes['server.port']])
          .sort(),
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

      expect(
        (await fetch(`${base}/inside`, { headers: { traceparent: TRACEPARENT } })).status,
      ).toBe(200);
      await flushAndWait(() => accessRecords().length >= 1 && otlp.receiver.spans.length >= 1);

      expect(otlp.receiver.spans).toHaveLength(1);
      const outer = otlp.receiver.spans[0]!;
      expect(outer.name).toBe('GET outer');
      expect(otlp.receiver.spans.filter((s) => s.scope.name === 'otel-logkit.http')).toHaveLength(
        0,
      );
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

  describe('express', () => {
    it('should name the route, continue an incoming traceparent and log errors through the error middleware', async () => {
      const h = otlp.register();
      const http = createHttpInstrumentation();
      const app = express();
      app.use(http.express());
      app.get('/orders/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      const router = express.Router();
      router.get('/items/:itemId', (_req, res) => {
        res.status(201).send('created');
      });
      app.use('/api', router);
      app.get('/fail', () => {
        throw new Error('express broke');
      });
      app.get('/bad', () => {
        throw Object.assign(new Error('bad input'), { status: 400 });
      });
      app.post('/echo', express.json(), (req, res) => {
        // After the body parser: still inside the request's span.
        h.getLogger('app').info('echo', { span: trace.getActiveSpan()?.spanContext().spanId });
        res.json(req.body);
      });
      app.use(http.expressErrorHandler());
      const base = await listen(createServer(app));

      const ok = await fetch(`${base}/orders/7`, { headers: { traceparent: TRACEPARENT } });
      expect(await ok.json()).toEqual({ id: '7' });
      expect((await fetch(`${base}/api/items/3`)).status).toBe(201);
      expect((await fetch(`${base}/fail`)).status).toBe(500);
      expect((await fetch(`${base}/nowhere`)).status).toBe(404);
      expect((await fetch(`${base}/bad`)).status).toBe(400);
      const echo = await fetch(`${base}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: 1 }),
      });
      expect(await echo.json()).toEqual({ a: 1 });

      await flushAndWait(
        () =>
          accessRecords().length >= 6 &&
          errorRecords().length >= 2 &&
          otlp.receiver.spans.length >= 6 &&
          otlp.receiver.metrics.length >= 1,
      );

      const orders = accessFor('/orders/7');
      expect(orders).toMatchObject({ body: 'GET /orders/:id 200', severityNumber: 9 });
      expect(orders.attributes['http.route']).toBe('/orders/:id');
      expect(orders.traceId).toBe(TRACE_ID);
      const span = otlp.receiver.spans.find((s) => s.name === 'GET /orders/:id');
      expect(span).toMatchObject({ kind: 2, traceId: TRACE_ID, parentSpanId: PARENT_SPAN_ID });
      expect(span!.attributes).toMatchObject({
        'http.route': '/orders/:id',
        'http.response.status_code': 200,
        'http.request.method': 'GET',
      });
      expect(orders.spanId).toBe(span!.spanId);

      expect(accessFor('/api/items/3').attributes['http.route']).toBe('/api/items/:itemId');
      expect(accessFor('/nowhere').attributes).not.toHaveProperty('http.route');
      expect(accessFor('/nowhere').severityNumber).toBe(13);

      const fail = accessFor('/fail');
      expect(fail).toMatchObject({ severityNumber: 17, body: 'GET /fail 500' });
      expect(fail.attributes['error.type']).toBe('Error');
      const error = errorRecords().find((r) => r.attributes['url.path'] === '/fail')!;
      expect(error.severityNumber).toBe(17);
      expect(error.attributes).toMatchObject({
        'exception.type': 'Error',
        'exception.message': 'express broke',
        'http.route': '/fail',
      });
      expect(error.spanId).toBe(fail.spanId);

      // An error answered with a 4xx is the client's: WARN, and no error.type.
      const bad = accessFor('/bad');
      expect(bad).toMatchObject({ severityNumber: 13, body: 'GET /bad 400' });
      expect(bad.attributes).not.toHaveProperty('error.type');
      expect(errorRecords().find((r) => r.attributes['url.path'] === '/bad')!.severityNumber).toBe(
        13,
      );

      const echoAccess = accessFor('/echo');
      expect(echoAccess.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/echo',
        'http.request.body.size': 7,
      });
      const appRecord = otlp.receiver.logs.find((r) => r.body === 'echo')!;
      expect(appRecord.spanId).toBe(echoAccess.spanId);
      expect(appRecord.attributes['span']).toBe(echoAccess.spanId);

      const metric = otlp.receiver.metrics.find((m) => m.name === 'http.server.request.duration');
      const routes = metric!.dataPoints.map((p) => p.attributes['http.route']);
      expect(routes).toEqual(
        expect.arrayContaining(['/orders/:id', '/api/items/:itemId', '/fail']),
      );
    });
  });

  describe('fastify', () => {
    it('should apply app-wide as a plugin, naming routes and logging onError', async () => {
      const h = otlp.register();
      const http = createHttpInstrumentation(undefined, { category: 'web' });
      const app = Fastify();
      await app.register(http.fastify);
      app.get('/users/:id', (request) =>
        Promise.resolve({ id: (request.params as { id: string }).id }),
      );
      app.get('/explode', () => Promise.reject(new Error('fastify broke')));
      app.post('/echo', (request, reply) => {
        setTimeout(() => {
          h.getLogger('app').info('fastify echo');
          void reply.send(request.body);
        }, 5);
        return reply;
      });
      await app.register(
        (child, _options, done) => {
          child.get('/child/:x', (_request, reply) => reply.send('child'));
          done();
        },
        { prefix: '/p' },
      );
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());

      const res = await fetch(`${address}/users/5`, { headers: { traceparent: TRACEPARENT } });
      expect(await res.json()).toEqual({ id: '5' });
      expect((await fetch(`${address}/explode`)).status).toBe(500);
      expect((await fetch(`${address}/p/child/1`)).status).toBe(200);
      expect((await fetch(`${address}/nothing-here`)).status).toBe(404);
      // A body arriving after the request head, as from a slow client.
      const slowBody = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode('{"b":'));
          await new Promise((resolve) => setTimeout(resolve, 50));
          controller.enqueue(new TextEncoder().encode('2}'));
          controller.close();
        },
      });
      const echo = await fetch(`${address}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: slowBody,
        duplex: 'half',
      });
      expect(await echo.json()).toEqual({ b: 2 });

      await flushAndWait(
        () =>
          accessRecords().length >= 3 &&
          errorRecords().length >= 1 &&
          otlp.receiver.spans.length >= 3,
      );

      const users = accessFor('/users/5');
      expect(users).toMatchObject({ body: 'GET /users/:id 200', traceId: TRACE_ID });
      expect(users.attributes).toMatchObject({
        'logkit.category': 'web',
        'http.route': '/users/:id',
        'http.response.status_code': 200,
      });
      const span = otlp.receiver.spans.find((s) => s.name === 'GET /users/:id');
      expect(span).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_SPAN_ID, kind: 2 });
      expect(users.spanId).toBe(span!.spanId);
      // The encapsulated child plugin's routes are covered too (skip-override).
      expect(accessFor('/p/child/1').attributes['http.route']).toBe('/p/child/:x');

      const explode = accessFor('/explode');
      expect(explode).toMatchObject({ severityNumber: 17, body: 'GET /explode 500' });
      const error = errorRecords()[0]!;
      expect(error.attributes).toMatchObject({
        'exception.message': 'fastify broke',
        'http.route': '/explode',
      });
      expect(error.spanId).toBe(explode.spanId);
      expect(otlp.receiver.spans.find((s) => s.name === 'GET /explode')!.status.code).toBe(2);

      const notFound = accessFor('/nothing-here');
      expect(notFound).toMatchObject({ severityNumber: 13, body: 'GET /nothing-here 404' });
      expect(notFound.attributes).not.toHaveProperty('http.route');

      // The body parser and a timer later: the app's record is still in the request's span.
      const echoAccess = accessFor('/echo');
      expect(echoAccess.attributes['http.route']).toBe('/echo');
      expect(otlp.receiver.logs.find((r) => r.body === 'fastify echo')!.spanId).toBe(
        echoAccess.spanId,
      );
    });
  });
});
