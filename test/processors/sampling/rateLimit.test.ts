import { SeverityNumber } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_RATE_LIMIT_KEYS, RateLimiter } from '../../../src/processors/sampling/RateLimiter.js';
import { FakeClock, Harness } from './harness.js';

const WINDOW = 1000;

function summaries(harness: Harness): Array<{ key: unknown; suppressed: unknown; body: unknown }> {
  return harness.emitted().map((record) => ({
    key: record.attributes?.['logkit.rate_limit.key'],
    suppressed: record.attributes?.['logkit.rate_limit.suppressed'],
    body: record.body,
  }));
}

describe('rate limiting', () => {
  let clock: FakeClock;

  beforeEach(() => {
    vi.useFakeTimers();
    clock = new FakeClock();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function harness(alwaysKeepLevel: string = 'warn'): Harness {
    return new Harness(
      { alwaysKeepLevel, rateLimit: { perSecond: 2, burst: 3, windowMillis: WINDOW } },
      { now: clock.now },
    );
  }

  it('keeps the burst, suppresses the rest, and refills continuously', () => {
    const h = harness();
    const results = Array.from({ length: 5 }, () => h.log(SeverityNumber.INFO, 'same message'));
    expect(results.map((r) => h.kept(r))).toEqual([true, true, true, false, false]);
    expect(results[3]).toBe('rate-limited');

    clock.advance(499); // 0.998 tokens
    expect(h.log(SeverityNumber.INFO, 'same message')).toBe('rate-limited');
    clock.advance(1); // 1.0 token
    expect(h.kept(h.log(SeverityNumber.INFO, 'same message'))).toBe(true);
    expect(h.log(SeverityNumber.INFO, 'same message')).toBe('rate-limited');

    clock.advance(60_000); // refills only up to the burst
    const again = Array.from({ length: 4 }, () =>
      h.kept(h.log(SeverityNumber.INFO, 'same message')),
    );
    expect(again).toEqual([true, true, true, false]);
  });

  it('keys by event name, else string body, else scope name', () => {
    const h = harness();
    for (let i = 0; i < 3; i++) {
      h.log(SeverityNumber.INFO, `body ${i}`, { eventName: 'user.login' });
      h.log(SeverityNumber.INFO, 'a body');
      h.log(SeverityNumber.INFO, { structured: i });
    }
    expect(h.log(SeverityNumber.INFO, 'other body', { eventName: 'user.login' })).toBe(
      'rate-limited',
    );
    expect(h.log(SeverityNumber.INFO, 'a body')).toBe('rate-limited');
    expect(h.log(SeverityNumber.INFO, ['array body'])).toBe('rate-limited');
    expect(h.kept(h.log(SeverityNumber.INFO, 'a fresh body'))).toBe(true);
    expect(h.kept(h.log(SeverityNumber.INFO, 'x', { eventName: 'user.logout' }))).toBe(true);
  });

  it('emits one summary per key per window, with the count', () => {
    const h = harness();
    expect(vi.getTimerCount()).toBe(0);
    for (let i = 0; i < 10; i++) h.log(SeverityNumber.INFO, 'a');
    for (let i = 0; i < 5; i++) h.log(SeverityNumber.INFO, 'b', { eventName: 'evt' });
    expect(vi.getTimerCount()).toBe(1);
    expect(h.emitted()).toHaveLength(0);

    vi.advanceTimersByTime(WINDOW);
    expect(summaries(h)).toEqual([
      { key: 'a', suppressed: 7, body: 'suppressed 7 similar records' },
      { key: 'evt', suppressed: 2, body: 'suppressed 2 similar records' },
    ]);
    const summary = h.emitted()[0]!;
    expect(summary.severityNumber).toBe(SeverityNumber.WARN);
    expect(summary.severityText).toBe('WARN');
    expect(summary.attributes?.['logkit.rate_limit.window_ms']).toBe(WINDOW);
    expect(vi.getTimerCount()).toBe(0);

    // Nothing suppressed: no timer, no summary.
    vi.advanceTimersByTime(WINDOW * 5);
    expect(h.emitted()).toHaveLength(2);

    // A later window counts afresh.
    h.clear();
    for (let i = 0; i < 4; i++) h.log(SeverityNumber.INFO, 'a');
    vi.advanceTimersByTime(WINDOW);
    expect(summaries(h)).toEqual([
      { key: 'a', suppressed: 4, body: 'suppressed 4 similar records' },
    ]);
  });

  it('does not rate-limit its own summaries, even below the floor', () => {
    const h = harness('error'); // WARN summaries are below the floor here
    for (let round = 0; round < 3; round++) {
      for (let key = 0; key < 6; key++) {
        for (let i = 0; i < 4; i++) h.log(SeverityNumber.INFO, `key ${key}`);
      }
      h.clear();
      vi.advanceTimersByTime(WINDOW);
      const results = h.events.filter((e) => e.kind === 'result');
      expect(results).toHaveLength(6);
      for (const e of results) expect(e.kind === 'result' && h.kept(e.result)).toBe(true);
    }
  });

  it('emits pending summaries on forceFlush and shutdown', async () => {
    const h = harness();
    for (let i = 0; i < 5; i++) h.log(SeverityNumber.INFO, 'a');
    await h.step.forceFlush?.();
    expect(summaries(h)).toEqual([
      { key: 'a', suppressed: 2, body: 'suppressed 2 similar records' },
    ]);
    expect(vi.getTimerCount()).toBe(0);

    await h.step.forceFlush?.();
    expect(h.emitted()).toHaveLength(1);

    h.log(SeverityNumber.INFO, 'a');
    await h.step.shutdown?.();
    expect(summaries(h)).toHaveLength(2);
    expect(summaries(h)[1]).toMatchObject({ key: 'a', suppressed: 1 });
    expect(vi.getTimerCount()).toBe(0);
    await h.step.shutdown?.();
    expect(h.emitted()).toHaveLength(2);
  });

  it('bounds the keys it remembers', () => {
    const summarise = vi.fn();
    const limiter = new RateLimiter({
      perSecond: 1,
      burst: 1,
      windowMillis: WINDOW,
      now: clock.now,
      summarise,
    });
    expect(limiter.tryAcquire('first')).toBe(true);
    expect(limiter.tryAcquire('first')).toBe(false);
    for (let i = 0; i < MAX_RATE_LIMIT_KEYS; i++) limiter.tryAcquire(`key ${i}`);
    // `first` was evicted: it starts with a full bucket again.
    expect(limiter.tryAcquire('first')).toBe(true);
    limiter.flush();
    expect(summarise).toHaveBeenCalledExactlyOnceWith('first', 1);
    limiter.shutdown();
  });
});
