import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createHttpInstrumentation } from '../../../src/instrumentation/http/index.js';
import { TRACE_ID, PARENT_SPAN_ID, TRACEPARENT, useHttpTestServer } from './support.js';

const { listen, accessRecords, errorRecords, accessFor, flushAndWait, otlp } = useHttpTestServer();

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
    expect(routes).toEqual(expect.arrayContaining(['/orders/:id', '/api/items/:itemId', '/fail']));
  });

  it('should redact a secret written into a route before it names the span or reaches the trace exporter', async () => {
    // A literal route can hold a token (a webhook path, say): the span name
    // and http.route go to the trace exporter, which no pipeline step sees.
    const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    otlp.register();
    const http = createHttpInstrumentation();
    const app = express();
    app.use(http.express());
    app.get(`/hooks/${token}`, (_req, res) => {
      res.send('ok');
    });
    const base = await listen(createServer(app));
    expect((await fetch(`${base}/hooks/${token}`)).status).toBe(200);

    await flushAndWait(
      () =>
        accessRecords().length >= 1 &&
        otlp.receiver.spans.length >= 1 &&
        otlp.receiver.metrics.length >= 1,
    );
    const span = otlp.receiver.spans.find((s) => s.name.startsWith('GET /hooks/'))!;
    expect(span.name).not.toContain(token);
    expect(span.attributes['http.route']).toMatch(/^\/hooks\//);
    expect(JSON.stringify(otlp.receiver.spans)).not.toContain(token);
    expect(JSON.stringify(otlp.receiver.logs)).not.toContain(token);
    expect(JSON.stringify(otlp.receiver.metrics)).not.toContain(token);
  });
});
