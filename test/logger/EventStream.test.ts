import { TraceFlags, context, trace } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { LoggingConfigError, type LoggingOptions } from '../../src/index.js';
import { useCaptureLogs } from '../helpers/useCaptureLogs.js';

const capture = useCaptureLogs({ serviceName: 'streams-test', registerGlobals: false });
const { register } = capture;

async function streamRecords(name: string): Promise<ReadableLogRecord[]> {
  return (await capture.records()).filter((r) => r.attributes['logkit.stream.name'] === name);
}

describe('handle.eventStream', () => {
  it('should emit records with the event name, the stream name and sequence numbers 1, 2, 3', async () => {
    const orders = register().eventStream('orders');
    expect(orders.name).toBe('orders');
    expect(orders.emit('order.placed', { 'order.id': 'o-1', total: 12.5 })).toBe(1);
    expect(orders.emit('order.paid', { 'order.id': 'o-1' })).toBe(2);
    expect(orders.emit('order.shipped')).toBe(3);
    const records = await streamRecords('orders');
    expect(records.map((r) => r.eventName)).toEqual([
      'order.placed',
      'order.paid',
      'order.shipped',
    ]);
    expect(records.map((r) => r.attributes['logkit.stream.sequence'])).toEqual([1, 2, 3]);
    expect(records[0]!.attributes).toMatchObject({ 'order.id': 'o-1', total: 12.5 });
    expect(records[0]!.severityText).toBe('INFO');
    expect(records[0]!.instrumentationScope.name).toBe('orders');
  });

  it('should keep one sequence per stream name, shared by every eventStream(name) call', async () => {
    const h = register();
    h.eventStream('a').emit('x');
    h.eventStream('b').emit('x');
    h.eventStream('a').emit('y');
    expect((await streamRecords('a')).map((r) => r.attributes['logkit.stream.sequence'])).toEqual([
      1, 2,
    ]);
    expect((await streamRecords('b')).map((r) => r.attributes['logkit.stream.sequence'])).toEqual([
      1,
    ]);
  });

  it('should not let the caller overwrite the stream attributes', async () => {
    register()
      .eventStream('s')
      .emit('e', { 'logkit.stream.sequence': 99, 'logkit.stream.name': 'other' });
    const [record] = await streamRecords('s');
    expect(record!.attributes['logkit.stream.sequence']).toBe(1);
  });

  const samplers: Array<[string, LoggingOptions['sampling'], string]> = [
    ['ratio 0', { ratio: 0, alwaysKeepLevel: 'fatal' }, 'sampled'],
    ['a rate limit', { rateLimit: { perSecond: 1, burst: 1 } }, 'rate-limited'],
    ['buffering until an error', { bufferUntilError: true }, 'held'],
  ];
  it.each(samplers)(
    'should never drop or hold a stream record: %s',
    async (_name, sampling, reason) => {
      const h = register({ registerGlobals: true, sampling });
      const stream = h.eventStream('orders');
      const log = h.getLogger('app');
      // In a sampled trace, so buffering until an error holds ordinary records.
      const ctx = trace.setSpanContext(context.active(), {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.SAMPLED,
      });
      context.with(ctx, () => {
        for (let i = 0; i < 100; i++) {
          stream.emit('order.placed', { i });
          log.info('ordinary record', { i });
        }
      });
      const records = await streamRecords('orders');
      expect(records.map((r) => r.attributes['logkit.stream.sequence'])).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      // The same pipeline dropped or held the ordinary records: the sampler was on.
      const ordinary = (await capture.records()).filter((r) => r.body === 'ordinary record');
      expect(ordinary.length).toBeLessThan(100);
      if (reason !== 'held') {
        expect(h.stats().dropped[reason as 'sampled' | 'rate-limited']).toBeGreaterThan(0);
      }
    },
  );

  it('should still redact stream records (they go through the other steps)', async () => {
    register().eventStream('auth').emit('login', { password: 'hunter2' });
    const [record] = await streamRecords('auth');
    expect(record!.attributes.password).not.toBe('hunter2');
  });

  it('should throw a LoggingConfigError for an empty name', () => {
    const h = register();
    expect(() => h.eventStream('')).toThrow(LoggingConfigError);
    expect(() => h.eventStream(undefined as unknown as string)).toThrow(/eventStream\(name\)/);
  });

  it('should emit nothing and return 0 when disabled', () => {
    const h = register({ disabled: true });
    expect(h.eventStream('s').emit('e')).toBe(0);
  });
});
