import type { Attributes, Observable, ObservableResult } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { redactingMeterProvider } from '../../src/metrics/RedactingMeterProvider.js';
import { resolveRedactionOptions } from '../../src/processors/redaction/RedactionOptions.js';

const CARD = '4111111111111111';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setUp(): {
  meter: ReturnType<MeterProvider['getMeter']>;
  points: () => Promise<Record<string, Attributes[]>>;
} {
  const reader = new TestReader();
  const sdk = new MeterProvider({ readers: [reader] });
  const meter = redactingMeterProvider(sdk, resolveRedactionOptions(undefined)).getMeter('app');
  return {
    meter,
    points: async () => {
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      const out: Record<string, Attributes[]> = {};
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          out[metric.descriptor.name] = (metric.dataPoints as DataPoint<unknown>[]).map(
            (p) => p.attributes,
          );
        }
      }
      return out;
    },
  };
}

const secretAttributes = {
  'db.query.text': `SELECT 1 WHERE card = '${CARD}'`,
  password: 'hunter2',
  'http.route': '/orders/:id',
};
const redacted = {
  'db.query.text': "SELECT 1 WHERE card = '[REDACTED]'",
  password: '[REDACTED]',
  'http.route': '/orders/:id',
};

describe('redactingMeterProvider', () => {
  it('should redact the attributes of every synchronous instrument', async () => {
    const { meter, points } = setUp();
    meter.createCounter('c').add(1, secretAttributes);
    meter.createUpDownCounter('u').add(-1, secretAttributes);
    meter.createHistogram('h').record(5, secretAttributes);
    meter.createGauge('g').record(7, secretAttributes);
    meter.createCounter('clean').add(1, { 'http.route': '/health' });
    meter.createCounter('none').add(1);
    const out = await points();
    for (const name of ['c', 'u', 'h', 'g']) expect(out[name]).toEqual([redacted]);
    expect(out.clean).toEqual([{ 'http.route': '/health' }]);
    expect(out.none).toEqual([{}]);
  });

  it('should redact what asynchronous callbacks observe, and remove them again', async () => {
    const { meter, points } = setUp();
    const gauge = meter.createObservableGauge('og');
    let calls = 0;
    const callback = (result: ObservableResult): void => {
      calls++;
      result.observe(1, secretAttributes);
    };
    gauge.addCallback(callback);
    const counter = meter.createObservableCounter('oc');
    const updown = meter.createObservableUpDownCounter('ou');
    let batchCalls = 0;
    const batch = (result: {
      observe(metric: Observable, value: number, attributes?: Attributes): void;
    }): void => {
      batchCalls++;
      result.observe(counter, 3, secretAttributes);
      result.observe(updown, 4, { note: `card ${CARD}` });
    };
    meter.addBatchObservableCallback(batch, [counter, updown]);
    const out = await points();
    expect(out.og).toEqual([redacted]);
    expect(out.oc).toEqual([redacted]);
    expect(out.ou).toEqual([{ note: 'card [REDACTED]' }]);

    gauge.removeCallback(callback);
    meter.removeBatchObservableCallback(batch, [counter, updown]);
    await points();
    // Both callbacks ran once, at the first collection only.
    expect([calls, batchCalls]).toEqual([1, 1]);
  });

  it('should drop, never throw, a measurement whose attributes cannot be read', async () => {
    const { meter, points } = setUp();
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const counter = meter.createCounter('hostile');
    expect(() => counter.add(1, hostile as Attributes)).not.toThrow();
    counter.add(2, { ok: 'yes' });
    expect((await points()).hostile).toEqual([{ ok: 'yes' }]);
  });
});
