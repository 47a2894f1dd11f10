import { createServer } from 'node:net';
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { context, logs, propagation } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { withContext, type LoggingHandle, type LoggingOptions } from '../../src/index.js';
import { MAX_TOTALS_SERIES as MAX_COUNT_SERIES } from '../../src/metrics/RunningTotals.js';
import { useOtlpReceiver } from '../helpers/useOtlpReceiver.js';

const otlp = useOtlpReceiver({ serviceName: 'metrics-test', traces: false });

function register(options: LoggingOptions = {}): LoggingHandle {
  return otlp.register(options);
}

function points(name: string) {
  return otlp.receiver.metrics.filter((m) => m.name === name).flatMap((m) => m.dataPoints);
}

/** A sum's values keyed by the JSON of their attributes. */
function valuesByAttributes(dataPoints: ReturnType<typeof points>): Record<string, unknown> {
  return Object.fromEntries(dataPoints.map((p) => [JSON.stringify(p.attributes), p.value]));
}

describe('log-derived metrics', () => {
  it('should count records by severity, category and event name before sampling', async () => {
    register({ sampling: { ratio: 0 } });
    const tool = otlp.handle!.getLogger('t', { category: 'tool' });
    tool.info('sampled away');
    tool.info('sampled away too');
    tool.warn('kept');
    tool.emit({ eventName: 'tool.retry', severityNumber: 13, severityText: 'WARN', body: 'retry' });
    await otlp.handle!.forceFlush();
    await otlp.receiver.waitFor(() => points('log.record.count').length > 0);
    const metric = otlp.receiver.metrics.find((m) => m.name === 'log.record.count')!;
    expect(metric).toMatchObject({ kind: 'sum', unit: '{log_record}', isMonotonic: true });
    const byAttributes = valuesByAttributes(metric.dataPoints);
    expect(byAttributes).toEqual({
      [JSON.stringify({ 'logkit.severity_text': 'INFO', 'logkit.category': 'tool' })]: 2,
      [JSON.stringify({ 'logkit.severity_text': 'WARN', 'logkit.category': 'tool' })]: 1,
      [JSON.stringify({
        'logkit.severity_text': 'WARN',
        'logkit.category': 'tool',
        'event.name': 'tool.retry',
      })]: 1,
    });
    const dropped = points('logkit.log.record.dropped');
    expect(dropped.find((p) => p.attributes['logkit.drop.reason'] === 'sampled')?.value).toBe(2);
    expect(dropped.find((p) => p.attributes['logkit.drop.reason'] === 'filtered')?.value).toBe(0);
  });

  it('should count each record in its own series when consecutive records alternate', async () => {
    // observeCount reuses the previous record's series when severity, category
    // and event name match: every change must switch it.
    register();
    const plain = otlp.handle!.getLogger('plain');
    const tool = otlp.handle!.getLogger('t', { category: 'tool' });
    plain.info('a');
    tool.info('b');
    plain.info('c');
    plain.info('d');
    plain.emit({ eventName: 'e', severityNumber: 9, severityText: 'INFO', body: 'e' });
    plain.emit({ eventName: '', severityNumber: 9, severityText: 'INFO', body: 'f' });
    plain.warn('g');
    plain.info('h');
    await otlp.handle!.forceFlush();
    await otlp.receiver.waitFor(() => points('log.record.count').length > 0);
    const metric = otlp.receiver.metrics.find((m) => m.name === 'log.record.count')!;
    expect(valuesByAttributes(metric.dataPoints)).toEqual({
      [JSON.stringify({ 'logkit.severity_text': 'INFO' })]: 5,
      [JSON.stringify({ 'logkit.severity_text': 'INFO', 'logkit.category': 'tool' })]: 1,
      [JSON.stringify({ 'logkit.severity_text': 'INFO', 'event.name': 'e' })]: 1,
      [JSON.stringify({ 'logkit.severity_text': 'WARN' })]: 1,
    });
  });

  it('should redact severity text, category and event name before they become attributes', async () => {
    // log.record.count is read as a record enters the pipeline, before the
    // redact step: it redacts these itself. Two secrets redacted alike share a series.
    register();
    const plain = logs.getLogger('plain');
    plain.emit({ eventName: 'login password=hunter2!a', severityText: 'INFO', body: 'a' });
    plain.emit({ eventName: 'login password=hunter2!b', severityText: 'INFO', body: 'b' });
    plain.emit({ severityText: 'token=abcdef123456', body: 'c' });
    plain.emit({ body: 'd', attributes: { 'logkit.category': 'secret=s3cr3t-value' } });
    await otlp.handle!.forceFlush();
    await otlp.receiver.waitFor(() => points('log.record.count').length > 0);
    const metric = otlp.receiver.metrics.find((m) => m.name === 'log.record.count')!;
    expect(valuesByAttributes(metric.dataPoints)).toEqual({
      [JSON.stringify({
        'logkit.severity_text': 'INFO',
        'event.name': 'login password=[REDACTED]',
      })]: 2,
      [JSON.stringify({ 'logkit.severity_text': 'token=[REDACTED]' })]: 1,
      [JSON.stringify({
        'logkit.severity_text': 'UNSPECIFIED',
        'logkit.category': 'secret=[REDACTED]',
      })]: 1,
    });
  });

  it('should keep counting across collections, and past the series limit in one overflow series', async () => {
    register();
    const log = otlp.handle!.getLogger('many');
    log.info('first');
    await otlp.handle!.forceFlush();
    log.info('second');
    // Distinct event names beyond the limit (with the overflow series, the SDK's default 2000).
    for (let i = 0; i < MAX_COUNT_SERIES + 50; i++) {
      log.emit({ eventName: `e.${i}`, severityNumber: 9, severityText: 'INFO', body: 'x' });
    }
    otlp.receiver.clear();
    await otlp.handle!.forceFlush();
    await otlp.receiver.waitFor(() => points('log.record.count').length > 0);
    const counts = points('log.record.count');
    // Cumulative: the first collection's record is still in the total.
    const plain = counts.find(
      (p) => JSON.stringify(p.attributes) === JSON.stringify({ 'logkit.severity_text': 'INFO' }),
    );
    expect(plain?.value).toBe(2);
    expect(counts).toHaveLength(MAX_COUNT_SERIES + 1);
    const overflow = counts.find((p) => p.attributes['otel.metric.overflow'] === true);
    // The plain INFO series took one of the places; the named events fill the rest, then overflow.
    expect(overflow?.value).toBe(51);
    expect(counts.reduce((sum, p) => sum + Number(p.value), 0)).toBe(MAX_COUNT_SERIES + 52);
  });

  it('should record user rules as histograms and counters with the chosen dimensions', async () => {
    register({
      metricRules: [
        {
          match: { eventName: 'checkout.*' },
          name: 'checkout.amount',
          instrument: 'histogram',
          attribute: 'amount',
          dimensions: ['currency'],
          unit: '{EUR}',
        },
        { match: { category: 'security' }, name: 'security.events', instrument: 'counter' },
      ],
    });
    const log = otlp.handle!.getLogger('shop');
    for (const amount of [10, 20, 30]) {
      log.emit({
        eventName: 'checkout.completed',
        attributes: { amount, currency: 'EUR', user: 'u' },
      });
    }
    log.emit({ eventName: 'checkout.completed', attributes: { amount: 'not a number' } });
    otlp.handle!.getLogger('sec', { category: 'security' }).warn('denied');
    await otlp.handle!.forceFlush();
    await otlp.receiver.waitFor(() => points('checkout.amount').length > 0);
    const histogram = otlp.receiver.metrics.find((m) => m.name === 'checkout.amount')!;
    expect(histogram.kind).toBe('histogram');
    expect(histogram.unit).toBe('{EUR}');
    expect(histogram.dataPoints).toHaveLength(1);
    expect(histogram.dataPoints[0]).toMatchObject({
      attributes: { currency: 'EUR' },
      count: 3,
      sum: 60,
    });
    expect(points('security.events')[0]?.value).toBe(1);
  });

  it('should sum counter rules by dimension values, telling types and absent values apart', async () => {
    register({
      metricRules: [
        {
          match: { eventName: 'llm.call' },
          name: 'llm.tokens',
          instrument: 'counter',
          attribute: 'tokens',
          dimensions: ['model', 'tier'],
          unit: '{token}',
        },
      ],
    });
    const log = otlp.handle!.getLogger('llm');
    const call = (attributes: Record<string, unknown>) =>
      log.emit({ eventName: 'llm.call', attributes: attributes });
    call({ tokens: 10, model: 'a', tier: 1 });
    call({ tokens: 5, model: 'a', tier: 1 });
    call({ tokens: 7, model: 'a', tier: '1' }); // a string tier is another series
    call({ tokens: 3, model: 'a' }); // no tier
    call({ tokens: 2, model: 'x\u0000y', tier: true }); // the key's separator inside a value
    call({ tokens: -4, model: 'a', tier: 1 }); // a counter only goes up: not recorded
    call({ tokens: 'many', model: 'a', tier: 1 }); // not a number: not recorded
    await otlp.handle!.forceFlush();
    await otlp.receiver.waitFor(() => points('llm.tokens').length > 0);
    const metric = otlp.receiver.metrics.find((m) => m.name === 'llm.tokens')!;
    expect(metric).toMatchObject({ kind: 'sum', unit: '{token}', isMonotonic: true });
    const byAttributes = valuesByAttributes(metric.dataPoints);
    expect(byAttributes).toEqual({
      [JSON.stringify({ model: 'a', tier: 1 })]: 15,
      [JSON.stringify({ model: 'a', tier: '1' })]: 7,
      [JSON.stringify({ model: 'a' })]: 3,
      [JSON.stringify({ model: 'x\u0000y', tier: true })]: 2,
    });
  });

  it('should read rule dimensions after enrichment and redaction, and before sampling', async () => {
    register({
      sampling: { ratio: 0 },
      baggageKeys: ['tenant'],
      metricRules: [
        {
          match: { category: 'payment' },
          name: 'payments',
          instrument: 'counter',
          dimensions: ['card_number', 'note', 'request.id', 'tenant'],
        },
      ],
    });
    const log = otlp.handle!.getLogger('p', { category: 'payment' });
    const bag = propagation.createBaggage({ tenant: { value: 'acme' } });
    context.with(propagation.setBaggage(context.active(), bag), () =>
      withContext({ 'request.id': 'r-1' }, () =>
        log.info('paid', { card_number: '4111111111111111', note: 'card 4111 1111 1111 1111' }),
      ),
    );
    await otlp.handle!.forceFlush();
    await otlp.receiver.waitFor(() => points('payments').length > 0);
    // Sampled away (ratio 0), still counted; redacted; context and baggage as dimensions.
    expect(valuesByAttributes(points('payments'))).toEqual({
      [JSON.stringify({
        card_number: '[REDACTED]',
        note: 'card [REDACTED]',
        'request.id': 'r-1',
        tenant: 'acme',
      })]: 1,
    });
    expect(JSON.stringify(otlp.receiver.metrics)).not.toContain('4111');
  });

  it('should reject a bad rule at setup, naming it', () => {
    expect(() =>
      register({ metricRules: [{ match: {}, name: 'x', instrument: 'counter' }] }),
    ).toThrow(/metricRules\[0\].match/);
    expect(() =>
      register({ metricRules: [{ match: { category: 'a' }, name: 'h', instrument: 'histogram' }] }),
    ).toThrow(/metricRules\[0\].attribute/);
  });

  it('should serve the metrics on a Prometheus pull endpoint when asked', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    register({ prometheus: { port, host: '127.0.0.1' } });
    otlp.handle!.getLogger('p').info('counted');
    let text = '';
    for (let i = 0; i < 50 && !text.includes('log_record_count'); i++) {
      try {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(text).toMatch(/log_record_count\S*\{[^}]*logkit_severity_text="INFO"[^}]*\} 1/);
  });
});

describe('handle.health()', () => {
  it('should report per destination successes, failures, queue fill and drops', async () => {
    const failing: LogRecordExporter = {
      export: (_logs, done) =>
        done({ code: ExportResultCode.FAILED, error: new Error('backend down') }),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    register({ destinations: { failing } });
    const log = otlp.handle!.getLogger('h');
    log.info('one');
    log.info('two');
    await otlp.handle!.forceFlush();
    const health = otlp.handle!.health();
    expect(health.healthy).toBe(false);
    const otlpDestination = health.destinations.find((d) => d.name === 'otlp')!;
    expect(otlpDestination).toMatchObject({
      consecutiveFailures: 0,
      exported: 2,
      // The OTLP destination's memory budget (delivery.memoryBudget), not a batch queue.
      queue: { size: 0, capacity: 2048 },
    });
    expect(otlpDestination.lastSuccessAt).toBeGreaterThan(Date.now() - 60_000);
    const bad = health.destinations.find((d) => d.name === 'failing')!;
    // A user destination's failed batch waits in the spool for a retry.
    expect(bad).toMatchObject({
      consecutiveFailures: 1,
      exported: 0,
      lastError: 'backend down',
      dropped: { 'queue-full': 0, 'export-failed': 0 },
      spool: { records: 2 },
    });
    expect(otlp.handle!.stats().dropped['export-failed']).toBe(0);
  });
});
