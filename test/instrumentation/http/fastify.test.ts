import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createHttpInstrumentation } from '../../../src/instrumentation/http/index.js';
import { TRACE_ID, PARENT_SPAN_ID, TRACEPARENT, useHttpTestServer } from './support.js';

const { closeAfter, accessRecords, errorRecords, accessFor, flushAndWait, otlp } =
  useHttpTestServer();

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
    closeAfter(() => app.close());

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
