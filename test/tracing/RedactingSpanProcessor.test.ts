import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRedactionOptions } from '../../src/processors/redaction/RedactionOptions.js';
import type { RedactionOptions } from '../../src/processors/redaction/RedactionOptions.js';
import { RedactingSpanProcessor } from '../../src/tracing/RedactingSpanProcessor.js';
import { useCaptureLogs } from '../helpers/useCaptureLogs.js';
import { SAMPLE_JWT } from '../processors/redaction/helpers.js';

const CARD = '4111111111111111';
const BEARER = 'Bearer mF_9.B5f-4.1JqM.9xZq';

let providers: TracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  providers = [];
});

function setUp(options?: RedactionOptions): {
  tracer: ReturnType<TracerProvider['getTracer']>;
  spans: () => ReadableSpan[];
} {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [
      new RedactingSpanProcessor(resolveRedactionOptions(options)),
      new SimpleSpanProcessor({ exporter }),
    ],
  });
  providers.push(provider);
  return { tracer: provider.getTracer('app'), spans: () => exporter.getFinishedSpans() };
}

describe('RedactingSpanProcessor', () => {
  it('should redact the name, attributes, events, links and status message of a span', () => {
    const { tracer, spans } = setUp();
    const linked = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });
    const span = tracer.startSpan(`GET ${SAMPLE_JWT}`, {
      attributes: {
        'db.query.text': `SELECT * FROM users WHERE card = '${CARD}'`,
        password: 'hunter2',
        'http.request.header.authorization': [BEARER],
        'url.full': 'https://api.example.com/cb?access_token=abc123&q=1',
        'http.response.status_code': 200,
      },
      links: [{ context: linked.spanContext(), attributes: { token: 't-1', kept: 'ok' } }],
    });
    span.addEvent('retry', { note: `card ${CARD}`, attempt: 2 });
    span.recordException(new Error(`bad card ${CARD}`));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `failed for ${BEARER}` });
    span.end();

    const [out] = spans();
    expect(out!.name).toBe('GET [REDACTED]');
    expect(out!.attributes).toMatchObject({
      'db.query.text': "SELECT * FROM users WHERE card = '[REDACTED]'",
      password: '[REDACTED]',
      // Under a secret key the whole value goes, as in a log record.
      'http.request.header.authorization': '[REDACTED]',
      'url.full': 'https://api.example.com/cb?access_token=[REDACTED]&q=1',
      'http.response.status_code': 200,
    });
    expect(out!.events[0]).toMatchObject({
      name: 'retry',
      attributes: { note: 'card [REDACTED]', attempt: 2 },
    });
    expect(out!.events[1]!.attributes!['exception.message']).toBe('bad card [REDACTED]');
    expect(String(out!.events[1]!.attributes!['exception.stacktrace'])).not.toContain(CARD);
    expect(out!.links[0]!.attributes).toEqual({ token: '[REDACTED]', kept: 'ok' });
    expect(out!.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'failed for Bearer [REDACTED]',
    });
    // name 1, attributes 4 (the card, the password, the bearer, the token), events 3
    // (the note, the exception's message and stack), link 1, status 1.
    expect(out!.attributes['logkit.redaction.count']).toBe(10);
    const { name, attributes, events, links, status } = out!;
    const exported = JSON.stringify({ name, attributes, events, links, status });
    expect(exported).not.toMatch(/hunter2|abc123|4111111111111111|9xZq|t-1/);
  });

  it('should leave a clean span as it is, without a count', () => {
    const { tracer, spans } = setUp();
    const attributes = { 'http.route': '/orders/:id', 'http.response.status_code': 200 };
    tracer.startActiveSpan('GET /orders/:id', { attributes }, (span) => {
      span.addEvent('cache.miss', { key: 'orders' });
      span.end();
    });
    const [out] = spans();
    expect(out!.name).toBe('GET /orders/:id');
    expect(out!.attributes).toEqual(attributes);
    expect(out!.events[0]!.attributes).toEqual({ key: 'orders' });
  });

  it('should never throw into span.end(), and empty a span it cannot read (fail closed)', () => {
    const { tracer, spans } = setUp();
    const unreadable = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(() =>
      tracer.startActiveSpan(`login ${CARD}`, (span) => {
        span.addEvent('retry', { note: CARD });
        span.setStatus({ code: SpanStatusCode.ERROR, message: `card ${CARD}` });
        // As another processor or a bug could leave it: maps that cannot be read.
        (span as unknown as { attributes: object }).attributes = unreadable;
        span.end();
      }),
    ).not.toThrow();
    const [out] = spans();
    expect(out).toBeDefined();
    expect(out!.name).toBe('[REDACTED: value could not be redacted]');
    expect(out!.attributes).toEqual({ 'logkit.redaction.count': 1 });
    expect(out!.events).toEqual([]);
    expect(out!.status.message).toBe('[REDACTED: value could not be redacted]');
    expect(JSON.stringify(out!.links)).not.toContain(CARD);
  });

  it('should use the redaction options: mode, keys and user patterns (in that mode)', () => {
    const { tracer, spans } = setUp({
      mode: 'mask',
      keys: ['session_ref'],
      patterns: [{ name: 'acme', pattern: /ACME-[0-9A-F]{12}/ }],
    });
    const span = tracer.startSpan('work', {
      attributes: { session_ref: 's-12345678901234', note: 'id ACME-0123456789AB' },
    });
    span.end();
    const [out] = spans();
    expect(out!.attributes.session_ref).toBe('****1234');
    expect(out!.attributes.note).toBe('id ****89AB');
  });

  describe('as handle.spanProcessor', () => {
    const ctx = useCaptureLogs();

    it("should redact the spans of a TracerProvider otel-logkit did not create, with the registration's rules", () => {
      const handle = ctx.register({ redaction: { keys: ['session_ref'] } });
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({
        spanProcessors: [handle.spanProcessor, new SimpleSpanProcessor({ exporter })],
      });
      providers.push(provider);
      const span = provider.getTracer('sdk-app').startSpan('charge', {
        attributes: { session_ref: 'abc', note: `card ${CARD}` },
      });
      span.end();
      expect(exporter.getFinishedSpans()[0]!.attributes).toMatchObject({
        session_ref: '[REDACTED]',
        note: 'card [REDACTED]',
      });
    });

    it('should leave spans alone with redaction: false', () => {
      const handle = ctx.register({ redaction: false });
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({
        spanProcessors: [handle.spanProcessor, new SimpleSpanProcessor({ exporter })],
      });
      providers.push(provider);
      provider
        .getTracer('sdk-app')
        .startSpan('charge', { attributes: { password: 'p' } })
        .end();
      expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({ password: 'p' });
    });
  });
});
