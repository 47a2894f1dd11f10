import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, DiagLogLevel, logs, trace, TraceFlags } from '@opentelemetry/api';
import {
  LoggerProvider,
  type ReadWriteLogRecord,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain, withContext } from '../../src/index.js';
import { pinoDestination, winstonTransport } from '../../src/instrumentation/bridges/index.js';
import { DropCounts } from '../../src/processors/DropCounts.js';
import { PipelineLogRecordProcessor } from '../../src/processors/PipelineLogRecordProcessor.js';
import { recordDiag } from '../helpers/diag.js';
import { readLogFiles } from '../helpers/readLogFiles.js';
import { useCaptureLogs } from '../helpers/useCaptureLogs.js';

const capture = useCaptureLogs({ serviceName: 'bad-input-test' });
const { register, records } = capture;
let dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logkit-bad-input-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('a user step returning something other than a record', () => {
  it.each([
    ['undefined', () => undefined],
    ['a plain object', () => ({ body: 'not a record' })],
    ['a number', () => 42],
    ['an unknown drop reason', () => 'gone'],
    ['a promise', () => Promise.resolve(null)],
  ])(
    'should count %s as a step failure, report it once, and pass the record on',
    async (_name, result) => {
      const errors = recordDiag(DiagLogLevel.ERROR).messages;
      const file = tempDir();
      register({
        logsExporter: 'file',
        logDir: file,
        // After sampling, as the issue found it: the batch of the file exporter
        // must not be lost to one bad record.
        steps: [
          'enrich',
          'redact',
          'limit',
          'sample',
          ((record: ReadWriteLogRecord) => (record.body === 'bad' ? result() : record)) as never,
        ],
      });
      const log = capture.handle!.getLogger('steps');
      log.info('good 1');
      log.info('bad');
      log.info('bad');
      log.info('good 2');
      const got = await records();
      expect(got.map((r) => r.body)).toEqual(['good 1', 'bad', 'bad', 'good 2']);
      const stats = capture.handle!.stats();
      expect(stats.stepFailures).toBe(2);
      expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
      expect(
        errors.filter((m) => m.includes('failed; records it fails on go on unchanged')),
      ).toHaveLength(1);
      // The file destination's batch arrived whole.
      await capture.handle!.shutdown();
      expect(readLogFiles(file).map((r) => r.body)).toEqual(['good 1', 'bad', 'bad', 'good 2']);
    },
  );

  it('should drop the record as redaction-failed when the failing step is fail-closed', () => {
    const counts = new DropCounts();
    const delivered: unknown[] = [];
    const pipeline = new PipelineLogRecordProcessor({
      counts,
      steps: [
        {
          name: 'strict',
          dropReason: 'filtered',
          failClosed: true,
          process: () => undefined as never,
        },
      ],
      destinations: [
        {
          name: 'sink',
          accepts: () => true,
          processor: {
            onEmit: (record) => delivered.push(record),
            forceFlush: () => Promise.resolve(),
            shutdown: () => Promise.resolve(),
          },
        },
      ],
    });
    const provider = new LoggerProvider({ processors: [pipeline] });
    provider.getLogger('x').emit({ body: 'x' });
    expect(delivered).toHaveLength(0);
    expect(counts.snapshot()).toMatchObject({
      stepFailures: 1,
      dropped: { 'redaction-failed': 1 },
    });
  });
});

describe('bodies the SDK does not check', () => {
  it('should convert them so that no exporter batch is lost to one record', async () => {
    const file = tempDir();
    register({ logsExporter: 'file', logDir: file });
    // A LoggerProvider otel-logkit did not make (a NodeSDK's) feeding the
    // pipeline through handle.logRecordProcessor: its records are unconverted.
    const raw = new LoggerProvider({ processors: [capture.handle!.logRecordProcessor] }).getLogger(
      'raw',
    );
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    raw.emit({ body: 'good 1' });
    raw.emit({ body: 10n ** 20n });
    raw.emit({ body: circular });
    raw.emit({ body: Symbol('s') });
    raw.emit({ body: 'good 2' });
    await capture.handle!.shutdown();
    expect(readLogFiles(file).map((r) => r.body)).toEqual([
      'good 1',
      '100000000000000000000',
      { a: 1, self: '[Circular]' },
      'Symbol(s)',
      'good 2',
    ]);
  });
});

describe('handle.loggerProvider', () => {
  it('should not throw into the app on a throwing getter, and deliver the record', async () => {
    const file = tempDir();
    register({ logsExporter: 'file', logDir: file });
    const hostile = {
      get token(): string {
        throw new Error('getter');
      },
      ok: 1,
    };
    expect(() =>
      capture
        .handle!.loggerProvider.getLogger('direct')
        .emit({ body: 'direct', attributes: hostile }),
    ).not.toThrow();
    await capture.handle!.shutdown();
    const [record] = readLogFiles(file);
    expect(record?.body).toBe('direct');
    expect(record?.attributes.ok).toBe(1);
  });
});

describe('attribute keys named like Object internals', () => {
  const hostile = JSON.parse(
    '{"__proto__": {"polluted": "yes"}, "constructor": "c", "prototype": "p", "toString": "t"}',
  ) as Record<string, unknown>;

  function check(record: ReadableLogRecord | undefined) {
    expect(record).toBeDefined();
    const attributes = record!.attributes as Record<string, unknown>;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.hasOwn(attributes, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')!.value).toEqual({
      polluted: 'yes',
    });
    expect(attributes).toMatchObject({ constructor: 'c', prototype: 'p', toString: 't' });
    expect(Object.hasOwn(attributes, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }

  it('should keep them as ordinary attributes of a log call', async () => {
    register();
    capture.handle!.getLogger('proto').info('call', hostile);
    check((await records())[0]);
  });

  it('should keep them through emit, child attributes and plain Logs API loggers', async () => {
    register();
    const log = capture.handle!.getLogger('proto');
    log.emit({ body: 'emit', attributes: hostile });
    log.child(hostile).info('child');
    logs.getLogger('plain').emit({ body: 'plain', attributes: hostile });
    const got = await records();
    expect(got.map((r) => r.body)).toEqual(['emit', 'child', 'plain']);
    for (const record of got) check(record);
  });

  it('should add withContext and static attributes named constructor or toString', async () => {
    register({ attributes: { toString: 'static' } });
    withContext({ constructor: 'from-context' }, () => capture.handle!.getLogger('ctx').info('x'));
    const [record] = await records();
    expect(record!.attributes).toMatchObject({ constructor: 'from-context', toString: 'static' });
  });

  it('should keep them from withContext, static attributes and the pino and winston bridges', async () => {
    register({ attributes: hostile });
    const log = capture.handle!.getLogger('proto');
    withContext(hostile, () => log.info('ctx'));
    const pinoDest = pinoDestination(capture.handle);
    pinoDest.write(
      `${JSON.stringify({ level: 30, msg: 'pino' }).slice(0, -1)},"__proto__":{"polluted":"yes"},"constructor":"c","prototype":"p","toString":"t"}\n`,
    );
    const transport = winstonTransport(capture.handle) as unknown as {
      log(info: unknown, callback: () => void): void;
    };
    transport.log({ level: 'info', message: 'winston', ...hostile }, () => {});
    const got = await records();
    expect(got.map((r) => r.body)).toEqual(['ctx', 'pino', 'winston']);
    for (const record of got) check(record);
  });

  it('should redact a secret under __proto__', async () => {
    register();
    capture
      .handle!.getLogger('proto')
      .info('call', JSON.parse('{"__proto__": {"password": "hunter2"}}'));
    const [record] = await records();
    expect(
      JSON.stringify(Object.getOwnPropertyDescriptor(record!.attributes, '__proto__')!.value),
    ).toBe('{"password":"[REDACTED]"}');
  });
});

describe('the audit route', () => {
  it('should keep every security and audit record with sampling, rate limiting and buffering on', async () => {
    const logDir = tempDir();
    register({
      logDir,
      logsExporter: 'file',
      audit: true,
      sampling: {
        ratio: 0,
        rateLimit: { perSecond: 1, burst: 1 },
        bufferUntilError: true,
      },
    });
    const security = capture.handle!.getLogger('sec', { category: 'security' });
    const audit = capture.handle!.getLogger('aud', { category: 'audit' });
    const app = capture.handle!.getLogger('app');
    // Inside a sampled trace (buffering holds such records until an error)
    // and outside any (ratio sampling drops them at random, here all).
    const inTrace = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(inTrace, () => {
      for (let i = 0; i < 10; i++) security.info('login ok', { i });
      for (let i = 0; i < 5; i++) audit.info('role granted', { i });
      for (let i = 0; i < 10; i++) app.info('app noise', { i });
    });
    for (let i = 10; i < 20; i++) security.info('login ok', { i });
    for (let i = 5; i < 10; i++) audit.info('role granted', { i });
    await capture.handle!.forceFlush();
    await capture.handle!.shutdown();
    const trail = readLogFiles(path.join(logDir, 'audit'));
    expect(trail.filter((r) => r.body === 'login ok')).toHaveLength(20);
    expect(trail.filter((r) => r.body === 'role granted')).toHaveLength(10);
    expect(await verifyAuditChain(path.join(logDir, 'audit'))).toMatchObject({
      ok: true,
      records: 30,
    });
    // The app's INFO records are still sampled.
    expect(readLogFiles(logDir).filter((r) => r.body === 'app noise')).toHaveLength(0);
  });
});
