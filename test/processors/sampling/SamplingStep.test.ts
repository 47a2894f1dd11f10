import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { useCaptureLogs } from '../../helpers/useCaptureLogs.js';

const logs = useCaptureLogs({ serviceName: 'pipeline-test' });
const { register, records } = logs;

describe('sampling', () => {
  it('should keep WARN and above at ratio 0 and count the rest as sampled', async () => {
    register({ sampling: { ratio: 0 } });
    const log = logs.handle!.getLogger('s');
    log.info('dropped');
    log.debug('dropped too');
    log.warn('kept');
    log.error('kept too');
    expect((await records()).map((r) => r.body)).toEqual(['kept', 'kept too']);
    expect(logs.handle!.stats().dropped.sampled).toBe(1);
  });

  it('should keep or drop all records of one trace together', async () => {
    register({ traces: true, tracesExporter: 'none', sampling: { ratio: 0.5 } });
    const log = logs.handle!.getLogger('s');
    const tracer = trace.getTracer('s');
    const perTrace = new Map<string, number>();
    for (let t = 0; t < 40; t++) {
      tracer.startActiveSpan('t', (span) => {
        for (let i = 0; i < 5; i++) log.info(`r${i}`);
        perTrace.set(span.spanContext().traceId, 0);
        span.end();
      });
    }
    for (const r of await records()) {
      const id = r.spanContext!.traceId;
      perTrace.set(id, perTrace.get(id)! + 1);
    }
    const counts = [...perTrace.values()];
    expect(counts.every((n) => n === 0 || n === 5)).toBe(true);
    expect(counts.filter((n) => n === 5).length).toBeGreaterThan(5);
    expect(counts.filter((n) => n === 0).length).toBeGreaterThan(5);
  });

  it('should rate-limit per event and emit a summary of what it suppressed', async () => {
    register({ sampling: { rateLimit: { perSecond: 2, windowMillis: 60_000 } } });
    const log = logs.handle!.getLogger('s');
    for (let i = 0; i < 10; i++) log.info('same message');
    const out = await records();
    expect(out.filter((r) => r.body === 'same message')).toHaveLength(2);
    const summary = out.find((r) => r.body === 'suppressed 8 similar records');
    expect(summary?.attributes).toMatchObject({
      'logkit.rate_limit.key': 'same message',
      'logkit.rate_limit.suppressed': 8,
    });
    expect(logs.handle!.stats().dropped['rate-limited']).toBe(8);
  });

  it("should hold a trace's records until an error releases them, and discard them when the trace ends", async () => {
    register({
      level: 'debug',
      traces: true,
      tracesExporter: 'none',
      sampling: { bufferUntilError: true },
    });
    const log = logs.handle!.getLogger('s');
    const tracer = trace.getTracer('s');
    tracer.startActiveSpan('failing', (span) => {
      log.info('step 1');
      log.debug('step 2');
      log.error('boom');
      span.end();
    });
    tracer.startActiveSpan('fine', (span) => {
      log.info('quiet step');
      span.end();
    });
    expect((await records()).map((r) => r.body)).toEqual(['step 1', 'step 2', 'boom']);
    expect(logs.handle!.stats().dropped.sampled).toBe(1);
  });

  it('should reject bad sampling options at setup', () => {
    expect(() => register({ sampling: { ratio: 2 } })).toThrow(/sampling.ratio: 2/);
    expect(() => register({ sampling: { rateLimit: { perSecond: 0 } } })).toThrow(
      /sampling.rateLimit.perSecond/,
    );
  });
});
