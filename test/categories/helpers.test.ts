import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  CATEGORY_EVENTS,
  CATEGORY_METRICS,
  createCategoryHelpers,
} from '../../src/categories/index.js';
import { useOtlpReceiver } from '../helpers/useOtlpReceiver.js';
import { flush, metric, point, recordsOf } from './support.js';

const otlp = useOtlpReceiver({ serviceName: 'categories-it' });

function setup(options?: Parameters<typeof createCategoryHelpers>[1]) {
  otlp.register();
  return createCategoryHelpers(otlp.handle, options);
}

describe('createCategoryHelpers', () => {
  it('should throw a clear error when no registration exists and no otlp.handle is given', () => {
    expect(() => createCategoryHelpers()).toThrow(/registerLogging\(\)/);
  });

  it('should default to the live registration', async () => {
    otlp.register();
    createCategoryHelpers().system.startup('db');
    await flush(otlp.handle!, otlp.receiver, { records: 1 });
    expect(recordsOf(otlp.receiver, 'logkit.system.startup')).toHaveLength(1);
  });
});

describe('user.interaction', () => {
  it('should emit one user record with a truncated response summary, tool calls and the error', async () => {
    const helpers = setup();
    helpers.user.interaction({
      input: 'what is the weather?',
      response: 'x'.repeat(600),
      toolCalls: ['weather', { name: 'geo' }],
      success: true,
      durationMs: 120,
    });
    helpers.user.interaction({
      input: 'again',
      success: false,
      durationMs: 5,
      error: new TypeError('boom'),
    });
    await flush(otlp.handle!, otlp.receiver, { records: 2 });

    const [ok, failed] = recordsOf(otlp.receiver, CATEGORY_EVENTS.userInteraction);
    expect(ok).toMatchObject({ severityText: 'INFO', severityNumber: 9 });
    expect(ok!.attributes).toEqual({
      'logkit.category': 'user',
      'logkit.user.input': 'what is the weather?',
      'logkit.user.response': `${'x'.repeat(500)}…[truncated 100 chars]`,
      'logkit.user.tool_calls': ['weather', 'geo'],
      success: true,
      duration_ms: 120,
    });
    expect(failed).toMatchObject({ severityText: 'ERROR' });
    expect(failed!.attributes).toMatchObject({
      'logkit.category': 'user',
      success: false,
      'exception.type': 'TypeError',
      'exception.message': 'boom',
    });
    expect(failed!.attributes['exception.stacktrace']).toMatch(/TypeError: boom/);
  });
});

describe('system', () => {
  it('should emit startup, shutdown, error, warning and configChange records', async () => {
    const helpers = setup();
    helpers.system.startup('db', { pool: 10 });
    helpers.system.shutdown('db');
    helpers.system.error('db', new Error('lost connection'), { retry: 3 });
    helpers.system.warning('cache', 'slow evictions', { ms: 900 });
    helpers.system.configChange('pool', { key: 'size', from: 10, to: 20 });
    await flush(otlp.handle!, otlp.receiver, { records: 5 });

    const byEvent = Object.fromEntries(otlp.receiver.logs.map((r) => [r.eventName, r]));
    expect(Object.keys(byEvent).sort()).toEqual(
      [
        'logkit.system.config_change',
        'logkit.system.error',
        'logkit.system.shutdown',
        'logkit.system.startup',
        'logkit.system.warning',
      ].sort(),
    );
    for (const r of otlp.receiver.logs) expect(r.attributes['logkit.category']).toBe('system');
    expect(byEvent['logkit.system.startup']).toMatchObject({
      severityText: 'INFO',
      body: 'db started',
      attributes: { 'logkit.system.component': 'db', 'logkit.details': { pool: 10 } },
    });
    expect(byEvent['logkit.system.error']).toMatchObject({
      severityText: 'ERROR',
      attributes: {
        'logkit.system.component': 'db',
        'exception.type': 'Error',
        'exception.message': 'lost connection',
        'logkit.details': { retry: 3 },
      },
    });
    expect(byEvent['logkit.system.warning']).toMatchObject({
      severityText: 'WARN',
      body: 'slow evictions',
    });
    expect(byEvent['logkit.system.config_change']!.attributes).toMatchObject({
      'logkit.system.component': 'pool',
      'logkit.system.config_change': { key: 'size', from: 10, to: 20 },
    });
  });
});

describe('tool.execution', () => {
  it('should emit a tool record with gen_ai attributes and record gen_ai.execute_tool.duration', async () => {
    const helpers = setup();
    helpers.tool.execution({
      name: 'search',
      server: 'mcp://files',
      parameters: { q: 'a'.repeat(600) },
      result: ['r1'],
      success: true,
      durationMs: 250,
    });
    helpers.tool.execution({
      name: 'search',
      success: false,
      durationMs: 750,
      error: new RangeError('too many'),
    });
    await flush(otlp.handle!, otlp.receiver, { records: 2, metrics: true });

    const [ok, failed] = recordsOf(otlp.receiver, CATEGORY_EVENTS.toolExecution);
    expect(ok!.attributes).toMatchObject({
      'logkit.category': 'tool',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'search',
      'logkit.tool.server': 'mcp://files',
      'gen_ai.tool.call.result': '["r1"]',
      success: true,
      duration_ms: 250,
    });
    const args = ok!.attributes['gen_ai.tool.call.arguments'] as string;
    expect(args.startsWith('{"q":"aaa')).toBe(true);
    expect(args).toMatch(/…\[truncated 108 chars\]$/);
    expect(failed).toMatchObject({ severityText: 'ERROR' });
    expect(failed!.attributes).toMatchObject({
      'error.type': 'RangeError',
      'exception.type': 'RangeError',
    });

    const m = metric(otlp.receiver, CATEGORY_METRICS.toolDuration.name);
    expect(m).toMatchObject({ name: 'gen_ai.execute_tool.duration', unit: 's', kind: 'histogram' });
    expect(m!.dataPoints).toHaveLength(2);
    expect(
      point(m, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' }),
    ).toMatchObject({ count: 1, sum: 0.25 });
    expect(
      point(m, {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'search',
        'error.type': 'RangeError',
      }),
    ).toMatchObject({ count: 1, sum: 0.75 });
  });
});

describe('llm.call', () => {
  it('should emit an llm record and record token usage and operation duration per semconv', async () => {
    const helpers = setup();
    const base = { provider: 'openai', model: 'gpt-4o' };
    helpers.llm.call({
      ...base,
      inputTokens: 100,
      outputTokens: 20,
      durationMs: 1500,
      success: true,
      streaming: true,
    });
    helpers.llm.call({
      ...base,
      inputTokens: 50,
      outputTokens: 30,
      durationMs: 500,
      success: true,
    });
    helpers.llm.call({
      ...base,
      inputTokens: 10,
      outputTokens: 0,
      durationMs: 100,
      success: false,
      error: Object.assign(new Error('rate limited'), { name: 'RateLimitError' }),
    });
    await flush(otlp.handle!, otlp.receiver, { records: 3, metrics: true });

    const [first, , failed] = recordsOf(otlp.receiver, CATEGORY_EVENTS.llmCall);
    expect(first!.attributes).toEqual({
      'logkit.category': 'llm',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 20,
      'logkit.llm.streaming': true,
      success: true,
      duration_ms: 1500,
    });
    expect(failed).toMatchObject({ severityText: 'ERROR' });
    expect(failed!.attributes).toMatchObject({
      'error.type': 'RateLimitError',
      'exception.message': 'rate limited',
    });

    const dims = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
    };
    const tokens = metric(otlp.receiver, 'gen_ai.client.token.usage');
    expect(tokens).toMatchObject({ unit: '{token}', kind: 'histogram' });
    expect(tokens!.dataPoints).toHaveLength(2);
    expect(point(tokens, { ...dims, 'gen_ai.token.type': 'input' })).toMatchObject({
      count: 3,
      sum: 160,
    });
    expect(point(tokens, { ...dims, 'gen_ai.token.type': 'output' })).toMatchObject({
      count: 3,
      sum: 50,
    });

    const duration = metric(otlp.receiver, 'gen_ai.client.operation.duration');
    expect(duration).toMatchObject({ unit: 's', kind: 'histogram' });
    expect(point(duration, dims)).toMatchObject({ count: 2, sum: 2 });
    expect(point(duration, { ...dims, 'error.type': 'RateLimitError' })).toMatchObject({
      count: 1,
      sum: 0.1,
    });
    expect(point(duration, dims)!.explicitBounds).toContain(0.01);
  });
});

describe('security', () => {
  it('should emit security events, WARN when denied', async () => {
    const helpers = setup();
    helpers.security.event({ type: 'login', allowed: true, user: 'ann', address: '10.0.0.1' });
    helpers.security.event({
      type: 'access',
      resource: '/admin',
      action: 'read',
      allowed: false,
      reason: 'no role',
      user: 'bob',
    });
    await flush(otlp.handle!, otlp.receiver, { records: 2 });

    const [allowed, denied] = recordsOf(otlp.receiver, CATEGORY_EVENTS.securityEvent);
    expect(allowed).toMatchObject({ severityText: 'INFO' });
    expect(allowed!.attributes).toEqual({
      'logkit.category': 'security',
      'logkit.security.type': 'login',
      'logkit.security.allowed': true,
      'user.id': 'ann',
      'client.address': '10.0.0.1',
    });
    expect(denied).toMatchObject({ severityText: 'WARN', body: 'access read /admin denied' });
    expect(denied!.attributes).toMatchObject({
      'logkit.security.resource': '/admin',
      'logkit.security.action': 'read',
      'logkit.security.allowed': false,
      'logkit.security.reason': 'no role',
    });
  });

  it('should raise one security.alert for brute force and one for rate abuse, within the window', async () => {
    let now = 1_000_000;
    const helpers = setup({
      security: {
        bruteForce: { failures: 3, windowMillis: 60_000 },
        rateAbuse: { violations: 2, windowMillis: 1_000 },
        now: () => now,
      },
    });
    const { monitor } = helpers.security;
    monitor.loginFailed('eve', '10.0.0.9');
    now += 59_000;
    monitor.loginFailed('eve');
    monitor.loginFailed('ann'); // another user does not count
    expect(otlp.receiver.logs).toHaveLength(0);
    now += 500;
    expect(monitor.loginFailed('eve', '10.0.0.7')).toBe(true); // third within 60 s
    expect(monitor.loginFailed('eve')).toBe(false); // reset after the alert

    monitor.rateLimitViolation('10.1.1.1');
    now += 1_500; // the first violation left the window
    monitor.rateLimitViolation('10.1.1.1');
    now += 10;
    monitor.rateLimitViolation('10.1.1.1');
    await flush(otlp.handle!, otlp.receiver, { records: 2 });

    const alerts = recordsOf(otlp.receiver, 'security.alert');
    expect(alerts).toHaveLength(2);
    expect(otlp.receiver.logs).toHaveLength(2);
    expect(alerts[0]).toMatchObject({ severityText: 'ERROR', severityNumber: 17 });
    expect(alerts[0]!.attributes).toEqual({
      'logkit.category': 'security',
      'logkit.security.alert.type': 'brute_force',
      'logkit.security.alert.count': 3,
      'logkit.security.alert.window_ms': 60_000,
      'user.id': 'eve',
      'client.address': '10.0.0.7',
    });
    expect(alerts[1]!.attributes).toEqual({
      'logkit.category': 'security',
      'logkit.security.alert.type': 'rate_abuse',
      'logkit.security.alert.count': 2,
      'logkit.security.alert.window_ms': 1_000,
      'client.address': '10.1.1.1',
    });
  });

  it('should use the default thresholds (5 in 5 min, 10 in 1 min)', () => {
    const helpers = setup();
    expect(helpers.security.monitor.thresholds).toEqual({
      bruteForce: { count: 5, windowMillis: 300_000 },
      rateAbuse: { count: 10, windowMillis: 60_000 },
    });
  });
});

describe('robustness', () => {
  it('should never throw into the app and report through diag once', async () => {
    const messages: string[] = [];
    const push = (m: string) => messages.push(m);
    const logger: DiagLogger = { error: push, warn: push, info: push, debug: push, verbose: push };
    diag.setLogger(logger, DiagLogLevel.ERROR);
    const helpers = setup();
    const hostile = {
      get input(): string {
        throw new Error('getter');
      },
      success: true,
      durationMs: 1,
    };
    expect(() => helpers.user.interaction(hostile)).not.toThrow();
    expect(() => helpers.user.interaction(hostile)).not.toThrow();
    expect(() =>
      helpers.llm.call({
        provider: 'p',
        model: 'm',
        inputTokens: Number.NaN,
        outputTokens: -1,
        durationMs: Number.POSITIVE_INFINITY,
        success: true,
      }),
    ).not.toThrow();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() =>
      helpers.tool.execution({ name: 't', parameters: circular, success: true, durationMs: 1 }),
    ).not.toThrow();
    await flush(otlp.handle!, otlp.receiver, { records: 2 });
    expect(messages.filter((m) => m.includes('user helper failed'))).toHaveLength(1);
    // The llm record is still emitted; no metric point from invalid numbers.
    expect(recordsOf(otlp.receiver, 'logkit.llm.call')).toHaveLength(1);
    expect(metric(otlp.receiver, 'gen_ai.client.token.usage')).toBeUndefined();
    expect(
      recordsOf(otlp.receiver, 'logkit.tool.execution')[0]!.attributes[
        'gen_ai.tool.call.arguments'
      ],
    ).toMatch(/Circular/);
  });
});
