import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, DiagLogLevel, trace } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api';
import { type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { LoggingConfigError, registerLogging, withContext } from '../src/index.js';
import { recordDiag } from './helpers/diag.js';
import { useCaptureLogs } from './helpers/useCaptureLogs.js';

const capture = useCaptureLogs({ serviceName: 'test-svc', traces: true });
const { register, records } = capture;

async function only(): Promise<ReadableLogRecord> {
  const all = await records();
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('registerLogging', () => {
  describe('handle', () => {
    it('should accept a service name and put it on the Resource with host, process and runtime attributes', async () => {
      register({ serviceVersion: '1.2.3', environment: 'test' });
      capture.handle!.getLogger('app').info('hello');
      const { resource } = await only();
      await resource.waitForAsyncAttributes?.();
      expect(resource.attributes).toMatchObject({
        'service.name': 'test-svc',
        'service.version': '1.2.3',
        'deployment.environment.name': 'test',
        'process.pid': process.pid,
        'process.runtime.name': 'nodejs',
        'telemetry.sdk.language': 'nodejs',
      });
      expect(resource.attributes['host.name']).toEqual(expect.any(String));
    });

    it('should redact secrets the process detector copies from the command line into the Resource', async () => {
      const secret = 'sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789';
      process.argv.push(`--api-key=${secret}`, 'password=hunter2');
      try {
        register();
      } finally {
        process.argv.splice(-2, 2);
      }
      capture.handle!.getLogger('app').info('hello');
      const { resource } = await only();
      const args = JSON.stringify(resource.attributes['process.command_args']);
      expect(args).toContain('--api-key=');
      expect(args).not.toContain(secret);
      expect(args).not.toContain('hunter2');
      expect(resource.attributes['service.name']).toBe('test-svc');
    });

    it('should warn through diag and return the first handle when called twice', () => {
      const { messages } = recordDiag(DiagLogLevel.WARN);
      const first = register();
      const second = registerLogging('other');
      expect(second).toBe(first);
      expect(messages.some((m) => m.includes('called again'))).toBe(true);
    });

    it('should send diag output to the console at the OTEL_LOG_LEVEL level', () => {
      // The API keeps the console methods it found at load time, so this runs
      // in a child process of the built package rather than spying.
      const script =
        "const { registerLogging } = require('otel-logkit');" +
        "registerLogging({ serviceName: 'diag', logsExporter: 'none', handleProcessExit: false });";
      const run = (level: string) =>
        spawnSync(process.execPath, ['-e', script], {
          cwd: path.resolve(import.meta.dirname, '..'),
          env: { ...process.env, OTEL_LOG_LEVEL: level },
          encoding: 'utf8',
        });
      const debug = run('debug');
      expect(debug.status).toBe(0);
      expect(debug.stdout + debug.stderr).toContain('otel-logkit: logs → none');
      const warn = run('warn');
      expect(warn.stdout + warn.stderr).not.toContain('otel-logkit: logs → none');
      // The spec: an unknown value is ignored with a warning (and diag at its default, INFO).
      const loud = run('loud');
      expect(loud.status).toBe(0);
      expect(loud.stderr).toContain('ignoring OTEL_LOG_LEVEL="loud"');
    });

    it('should register the global LoggerProvider so plain Logs API emits go through the pipeline', async () => {
      register();
      logs.getLogger('plain').emit({ severityNumber: SeverityNumber.WARN, body: 'from api-logs' });
      expect((await only()).body).toBe('from api-logs');
      expect((await only()).instrumentationScope.name).toBe('plain');
    });

    it('should export metrics through the meterProvider to its readers', async () => {
      const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
      const reader = new PeriodicExportingMetricReader({
        exporter: metricExporter,
        exportIntervalMillis: 60_000,
      });
      register({ metricReaders: [reader] });
      capture.handle!.meterProvider.getMeter('m').createCounter('things').add(3);
      await capture.handle!.forceFlush();
      const exported = metricExporter.getMetrics();
      const metric = exported.at(-1)?.scopeMetrics[0]?.metrics[0];
      expect(metric?.descriptor.name).toBe('things');
      expect(metric?.dataPoints[0]?.value).toBe(3);
    });

    it('should allow a new registration after shutdown, and shutdown twice', async () => {
      const first = register();
      await first.shutdown();
      await first.shutdown();
      first.getLogger('after').info('dropped after shutdown');
      expect(await records()).toHaveLength(0);
      const second = register();
      expect(second).not.toBe(first);
      second.getLogger('again').info('kept');
      expect((await only()).body).toBe('kept');
    });

    it('should register nothing and drop everything when OTEL_SDK_DISABLED is true', async () => {
      const h = register({ disabled: true });
      h.getLogger('x').error('nothing');
      logs.getLogger('plain').emit({ body: 'nothing either' });
      expect(await records()).toHaveLength(0);
    });

    it('should throw a LoggingConfigError at setup for bad options, naming them', () => {
      expect(() => registerLogging({ logsExporter: 'kafka' as never })).toThrow(LoggingConfigError);
      expect(() => registerLogging({ logsExporter: 'kafka' as never })).toThrow(
        /logsExporter: "kafka"/,
      );
      expect(() => registerLogging({ endpoint: 'nope' })).toThrow(/option endpoint: "nope"/);
      expect(() => registerLogging({ maxFileBytes: -5 })).toThrow(/maxFileBytes: -5/);
      expect(() => registerLogging({ level: 'loud' })).toThrow(/level: "loud"/);
    });
  });

  describe('logger', () => {
    it('should map every built-in level onto its SeverityNumber and keep severityText', async () => {
      register({ level: 'trace' });
      const log = capture.handle!.getLogger('levels');
      const expected = [
        ['trace', SeverityNumber.TRACE, 'TRACE'],
        ['debug', SeverityNumber.DEBUG, 'DEBUG'],
        ['verbose', SeverityNumber.DEBUG3, 'VERBOSE'],
        ['info', SeverityNumber.INFO, 'INFO'],
        ['notice', SeverityNumber.INFO2, 'NOTICE'],
        ['warn', SeverityNumber.WARN, 'WARN'],
        ['error', SeverityNumber.ERROR, 'ERROR'],
        ['alert', SeverityNumber.ERROR3, 'ALERT'],
        ['fatal', SeverityNumber.FATAL, 'FATAL'],
        ['emergency', SeverityNumber.FATAL3, 'EMERGENCY'],
      ] as const;
      for (const [name] of expected) log[name](`at ${name}`);
      expect((await records()).map((r) => [r.body, r.severityNumber, r.severityText])).toEqual(
        expected.map(([name, n, text]) => [`at ${name}`, n, text]),
      );
    });

    it('should give user-defined levels their own methods', async () => {
      const h = register({ levels: { audit: 14 } });
      const log = h.getLogger('custom');
      log.audit('custom level', { who: 'me' });
      expect(await only()).toMatchObject({
        severityNumber: 14,
        severityText: 'AUDIT',
        body: 'custom level',
      });
      log.log('audit', 'through log()');
      expect(await records()).toHaveLength(2);
    });

    it('should drop records below the level, report enabled(), and never evaluate lazy values of disabled levels', async () => {
      register({ level: 'info' });
      const log = capture.handle!.getLogger('lazy');
      let evaluated = 0;
      log.debug(
        () => {
          evaluated++;
          return 'expensive';
        },
        { detail: () => evaluated++ },
      );
      expect(evaluated).toBe(0);
      expect(await records()).toHaveLength(0);
      expect(log.enabled('debug')).toBe(false);
      expect(log.enabled('info')).toBe(true);
      expect(log.enabled(SeverityNumber.ERROR)).toBe(true);
      log.info(() => 'computed', { n: () => 42 });
      expect((await only()).body).toBe('computed');
      expect((await only()).attributes.n).toBe(42);
    });

    it('should let a logger override the level, including silent', async () => {
      register({ level: 'warn' });
      capture.handle!.getLogger('chatty', { level: 'debug' }).debug('kept');
      capture.handle!.getLogger('quiet', { level: 'silent' }).fatal('dropped');
      capture.handle!.getLogger('quiet', { level: 'silent' }).emit({ body: 'dropped too' });
      expect((await only()).body).toBe('kept');
      expect(() => capture.handle!.getLogger('bad', { level: 'nope' })).toThrow(LoggingConfigError);
    });

    it('should put the category, bound attributes and child attributes on records, call attributes winning', async () => {
      register();
      const log = capture.handle!.getLogger('tools', {
        category: 'tool',
        attributes: { component: 'runner' },
      });
      log
        .child({ requestId: 'r1', component: 'child' })
        .info('ran', { component: 'call', ok: true });
      expect((await only()).attributes).toEqual({
        'logkit.category': 'tool',
        component: 'call',
        requestId: 'r1',
        ok: true,
      });
    });

    it('should map an Error onto exception.* with the cause chain', async () => {
      register();
      const log = capture.handle!.getLogger('errors');
      const cause = new TypeError('socket closed');
      const error = new Error('payment failed', { cause });
      log.error(error, { orderId: 7 });
      log.error('while charging', error);
      const [first, second] = await records();
      expect(first!.body).toBe('payment failed');
      expect(first!.attributes).toMatchObject({
        orderId: 7,
        'exception.type': 'Error',
        'exception.message': 'payment failed',
      });
      expect(first!.attributes['exception.stacktrace']).toMatch(
        /payment failed[\s\S]*Caused by: TypeError: socket closed/,
      );
      expect(second!.body).toBe('while charging');
      expect(second!.attributes['exception.type']).toBe('Error');
    });

    it('should keep what was logged when the caller mutates its objects afterwards', async () => {
      register();
      const order = { id: 'o-1', items: [{ sku: 'a' }], total: { amount: 10 } };
      capture.handle!.getLogger('mutation').info('order', { order, when: new Date(0) });
      order.id = 'changed';
      order.items[0]!.sku = 'changed';
      order.total.amount = 99;
      const record = await only();
      expect(record.attributes.order).toEqual({
        id: 'o-1',
        items: [{ sku: 'a' }],
        total: { amount: 10 },
      });
      expect(record.attributes.when).toBe('1970-01-01T00:00:00.000Z');
    });

    it('should take the OTel LogRecord shape in emit()', async () => {
      register();
      const log = capture.handle!.getLogger('emitter', { category: 'llm' });
      log.emit({
        eventName: 'gen_ai.client.inference',
        body: { prompt: 'hi', tokens: 3n as unknown as number },
        attributes: { 'gen_ai.request.model': 'm1' },
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        timestamp: new Date('2026-01-02T03:04:05Z'),
      });
      const record = await only();
      expect(record.eventName).toBe('gen_ai.client.inference');
      expect(record.body).toEqual({ prompt: 'hi', tokens: '3' });
      expect(record.attributes).toEqual({ 'logkit.category': 'llm', 'gen_ai.request.model': 'm1' });
      expect(record.hrTime[0]).toBe(Date.parse('2026-01-02T03:04:05Z') / 1000);
    });

    it('should never throw on hostile values and still emit a valid record', async () => {
      register();
      const log = capture.handle!.getLogger('hostile');
      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      const throwing = {
        get boom(): never {
          throw new Error('getter exploded');
        },
      };
      const proxy = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
        },
      );
      expect(() =>
        log.info('hostile', {
          circular,
          throwing,
          proxy,
          big: 10n ** 30n,
          sym: Symbol('s'),
          fn: undefined,
          date: new Date(0),
          buf: Buffer.from('hi'),
          map: new Map([['k', new Set([1, 2])]]),
        }),
      ).not.toThrow();
      expect(() => log.info(undefined as unknown as string)).not.toThrow();
      expect(() => log.error(null as unknown as Error)).not.toThrow();
      expect(() =>
        log.info('lazy boom', {
          v: () => {
            throw new Error('lazy');
          },
        }),
      ).not.toThrow();
      const [first] = await records();
      expect(first!.attributes.circular).toEqual({ name: 'loop', self: '[Circular]' });
      expect(first!.attributes.big).toBe('1000000000000000000000000000000');
      expect(first!.attributes.sym).toBe('Symbol(s)');
      expect(first!.attributes.date).toBe('1970-01-01T00:00:00.000Z');
      expect(first!.attributes.buf).toEqual(new Uint8Array([104, 105]));
      expect(first!.attributes.map).toEqual({ k: [1, 2] });
      expect(String((first!.attributes.throwing as Record<string, unknown>).boom)).toMatch(
        /Unserializable/,
      );
      expect((await records()).length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('context', () => {
    it('should put withContext attributes on every record inside, across awaits and timers, nested', async () => {
      register();
      const log = capture.handle!.getLogger('ctx');
      await withContext({ 'user.id': 'u1', requestId: 'r1' }, async () => {
        log.info('sync');
        await sleep(1);
        log.info('after await');
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            log.info('in timer');
            resolve();
          }, 1),
        );
        await withContext({ requestId: 'r2' }, async () => {
          await sleep(1);
          logs.getLogger('plain').emit({ body: 'plain api' });
        });
      });
      log.info('outside');
      const attrs = (await records()).map((r) => [
        r.body,
        r.attributes['user.id'],
        r.attributes.requestId,
      ]);
      expect(attrs).toEqual([
        ['sync', 'u1', 'r1'],
        ['after await', 'u1', 'r1'],
        ['in timer', 'u1', 'r1'],
        ['plain api', 'u1', 'r2'],
        ['outside', undefined, undefined],
      ]);
    });

    it('should carry the active span trace and span ids across sync, await, setTimeout, EventEmitter and Promise.all', async () => {
      register();
      const log = capture.handle!.getLogger('traced');
      const tracer = trace.getTracer('test');
      const emitter = new EventEmitter();
      const expected: Array<[string, string, string]> = [];
      await tracer.startActiveSpan('outer', async (outer) => {
        const { traceId, spanId } = outer.spanContext();
        emitter.on('evt', () => log.info('event'));
        log.info('sync');
        await sleep(1);
        log.info('await');
        await new Promise<void>((resolve) => setTimeout(() => (log.info('timeout'), resolve()), 1));
        emitter.emit('evt');
        expected.push(
          ['sync', traceId, spanId],
          ['await', traceId, spanId],
          ['timeout', traceId, spanId],
          ['event', traceId, spanId],
        );
        await Promise.all(
          ['a', 'b'].map((branch) =>
            tracer.startActiveSpan(`branch-${branch}`, async (span) => {
              await sleep(branch === 'a' ? 3 : 1);
              log.info(`branch ${branch}`);
              expected.push([
                `branch ${branch}`,
                span.spanContext().traceId,
                span.spanContext().spanId,
              ]);
              span.end();
            }),
          ),
        );
        outer.end();
      });
      log.info('no span');
      const byBody = new Map((await records()).map((r) => [r.body as string, r]));
      for (const [body, traceId, spanId] of expected) {
        expect(byBody.get(body)?.spanContext?.traceId, body).toBe(traceId);
        expect(byBody.get(body)?.spanContext?.spanId, body).toBe(spanId);
        expect(byBody.get(body)?.spanContext?.traceFlags, body).toBe(1);
      }
      expect(byBody.get('branch a')?.spanContext?.spanId).not.toBe(
        byBody.get('branch b')?.spanContext?.spanId,
      );
      expect(byBody.get('no span')?.spanContext).toBeUndefined();
      expect(context.active()).toBeDefined();
    });
  });
});
