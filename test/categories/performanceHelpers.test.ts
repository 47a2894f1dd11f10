import { describe, expect, it } from 'vitest';
import { CATEGORY_EVENTS, createCategoryHelpers } from '../../src/categories/index.js';
import { useOtlpReceiver } from '../helpers/useOtlpReceiver.js';
import { expectMeasureRecord, flush, metric, point, recordsOf } from './support.js';

const otlp = useOtlpReceiver({ serviceName: 'categories-it' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('performance.measure and timer', () => {
  it('should measure sync and async functions with a span, a histogram and a correlated record', async () => {
    otlp.register();
    const { performance } = createCategoryHelpers(otlp.handle);
    expect(performance.measure('sum', () => 1 + 2)).toBe(3);
    await expect(
      performance.measure('fetch', async () => {
        await sleep(30);
        return 'ok';
      }),
    ).resolves.toBe('ok');
    expect(() =>
      performance.measure('explode', () => {
        throw new SyntaxError('bad');
      }),
    ).toThrow('bad');
    await expect(
      performance.measure('reject', () => Promise.reject(new RangeError('no'))),
    ).rejects.toThrow('no');
    await flush(otlp.handle!, otlp.receiver, { records: 4, metrics: true, spans: 4 });

    const records = recordsOf(otlp.receiver, CATEGORY_EVENTS.performanceMeasure);
    const byName = Object.fromEntries(
      records.map((r) => [r.attributes['logkit.operation.name'], r]),
    );
    for (const name of ['sum', 'fetch', 'explode', 'reject']) {
      expectMeasureRecord(byName[name], name);
      const span = otlp.receiver.spans.find((s) => s.name === name);
      expect(span, name).toBeDefined();
      expect(span!.scope.name).toBe('otel-logkit');
      // The record is emitted inside the span.
      expect(byName[name]).toMatchObject({ traceId: span!.traceId, spanId: span!.spanId });
    }
    expect(byName.fetch!.attributes.duration_ms).toBeGreaterThanOrEqual(25);
    expect(byName.sum).toMatchObject({ severityText: 'INFO' });
    expect(byName.explode).toMatchObject({ severityText: 'ERROR' });
    expect(byName.explode!.attributes).toMatchObject({
      'error.type': 'SyntaxError',
      'exception.message': 'bad',
      success: false,
    });
    const explodeSpan = otlp.receiver.spans.find((s) => s.name === 'explode')!;
    expect(explodeSpan.status.code).toBe(2);
    expect(explodeSpan.attributes['error.type']).toBe('SyntaxError');
    expect(explodeSpan.events.map((e) => e.name)).toContain('exception');
    expect(otlp.receiver.spans.find((s) => s.name === 'reject')!.status).toMatchObject({
      code: 2,
      message: 'no',
    });

    const m = metric(otlp.receiver, 'logkit.operation.duration');
    expect(m).toMatchObject({ unit: 's', kind: 'histogram' });
    expect(m!.dataPoints).toHaveLength(4);
    const fetchPoint = point(m, { 'logkit.operation.name': 'fetch' });
    expect(fetchPoint).toMatchObject({ count: 1 });
    expect(fetchPoint!.sum).toBeGreaterThanOrEqual(0.025);
    expect(
      point(m, { 'logkit.operation.name': 'reject', 'error.type': 'RangeError' }),
    ).toBeDefined();
  });

  it('should make the measured span the parent of spans and records inside fn', async () => {
    otlp.register();
    const helpers = createCategoryHelpers(otlp.handle);
    const log = otlp.handle!.getLogger('inner');
    helpers.performance.measure('outer', () => log.info('inside'));
    await flush(otlp.handle!, otlp.receiver, { records: 2, spans: 1 });
    const span = otlp.receiver.spans.find((s) => s.name === 'outer')!;
    const inside = otlp.receiver.logs.find((r) => r.body === 'inside')!;
    expect(inside.spanId).toBe(span.spanId);
  });

  it('should time with timer().stop(), once', async () => {
    otlp.register();
    const { performance } = createCategoryHelpers(otlp.handle);
    const timer = performance.timer('batch', { items: 3 });
    await sleep(20);
    const ms = timer.stop({ extra: 'yes' });
    expect(ms).toBeGreaterThanOrEqual(15);
    expect(timer.stop()).toBe(ms);
    await flush(otlp.handle!, otlp.receiver, { records: 1, metrics: true, spans: 1 });

    const records = recordsOf(otlp.receiver, CATEGORY_EVENTS.performanceMeasure);
    expect(records).toHaveLength(1);
    expectMeasureRecord(records[0], 'batch');
    expect(records[0]!.attributes).toMatchObject({ items: 3, extra: 'yes', success: true });
    const span = otlp.receiver.spans.find((s) => s.name === 'batch')!;
    expect(records[0]!.spanId).toBe(span.spanId);
    expect(
      point(metric(otlp.receiver, 'logkit.operation.duration'), {
        'logkit.operation.name': 'batch',
      }),
    ).toMatchObject({ count: 1 });
  });
});
