import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  trace,
  type DiagLogger,
} from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import {
  InMemoryLogRecordExporter,
  type LogRecordExporter,
  type LogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LoggingConfigError,
  registerLogging,
  withContext,
  type LoggingHandle,
  type LoggingOptions,
  verifyAuditChain,
} from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { captureLogs, type CapturedLogs } from '../../src/testing/index.js';
import { readLogFiles } from '../helpers/readLogFiles.js';

let handle: LoggingHandle | undefined;
let capture: CapturedLogs | undefined;

function register(options: LoggingOptions = {}): LoggingHandle {
  capture = captureLogs({ serviceName: 'pipeline-test', ...options });
  handle = capture.handle;
  return handle;
}

/** The records exported so far: otel-logkit's capture, or another exporter's. */
async function records(exporter?: InMemoryLogRecordExporter): Promise<ReadableLogRecord[]> {
  if (exporter) {
    await handle?.forceFlush();
    return exporter.getFinishedLogRecords();
  }
  return (await capture!.records()).map((r) => r.raw);
}

function diagCapture(): string[] {
  const messages: string[] = [];
  const push = (m: string, ...rest: unknown[]) => messages.push([m, ...rest.map(String)].join(' '));
  const logger: DiagLogger = { error: push, warn: push, info: push, debug: push, verbose: push };
  diag.setLogger(logger, DiagLogLevel.WARN);
  return messages;
}

beforeEach(() => {
  resetReportOnce();
});

afterEach(async () => {
  await capture?.shutdown();
  await handle?.shutdown();
  capture = undefined;
  handle = undefined;
  diag.disable();
});

describe('the pipeline', () => {
  describe('steps', () => {
    it('should run user function steps in order, dropping on null and counting it as filtered', async () => {
      const seen: string[] = [];
      register({
        steps: [
          'enrich',
          (record) => {
            seen.push(`first:${record.body as string}`);
            record.setAttribute('stepped', 1);
            return record;
          },
          (record) => (record.body === 'drop me' ? null : record),
          'route',
        ],
      });
      const log = handle!.getLogger('steps');
      log.info('keep me');
      log.info('drop me');
      const out = await records();
      expect(out.map((r) => r.body)).toEqual(['keep me']);
      expect(out[0]!.attributes.stepped).toBe(1);
      expect(seen).toEqual(['first:keep me', 'first:drop me']);
      expect(handle!.stats()).toMatchObject({ received: 2, dropped: { filtered: 1 } });
    });

    it('should take a LogRecordProcessor as a step and flush and shut it down', async () => {
      let flushed = 0;
      let shut = 0;
      const processor: LogRecordProcessor = {
        onEmit: (record) => void record.setAttribute('from.processor', true),
        forceFlush: () => (flushed++, Promise.resolve()),
        shutdown: () => (shut++, Promise.resolve()),
      };
      register({ steps: ['enrich', processor] });
      handle!.getLogger('p').info('x');
      expect((await records())[0]!.attributes['from.processor']).toBe(true);
      expect(flushed).toBeGreaterThan(0);
      await handle!.shutdown();
      await handle!.shutdown();
      expect(shut).toBe(1);
    });

    it('should pass a record on unchanged when a step throws, and report it once through diag', async () => {
      const messages = diagCapture();
      register({
        steps: [
          () => {
            throw new Error('step exploded');
          },
        ],
      });
      const log = handle!.getLogger('throws');
      log.info('one');
      log.info('two');
      expect((await records()).map((r) => r.body)).toEqual(['one', 'two']);
      expect(messages.filter((m) => m.includes('step exploded'))).toHaveLength(1);
    });

    it('should reject unknown or misplaced steps at setup', () => {
      expect(() => register({ steps: ['enrich', 'compress' as never] })).toThrow(
        /steps\[1\]: "compress"/,
      );
      expect(() => register({ steps: ['route', 'enrich'] })).toThrow(/steps\[0\]: "route"/);
      expect(() => register({ steps: [42 as never] })).toThrow(LoggingConfigError);
    });
  });

  describe('redaction', () => {
    it('should be on by default: secret keys, tokens in strings, a count attribute', async () => {
      register();
      const jwt =
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
      handle!.getLogger('secrets').info(`login with ${jwt}`, {
        password: 'hunter2',
        headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz012345' },
        'gen_ai.usage.input_tokens': 12,
      });
      const [record] = await records();
      const exported = JSON.stringify({ body: record!.body, attributes: record!.attributes });
      expect(exported).not.toContain('hunter2');
      expect(exported).not.toContain(jwt);
      expect(exported).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
      expect(record!.attributes.password).toBe('[REDACTED]');
      expect(record!.attributes['gen_ai.usage.input_tokens']).toBe(12);
      expect(record!.attributes['logkit.redaction.count']).toBe(3);
    });

    it('should be off with redaction: false', async () => {
      register({ redaction: false });
      handle!.getLogger('secrets').info('plain', { password: 'hunter2' });
      expect((await records())[0]!.attributes.password).toBe('hunter2');
    });

    it('should mask and hash as configured, and require a hash key', async () => {
      register({ redaction: { keyMode: 'mask', keys: ['pin'] } });
      // 12 characters or more keep their last 4 (MASK_KEEP_MIN).
      handle!.getLogger('m').info('m', { pin: '123456789012' });
      expect((await records())[0]!.attributes.pin).toBe('****9012');
      await handle!.shutdown();
      expect(() => register({ redaction: { mode: 'hash' } })).toThrow(/redaction/);
    });

    it('should fail closed: a record redaction cannot walk is dropped and counted', async () => {
      const messages = diagCapture();
      register({
        steps: [
          'enrich',
          (record) => {
            // A value no log call produces (calls convert values first), set
            // by a user step to prove the redact step drops what it cannot read.
            Object.defineProperty(record.attributes, 'evil', {
              enumerable: true,
              get() {
                throw new Error('unreadable');
              },
            });
            return record;
          },
          'redact',
        ],
      });
      handle!.getLogger('closed').info('never exported', { password: 'hunter2' });
      expect(await records()).toHaveLength(0);
      expect(handle!.stats().dropped['redaction-failed']).toBe(1);
      expect(messages.join('\n')).toMatch(/redact/);
    });
  });

  describe('enrich', () => {
    it('should add static, withContext and Baggage attributes without overwriting the call', async () => {
      register({ attributes: { region: 'eu-1', team: 'pay' } });
      const log = handle!.getLogger('enrich');
      const baggage = propagation.createBaggage({
        'user.id': { value: 'u-from-baggage' },
        'session.id': { value: 's-1' },
        unrelated: { value: 'not copied' },
      });
      await context.with(propagation.setBaggage(context.active(), baggage), () =>
        withContext({ 'request.id': 'r-1' }, () => {
          log.info('enriched', { team: 'call-wins' });
          return Promise.resolve();
        }),
      );
      expect((await records())[0]!.attributes).toEqual({
        team: 'call-wins',
        region: 'eu-1',
        'request.id': 'r-1',
        'user.id': 'u-from-baggage',
        'session.id': 's-1',
      });
    });

    it('should copy every Baggage entry with baggageKeys true, none with false', async () => {
      register({ baggageKeys: true });
      const baggage = propagation.createBaggage({ anything: { value: 'v' } });
      context.with(propagation.setBaggage(context.active(), baggage), () =>
        handle!.getLogger('b').info('all'),
      );
      expect((await records())[0]!.attributes.anything).toBe('v');
    });
  });

  describe('limits', () => {
    it('should truncate long attribute values, nested strings and the body, marking each', async () => {
      register({ limits: { attributeValueLength: 10, bodyLength: 12 } });
      handle!.getLogger('limits').info('a body that is far too long', {
        short: 'ok',
        long: 'x'.repeat(25),
        nested: { deep: ['y'.repeat(11)] },
        n: 12345678901234,
      });
      const [record] = await records();
      expect(record!.body).toBe('a body that …[truncated 15 chars]');
      expect(record!.attributes).toMatchObject({
        short: 'ok',
        long: `${'x'.repeat(10)}…[truncated 15 chars]`,
        nested: { deep: [`${'y'.repeat(10)}…[truncated 1 chars]`] },
        n: 12345678901234,
      });
    });

    it('should drop attributes past the count, counting them in droppedAttributesCount', async () => {
      register({ limits: { attributeCount: 3 } });
      handle!.getLogger('limits').info('many', { a: 1, b: 2, c: 3, d: 4, e: 5 });
      const [record] = await records();
      expect(Object.keys(record!.attributes)).toEqual(['a', 'b', 'c']);
      expect(record!.droppedAttributesCount).toBe(2);
    });

    it('should honour OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT and the summary preset', async () => {
      process.env.OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT = '5';
      try {
        register({ limits: { preset: 'summary' } });
      } finally {
        delete process.env.OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT;
      }
      handle!.getLogger('limits').info('r'.repeat(600), { response: 'abcdefgh' });
      const [record] = await records();
      expect(record!.attributes.response).toBe('abcde…[truncated 3 chars]');
      expect(record!.body).toBe(`${'r'.repeat(500)}…[truncated 100 chars]`);
    });

    it('should reject bad limits at setup', () => {
      expect(() => register({ limits: { bodyLength: 0 } })).toThrow(/limits.bodyLength: 0/);
      expect(() => register({ limits: { preset: 'tiny' as never } })).toThrow(/limits.preset/);
    });
  });

  describe('sampling', () => {
    it('should keep WARN and above at ratio 0 and count the rest as sampled', async () => {
      register({ sampling: { ratio: 0 } });
      const log = handle!.getLogger('s');
      log.info('dropped');
      log.debug('dropped too');
      log.warn('kept');
      log.error('kept too');
      expect((await records()).map((r) => r.body)).toEqual(['kept', 'kept too']);
      expect(handle!.stats().dropped.sampled).toBe(1);
    });

    it('should keep or drop all records of one trace together', async () => {
      register({ traces: true, tracesExporter: 'none', sampling: { ratio: 0.5 } });
      const log = handle!.getLogger('s');
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
      const log = handle!.getLogger('s');
      for (let i = 0; i < 10; i++) log.info('same message');
      const out = await records();
      expect(out.filter((r) => r.body === 'same message')).toHaveLength(2);
      const summary = out.find((r) => r.body === 'suppressed 8 similar records');
      expect(summary?.attributes).toMatchObject({
        'logkit.rate_limit.key': 'same message',
        'logkit.rate_limit.suppressed': 8,
      });
      expect(handle!.stats().dropped['rate-limited']).toBe(8);
    });

    it("should hold a trace's records until an error releases them, and discard them when the trace ends", async () => {
      register({
        level: 'debug',
        traces: true,
        tracesExporter: 'none',
        sampling: { bufferUntilError: true },
      });
      const log = handle!.getLogger('s');
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
      expect(handle!.stats().dropped.sampled).toBe(1);
    });

    it('should reject bad sampling options at setup', () => {
      expect(() => register({ sampling: { ratio: 2 } })).toThrow(/sampling.ratio: 2/);
      expect(() => register({ sampling: { rateLimit: { perSecond: 0 } } })).toThrow(
        /sampling.rateLimit.perSecond/,
      );
    });
  });

  describe('routing', () => {
    function twoDestinations(routing: LoggingOptions['routing']) {
      const a = new InMemoryLogRecordExporter();
      const b = new InMemoryLogRecordExporter();
      // Only these two destinations (no capture of every record): straight registerLogging.
      handle = registerLogging({
        serviceName: 'pipeline-test',
        logsExporter: 'none',
        handleProcessExit: false,
        destinations: { a, b },
        routing,
      });
      return { a, b };
    }

    it('should apply a minimum level per destination', async () => {
      const { a, b } = twoDestinations({ a: { minLevel: 'debug' }, b: { minLevel: 'info' } });
      const log = handle!.getLogger('route', { level: 'debug' });
      log.debug('detail');
      log.info('summary');
      expect((await records(a)).map((r) => r.body)).toEqual(['detail', 'summary']);
      expect((await records(b)).map((r) => r.body)).toEqual(['summary']);
    });

    it('should include and exclude by event name and category globs', async () => {
      const { a, b } = twoDestinations({
        a: { include: { eventName: 'gen_ai.*', category: ['tool'] } },
        b: { exclude: { category: 'llm' } },
      });
      const llm = handle!.getLogger('llm', { category: 'llm' });
      const tool = handle!.getLogger('tool', { category: 'tool' });
      llm.emit({
        eventName: 'gen_ai.client.inference',
        body: 'inference',
        severityNumber: SeverityNumber.INFO,
      });
      llm.info('plain llm');
      tool.info('tool ran');
      expect((await records(a)).map((r) => r.body)).toEqual(['inference', 'tool ran']);
      expect((await records(b)).map((r) => r.body)).toEqual(['tool ran']);
    });

    it('should count a record that no destination accepts as filtered', async () => {
      twoDestinations({ a: { minLevel: 'error' }, b: { minLevel: 'error' } });
      handle!.getLogger('x').info('nowhere');
      await handle!.forceFlush();
      expect(handle!.stats().dropped.filtered).toBe(1);
    });

    it('should send security and audit records to the audit files too', async () => {
      const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-audit-'));
      register({ logDir, logsExporter: 'file', audit: true });
      handle!.getLogger('sec', { category: 'security' }).warn('login failed', { 'user.id': 'u1' });
      handle!.getLogger('aud', { category: 'audit' }).info('role granted');
      handle!.getLogger('app').info('ordinary');
      await handle!.forceFlush();
      const audit = readLogFiles(path.join(logDir, 'audit'));
      expect(audit.map((r) => r.body).sort()).toEqual(['login failed', 'role granted']);
      // The audit records form a verifiable hash chain.
      expect(audit.every((r) => typeof r.attributes['logkit.audit.hash'] === 'string')).toBe(true);
      expect(await verifyAuditChain(path.join(logDir, 'audit'))).toMatchObject({
        ok: true,
        records: 2,
      });
      expect(
        readLogFiles(logDir)
          .map((r) => r.body)
          .sort(),
      ).toEqual(['login failed', 'ordinary', 'role granted']);
    });

    it('should key the audit chain with audit.key', async () => {
      const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-audit-keyed-'));
      const key = 'an audit key of 32 bytes or more';
      register({ logDir, logsExporter: 'file', audit: { key } });
      handle!.getLogger('sec', { category: 'security' }).warn('login failed');
      await handle!.forceFlush();
      const dir = path.join(logDir, 'audit');
      expect(readLogFiles(dir)[0]!.attributes['logkit.audit.alg']).toBe('hmac-sha256');
      await expect(
        verifyAuditChain(dir, { key: new TextEncoder().encode(key) }),
      ).resolves.toMatchObject({ ok: true, records: 1 });
      await expect(verifyAuditChain(dir)).rejects.toMatchObject({ code: 'ERR_AUDIT_KEY_REQUIRED' });
    });

    it('should reject a routing rule for an unknown destination or with a bad level', () => {
      expect(() => register({ routing: { kafka: {} } })).toThrow(/option routing.kafka/);
      expect(() => register({ routing: { console: { minLevel: 'loud' } } })).toThrow(
        /routing.console.minLevel: "loud"/,
      );
    });
  });

  describe('stats', () => {
    it('should count every record an exporter fails on as export-failed', async () => {
      const failing: LogRecordExporter = {
        export: (_logs, done) =>
          done({ code: ExportResultCode.FAILED, error: new Error('backend down') }),
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      };
      // Memory-only delivery: a failed batch has nowhere to wait.
      register({ logRecordProcessors: [], destinations: { failing }, delivery: { spool: false } });
      const log = handle!.getLogger('stats');
      for (let i = 0; i < 5; i++) log.info(`r${i}`);
      await handle!.forceFlush();
      const { received, dropped, stepFailures } = handle!.stats();
      expect({ received, dropped, stepFailures }).toEqual({
        received: 5,
        dropped: {
          sampled: 0,
          'rate-limited': 0,
          filtered: 0,
          'redaction-failed': 0,
          'queue-full': 0,
          'export-failed': 5,
          'spool-full': 0,
          'spool-damaged': 0,
        },
        stepFailures: 0,
      });
    });

    it('should count records refused by a full memory budget as queue-full with the spool off', async () => {
      // An exporter that never answers: the first batch stays in flight and
      // the one-record memory budget fills up.
      let handed = 0;
      const pending: Array<() => void> = [];
      const stuck: LogRecordExporter = {
        export: (logs, done) => {
          handed += logs.length;
          pending.push(() => done({ code: ExportResultCode.SUCCESS }));
        },
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      };
      register({
        logRecordProcessors: [],
        destinations: { stuck },
        delivery: { spool: false, memoryBudget: 1 },
        batch: {
          maxQueueSize: 1,
          maxExportBatchSize: 1,
          scheduledDelayMillis: 60_000,
          exportTimeoutMillis: 2000,
        },
      });
      const log = handle!.getLogger('stats');
      for (let i = 0; i < 10; i++) log.info(`r${i}`);
      expect(handle!.stats().dropped['queue-full']).toBeGreaterThanOrEqual(8);
      const interval = setInterval(() => pending.splice(0).forEach((release) => release()), 5);
      try {
        await handle!.shutdown();
      } finally {
        clearInterval(interval);
      }
      // Every record either reached the exporter or was counted as queue-full.
      expect(handle!.stats().dropped['queue-full'] + handed).toBe(10);
    });
  });
});
