import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  HELD,
  createTraceEndSpanProcessor,
} from '../../../src/processors/sampling/SamplingStep.js';
import type { BufferUntilErrorOptions } from '../../../src/processors/sampling/SamplingOptions.js';
import { FakeClock, Harness, randomTraceId, spanContextOf } from './harness.js';

const { DEBUG, INFO, WARN, ERROR, FATAL } = SeverityNumber;

describe('buffer until error', () => {
  let clock: FakeClock;

  beforeEach(() => {
    vi.useFakeTimers();
    clock = new FakeClock();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function harness(buffer: boolean | BufferUntilErrorOptions = true, more = {}): Harness {
    return new Harness({ bufferUntilError: buffer, ...more }, { now: clock.now });
  }

  it('holds records of a trace and releases them, in order, before the error', () => {
    const h = harness();
    const traceId = randomTraceId();
    const contexts = [spanContextOf(traceId), spanContextOf(traceId), spanContextOf(traceId)];
    expect(h.log(DEBUG, 'one', { context: contexts[0] })).toBe(HELD);
    expect(h.log(INFO, 'two', { context: contexts[1] })).toBe(HELD);
    expect(h.log(INFO, { three: 3 }, { context: contexts[2] })).toBe(HELD);
    expect(h.forwardedBodies()).toEqual([]);

    const error = h.log(ERROR, 'boom', { traceId });
    expect(h.kept(error)).toBe(true);
    expect(
      h.events.map((e) => (e.kind === 'drop' ? e : [e.kind, e.kind === 'emit' ? '' : e.body])),
    ).toEqual([
      ['result', 'one'],
      ['result', 'two'],
      ['result', { three: 3 }],
      ['forward', 'one'],
      ['forward', 'two'],
      ['forward', { three: 3 }],
      ['result', 'boom'],
    ]);
    const forwards = h.events.filter((e) => e.kind === 'forward');
    expect(forwards.map((e) => e.kind === 'forward' && e.record)).toEqual(h.records.slice(0, 3));
    expect(forwards.map((e) => e.kind === 'forward' && e.context)).toEqual(contexts);
    expect(forwards.every((e, i) => e.kind === 'forward' && e.context === contexts[i])).toBe(true);

    // The trace errored: its later records go straight through.
    expect(h.kept(h.log(DEBUG, 'after', { traceId }))).toBe(true);
    expect(h.dropped('sampled')).toBe(0);
  });

  it('releases on a trigger that is also above the floor, and WARN does not release', () => {
    const h = harness();
    const traceId = randomTraceId();
    h.log(INFO, 'held');
    expect(h.log(INFO, 'held', { traceId })).toBe(HELD);
    expect(h.kept(h.log(WARN, 'warned', { traceId }))).toBe(true);
    expect(h.forwardedBodies()).toEqual([]);
    expect(h.kept(h.log(FATAL, 'fatal', { traceId }))).toBe(true);
    expect(h.forwardedBodies()).toEqual(['held']);
  });

  it('takes its trigger level from the options', () => {
    const h = harness({ triggerLevel: 'warn' });
    const traceId = randomTraceId();
    expect(h.log(INFO, 'held', { traceId })).toBe(HELD);
    expect(h.kept(h.log(WARN, 'warned', { traceId }))).toBe(true);
    expect(h.forwardedBodies()).toEqual(['held']);
  });

  it('passes records outside a trace straight through', () => {
    const h = harness();
    expect(h.kept(h.log(DEBUG, 'no trace'))).toBe(true);
    expect(h.kept(h.log(INFO, 'no trace'))).toBe(true);
  });

  it('keeps traces apart', () => {
    const h = harness();
    const a = randomTraceId();
    const b = randomTraceId();
    h.log(INFO, 'a1', { traceId: a });
    h.log(INFO, 'b1', { traceId: b });
    h.log(INFO, 'a2', { traceId: a });
    h.log(INFO, 'b2', { traceId: b });
    h.log(ERROR, 'a error', { traceId: a });
    expect(h.forwardedBodies()).toEqual(['a1', 'a2']);
    expect(h.log(INFO, 'b3', { traceId: b })).toBe(HELD);
    h.step.traceEnded(b);
    expect(h.dropped('sampled')).toBe(3);
    expect(h.forwardedBodies()).toEqual(['a1', 'a2']);
  });

  it('discards held records when the trace ends', () => {
    const h = harness();
    const traceId = randomTraceId();
    for (let i = 0; i < 4; i++) h.log(INFO, `r${i}`, { traceId });
    h.step.traceEnded(traceId);
    expect(h.dropped('sampled')).toBe(4);
    h.log(ERROR, 'late error', { traceId });
    expect(h.forwardedBodies()).toEqual([]);
    expect(vi.getTimerCount()).toBe(1); // the errored trace is remembered
    h.step.traceEnded(traceId);
    expect(vi.getTimerCount()).toBe(0);
    // After the end, the trace is no longer errored.
    expect(h.log(INFO, 'again', { traceId })).toBe(HELD);
  });

  it('discards held records after the timeout', () => {
    const h = harness({ timeoutMillis: 1000 });
    const traceId = randomTraceId();
    expect(vi.getTimerCount()).toBe(0);
    h.log(INFO, 'old', { traceId });
    expect(vi.getTimerCount()).toBe(1);
    clock.advance(600);
    h.log(INFO, 'newer', { traceId });
    clock.advance(400);
    vi.advanceTimersByTime(100);
    expect(h.dropped('sampled')).toBe(1);
    clock.advance(600);
    vi.advanceTimersByTime(100);
    expect(h.dropped('sampled')).toBe(2);
    expect(vi.getTimerCount()).toBe(0); // nothing held: the sweep stops

    h.log(ERROR, 'error', { traceId });
    expect(h.forwardedBodies()).toEqual([]);
  });

  it('never releases a record past the timeout, even before a sweep', () => {
    const h = harness({ timeoutMillis: 1000 });
    const traceId = randomTraceId();
    h.log(INFO, 'stale', { traceId });
    clock.advance(900);
    h.log(INFO, 'fresh', { traceId });
    clock.advance(100);
    h.log(ERROR, 'error', { traceId });
    expect(h.forwardedBodies()).toEqual(['fresh']);
    expect(h.dropped('sampled')).toBe(1);
  });

  it('forgets an errored trace that stays quiet past the timeout', () => {
    const h = harness({ timeoutMillis: 1000 });
    const traceId = randomTraceId();
    h.log(ERROR, 'error', { traceId });
    clock.advance(500);
    expect(h.kept(h.log(INFO, 'after', { traceId }))).toBe(true);
    clock.advance(1000);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(0);
    expect(h.log(INFO, 'much later', { traceId })).toBe(HELD);
  });

  it('drops the oldest record of a full trace', () => {
    const h = harness({ maxRecordsPerTrace: 3 });
    const traceId = randomTraceId();
    for (let i = 0; i < 5; i++) h.log(INFO, `r${i}`, { traceId });
    expect(h.dropped('sampled')).toBe(2);
    h.log(ERROR, 'error', { traceId });
    expect(h.forwardedBodies()).toEqual(['r2', 'r3', 'r4']);
  });

  it('drops the oldest trace beyond maxTraces', () => {
    const h = harness({ maxTraces: 2 });
    const [a, b, c] = [randomTraceId(), randomTraceId(), randomTraceId()];
    h.log(INFO, 'a1', { traceId: a });
    h.log(INFO, 'a2', { traceId: a });
    h.log(INFO, 'b1', { traceId: b });
    h.log(INFO, 'c1', { traceId: c });
    expect(h.dropped('sampled')).toBe(2);
    h.log(ERROR, 'a error', { traceId: a });
    expect(h.forwardedBodies()).toEqual([]);
    h.log(ERROR, 'b error', { traceId: b });
    h.log(ERROR, 'c error', { traceId: c });
    expect(h.forwardedBodies()).toEqual(['b1', 'c1']);
  });

  it('is not released by forceFlush; shutdown discards, counts, stops timers, and is idempotent', async () => {
    const h = harness();
    const traceId = randomTraceId();
    h.log(INFO, 'one', { traceId });
    h.log(INFO, 'two', { traceId: randomTraceId() });
    await h.step.forceFlush?.();
    expect(h.forwardedBodies()).toEqual([]);
    expect(h.dropped('sampled')).toBe(0);

    await h.step.shutdown?.();
    expect(h.dropped('sampled')).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
    await h.step.shutdown?.();
    expect(h.dropped('sampled')).toBe(2);
    // Nothing can release after shutdown, so nothing is held.
    expect(h.kept(h.log(INFO, 'late', { traceId }))).toBe(true);
  });

  it('runs after the ratio and trace flags, and before the rate limit', () => {
    const h = harness(true, { followTraceFlags: true, rateLimit: { perSecond: 1 } });
    const traceId = randomTraceId();
    expect(h.log(INFO, 'unsampled', { traceId, sampled: false })).toBe('sampled');
    for (let i = 0; i < 3; i++) expect(h.log(INFO, 'same', { traceId })).toBe(HELD);
    h.log(ERROR, 'error', { traceId });
    expect(h.forwardedBodies()).toEqual(['same', 'same', 'same']);
    expect(h.kept(h.log(INFO, 'same', { traceId }))).toBe(true);
    expect(h.log(INFO, 'same', { traceId })).toBe('rate-limited');
    void h.step.shutdown?.();
  });
});

describe('createTraceEndSpanProcessor', () => {
  it('ends the trace when its local root span ends', async () => {
    const h = new Harness({ bufferUntilError: true });
    const provider = new TracerProvider({
      spanProcessors: [createTraceEndSpanProcessor(h.step)],
    });
    const tracer = provider.getTracer('test');
    const root = tracer.startSpan('root');
    const rootContext = trace.setSpan(ROOT_CONTEXT, root);
    const child = tracer.startSpan('child', {}, rootContext);
    const childContext = trace.setSpan(rootContext, child);
    expect(h.log(INFO, 'in child', { context: childContext })).toBe(HELD);
    child.end();
    expect(h.dropped('sampled')).toBe(0);
    root.end();
    expect(h.dropped('sampled')).toBe(1);

    // A span with a remote parent is a local root too.
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      ...root.spanContext(),
      traceId: randomTraceId(),
      isRemote: true,
    });
    const server = tracer.startSpan('server', {}, remote);
    expect(h.log(INFO, 'in server', { context: trace.setSpan(remote, server) })).toBe(HELD);
    server.end();
    expect(h.dropped('sampled')).toBe(2);
    await provider.shutdown();
    await h.step.shutdown?.();
  });
});
