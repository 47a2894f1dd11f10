import { DiagLogLevel, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { LoggingHandle, OtlpProtocol } from '../../src/index.js';
import { useOtlpReceiver } from '../helpers/useOtlpReceiver.js';
import { recordDiag } from '../helpers/diag.js';

const otlp = useOtlpReceiver();

function registerAgainst(protocol: OtlpProtocol): LoggingHandle {
  return otlp.register({
    serviceName: 'otlp-it',
    serviceVersion: '9.9.9',
    protocol,
    traces: true,
    handleProcessExit: false,
    metricExportIntervalMillis: 60_000,
  });
}

const contentTypes = {
  'http/protobuf': 'application/x-protobuf',
  'http/json': 'application/json',
} as const;

describe('OTLP export', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    describe(protocol, () => {
      it('should deliver logs with resource, scope, severity, body, attributes and trace context, plus spans and metrics', async () => {
        const h = registerAgainst(protocol);
        const log = h.getLogger('checkout.service', { category: 'llm', version: '0.1.0' });
        let traceId = '';
        let spanId = '';
        trace.getTracer('it').startActiveSpan('charge', (span) => {
          ({ traceId, spanId } = span.spanContext());
          log.warn('card declined', {
            'gen_ai.usage.input_tokens': 12,
            ratio: 0.5,
            retry: true,
            tags: ['a', 'b'],
            nested: { k: 'v' },
          });
          log.error(new RangeError('amount too large'));
          span.end();
        });
        log.info('outside any span');
        h.meterProvider.getMeter('it').createCounter('it.requests').add(2, { route: '/pay' });
        await h.forceFlush();
        await otlp.receiver.waitFor(
          () =>
            otlp.receiver.logs.length >= 3 &&
            otlp.receiver.spans.length >= 1 &&
            otlp.receiver.metrics.length >= 1,
        );

        expect(otlp.receiver.requests[`/v1/logs ${contentTypes[protocol]}`]).toBeGreaterThan(0);
        const [warn, error, outside] = otlp.receiver.logs;
        expect(warn!.resource).toMatchObject({
          'service.name': 'otlp-it',
          'service.version': '9.9.9',
          'telemetry.sdk.language': 'nodejs',
        });
        expect(warn!.scope).toMatchObject({ name: 'checkout.service', version: '0.1.0' });
        expect(warn).toMatchObject({
          severityNumber: 13,
          severityText: 'WARN',
          body: 'card declined',
          traceId,
          spanId,
          flags: 1,
        });
        expect(warn!.attributes).toEqual({
          'logkit.category': 'llm',
          'gen_ai.usage.input_tokens': 12,
          ratio: 0.5,
          retry: true,
          tags: ['a', 'b'],
          nested: { k: 'v' },
        });
        expect(error).toMatchObject({
          severityNumber: 17,
          body: 'amount too large',
          traceId,
          spanId,
        });
        expect(error!.attributes).toMatchObject({
          'exception.type': 'RangeError',
          'exception.message': 'amount too large',
        });
        expect(outside!.traceId).toBeUndefined();
        expect(outside!.spanId).toBeUndefined();

        const span = otlp.receiver.spans.find((s) => s.name === 'charge');
        expect(span).toMatchObject({ traceId, spanId });
        expect(span!.resource['service.name']).toBe('otlp-it');

        const metric = otlp.receiver.metrics.find((m) => m.name === 'it.requests');
        expect(metric?.kind).toBe('sum');
        expect(metric?.dataPoints[0]).toMatchObject({ value: 2, attributes: { route: '/pay' } });
      });
    });
  }

  it('should report export failures through diag and never throw', async () => {
    const { messages } = recordDiag(DiagLogLevel.ERROR);
    otlp.receiver.setStatus(400);
    const h = registerAgainst('http/protobuf');
    expect(() => h.getLogger('fails').error('will not arrive')).not.toThrow();
    await expect(h.forceFlush()).resolves.toBeUndefined();
    await otlp.receiver.waitFor(
      () => (otlp.receiver.requests['/v1/logs application/x-protobuf'] ?? 0) > 0,
    );
    expect(otlp.receiver.logs).toHaveLength(0);
    expect(messages.join('\n')).toMatch(/400|Bad Request|export/i);
  });
});
