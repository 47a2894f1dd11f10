import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  keepTraceId,
  traceIdRatioUpperBound,
} from '../../../src/processors/sampling/traceIdRatio.js';
import { Harness, randomTraceId } from './harness.js';

function sampledBySdk(ratio: number, traceId: string): boolean {
  const sampler: Sampler = new TraceIdRatioBasedSampler(ratio);
  return (
    sampler.shouldSample(ROOT_CONTEXT, traceId, 'span', SpanKind.INTERNAL, {}, []).decision ===
    SamplingDecision.RECORD_AND_SAMPLED
  );
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('ratio sampling', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('keeps about the ratio of traces', () => {
    const harness = new Harness({ ratio: 0.25 });
    let kept = 0;
    for (let i = 0; i < 10_000; i++) {
      const result = harness.log(SeverityNumber.INFO, 'hello', { traceId: randomTraceId() });
      if (harness.kept(result)) kept++;
      else expect(result).toBe('sampled');
    }
    expect(Math.abs(kept / 10_000 - 0.25)).toBeLessThanOrEqual(0.02);
  });

  it('gives every record of a trace the same decision', () => {
    const harness = new Harness({ ratio: 0.5 });
    const severities = [SeverityNumber.TRACE, SeverityNumber.DEBUG, SeverityNumber.INFO, 11];
    const seen = new Set<boolean>();
    for (let t = 0; t < 200; t++) {
      const traceId = randomTraceId();
      const decisions = new Set(
        severities.map((s, i) => harness.kept(harness.log(s, `record ${i}`, { traceId }))),
      );
      expect(decisions.size).toBe(1);
      seen.add([...decisions][0]!);
    }
    expect(seen).toEqual(new Set([true, false]));
  });

  it('drops every record below the floor at ratio 0 and keeps all at ratio 1', () => {
    const none = new Harness({ ratio: 0 });
    const all = new Harness({ ratio: 1, followTraceFlags: true });
    for (let i = 0; i < 500; i++) {
      const traceId = i % 2 === 0 ? randomTraceId() : undefined;
      expect(none.log(SeverityNumber.INFO, 'x', { traceId })).toBe('sampled');
      expect(all.kept(all.log(SeverityNumber.INFO, 'x', { traceId }))).toBe(true);
    }
  });

  it('decides as TraceIdRatioBasedSampler does for the same trace ids', () => {
    for (const ratio of [0, 0.001, 0.3, 0.5, 0.999, 1]) {
      const harness = new Harness({ ratio });
      for (let i = 0; i < 2000; i++) {
        const traceId = randomTraceId();
        const kept = harness.kept(harness.log(SeverityNumber.DEBUG, 'x', { traceId }));
        expect(kept, `${ratio} ${traceId}`).toBe(sampledBySdk(ratio, traceId));
      }
    }
  });

  it('matches the sampler for any trace id and ratio', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (bytes, ratio, upper) => {
          const traceId = upper ? hex(bytes).toUpperCase() : hex(bytes);
          expect(keepTraceId(traceId, traceIdRatioUpperBound(ratio))).toBe(
            sampledBySdk(ratio, traceId),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('samples records outside a trace at random', () => {
    const harness = new Harness({ ratio: 0.25 });
    let kept = 0;
    for (let i = 0; i < 10_000; i++) {
      if (harness.kept(harness.log(SeverityNumber.INFO, 'x'))) kept++;
    }
    expect(Math.abs(kept / 10_000 - 0.25)).toBeLessThanOrEqual(0.02);

    const random = vi.spyOn(Math, 'random');
    random.mockReturnValue(0.24);
    expect(harness.kept(harness.log(SeverityNumber.INFO, 'x'))).toBe(true);
    random.mockReturnValue(0.25);
    expect(harness.log(SeverityNumber.INFO, 'x')).toBe('sampled');
  });
});

describe('severity floor', () => {
  it('keeps WARN and above at ratio 0, in a trace or not', () => {
    const harness = new Harness({ ratio: 0, followTraceFlags: true });
    for (const severity of [SeverityNumber.WARN, SeverityNumber.ERROR, SeverityNumber.FATAL4]) {
      for (const input of [{}, { traceId: randomTraceId(), sampled: false }]) {
        expect(harness.kept(harness.log(severity, 'x', input))).toBe(true);
      }
    }
    expect(harness.log(SeverityNumber.INFO4, 'x')).toBe('sampled');
  });

  it('moves with alwaysKeepLevel', () => {
    const harness = new Harness({ ratio: 0, alwaysKeepLevel: 'error' });
    expect(harness.log(SeverityNumber.WARN, 'x')).toBe('sampled');
    expect(harness.kept(harness.log(SeverityNumber.ERROR, 'x'))).toBe(true);
    const info = new Harness({ ratio: 0, alwaysKeepLevel: 'info' });
    expect(info.kept(info.log(SeverityNumber.INFO, 'x'))).toBe(true);
    expect(info.log(SeverityNumber.DEBUG, 'x')).toBe('sampled');
  });

  it('keeps WARN and ERROR over the rate limit', () => {
    const harness = new Harness({ rateLimit: { perSecond: 1 } }, { now: () => 0 });
    expect(harness.kept(harness.log(SeverityNumber.INFO, 'same'))).toBe(true);
    expect(harness.log(SeverityNumber.INFO, 'same')).toBe('rate-limited');
    for (let i = 0; i < 10; i++) {
      expect(harness.kept(harness.log(SeverityNumber.WARN, 'same'))).toBe(true);
      expect(harness.kept(harness.log(SeverityNumber.ERROR, 'same'))).toBe(true);
    }
    void harness.step.shutdown?.();
  });
});

describe('followTraceFlags', () => {
  it('drops records of unsampled spans and keeps the rest', () => {
    const harness = new Harness({ followTraceFlags: true });
    expect(
      harness.log(SeverityNumber.INFO, 'x', { traceId: randomTraceId(), sampled: false }),
    ).toBe('sampled');
    expect(
      harness.kept(
        harness.log(SeverityNumber.INFO, 'x', { traceId: randomTraceId(), sampled: true }),
      ),
    ).toBe(true);
    expect(harness.kept(harness.log(SeverityNumber.INFO, 'x'))).toBe(true);
  });

  it('is off by default', () => {
    const harness = new Harness({ ratio: 1, rateLimit: { perSecond: 1000 } });
    expect(
      harness.kept(
        harness.log(SeverityNumber.INFO, 'x', { traceId: randomTraceId(), sampled: false }),
      ),
    ).toBe(true);
    void harness.step.shutdown?.();
  });
});
