import {
  context,
  createNoopLogger,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  SeverityNumber,
  trace,
  TraceFlags,
  type Context,
  type DiagLogger,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  createLoggerConfigurator,
  LoggerProvider,
  type LogRecordProcessor,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { directEmitter } from '../../src/logger/DirectEmitter.js';
import { LogkitLogRecord } from '../../src/logger/LogkitLogRecord.js';
import { LogkitLogger, type LoggerShared } from '../../src/logger/Logger.js';
import { resolveLevels } from '../../src/logger/levels.js';

// otel-logkit's level methods hand their records to the provider's processor
// themselves (src/logger/DirectEmitter.ts) instead of through the SDK's
// Logger.emit: these check that what a processor gets, and what happens
// around it, is what the SDK's own path gives for the same call.

const levels = resolveLevels(undefined);
const shared: LoggerShared = { levels, resolveMinSeverity: () => 0 };

interface Seen {
  record: ReadWriteLogRecord;
  ctx: Context;
}

function capture(): { processor: LogRecordProcessor; seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    processor: {
      onEmit: (record, ctx) => seen.push({ record, ctx: ctx! }),
      forceFlush: async () => {},
      shutdown: async () => {},
    },
  };
}

const resource = resourceFromAttributes({ 'service.name': 'direct-test' });

function provider(
  processor: LogRecordProcessor,
  options: Partial<ConstructorParameters<typeof LoggerProvider>[0]> = {},
) {
  return new LoggerProvider({
    resource,
    processors: [processor],
    logRecordLimits: {
      attributeCountLimit: Number.MAX_SAFE_INTEGER,
      attributeValueLengthLimit: Number.POSITIVE_INFINITY,
    },
    ...options,
  });
}

function loggerOf(p: LoggerProvider, name = 'direct', version?: string): LogkitLogger {
  return new LogkitLogger(name, p.getLogger(name, version), shared, {}, 0);
}

/** The fields a LogRecordExporter reads, as plain data. */
function readable(record: ReadWriteLogRecord) {
  return {
    hrTime: record.hrTime,
    hrTimeObserved: record.hrTimeObserved,
    spanContext: record.spanContext,
    severityNumber: record.severityNumber,
    severityText: record.severityText,
    body: record.body,
    eventName: record.eventName,
    attributes: { ...record.attributes },
    droppedAttributesCount: record.droppedAttributesCount,
    resource: record.resource,
    instrumentationScope: record.instrumentationScope,
  };
}

const warnings: string[] = [];
const diagLogger: DiagLogger = {
  error: () => {},
  warn: (message: string) => warnings.push(message),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

let contextManager: AsyncLocalStorageContextManager;
beforeAll(() => {
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  diag.setLogger(diagLogger, DiagLogLevel.WARN);
});
afterAll(() => {
  context.disable();
  diag.disable();
});
afterEach(() => {
  warnings.length = 0;
});

const SPAN = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};

function inSpan<T>(spanContext: typeof SPAN, fn: () => T): T {
  return context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), fn);
}

describe('the direct emit path of level methods', () => {
  it('should be used for sdk-logs Loggers and not for others', () => {
    const { processor } = capture();
    expect(directEmitter(provider(processor).getLogger('x'))).toBeTypeOf('function');
    expect(directEmitter(createNoopLogger())).toBeUndefined();
    // A processor that decides per record (enabled) keeps the SDK's path.
    const deciding = { ...processor, enabled: () => false };
    expect(directEmitter(provider(deciding).getLogger('x'))).toBeUndefined();
    expect(directEmitter({ emit: () => {}, enabled: () => true })).toBeUndefined();
  });

  it("should give the processor the record the SDK's own emit gives, with the same context", () => {
    const { processor, seen } = capture();
    const p = provider(processor);
    const log = loggerOf(p, 'parity', '1.2.3');
    const sdk = p.getLogger('parity', '1.2.3');
    inSpan(SPAN, () => {
      log.warn('disk almost full', { 'disk.free': 12, nested: { a: [1, 'b'] }, flag: true });
      sdk.emit({
        severityNumber: SeverityNumber.WARN,
        severityText: 'WARN',
        body: 'disk almost full',
        attributes: { 'disk.free': 12, nested: { a: [1, 'b'] }, flag: true },
      });
    });
    expect(seen).toHaveLength(2);
    const [ours, theirs] = seen as [Seen, Seen];
    expect(ours.record).toBeInstanceOf(LogkitLogRecord);
    const a = readable(ours.record);
    const b = readable(theirs.record);
    // Both are millisecond times of the same call (Date.now() split into [s, ns]).
    expect(a.hrTime[1] % 1e6).toBe(0);
    expect(
      Math.abs(a.hrTime[0] * 1e3 + a.hrTime[1] / 1e6 - (b.hrTime[0] * 1e3 + b.hrTime[1] / 1e6)),
    ).toBeLessThan(1000);
    expect(a.hrTimeObserved).toEqual(a.hrTime);
    expect(a.hrTimeObserved).not.toBe(a.hrTime);
    expect({ ...a, hrTime: 0, hrTimeObserved: 0 }).toEqual({ ...b, hrTime: 0, hrTimeObserved: 0 });
    // The same Resource and InstrumentationScope objects: exporters group by identity.
    expect(a.resource).toBe(b.resource);
    expect(a.instrumentationScope).toBe(b.instrumentationScope);
    expect(trace.getSpanContext(ours.ctx)).toEqual(SPAN);
  });

  it('should carry no span context outside a span or for an invalid one', () => {
    const { processor, seen } = capture();
    const log = loggerOf(provider(processor));
    log.info('outside');
    inSpan({ ...SPAN, traceId: '0'.repeat(32) }, () => log.info('invalid'));
    inSpan({ ...SPAN, spanId: 'not-hex!' }, () => log.info('invalid span id'));
    inSpan(SPAN, () => log.info('valid'));
    expect(seen.map((s) => s.record.spanContext)).toEqual([undefined, undefined, undefined, SPAN]);
  });

  it('should check a span context again when its ids change in place', () => {
    const { processor, seen } = capture();
    const log = loggerOf(provider(processor));
    const spanContext = { ...SPAN };
    inSpan(spanContext, () => {
      log.info('valid');
      spanContext.traceId = 'z'.repeat(32);
      log.info('now invalid');
    });
    expect(seen[0]!.record.spanContext).toBe(spanContext);
    expect(seen[1]!.record.spanContext).toBeUndefined();
  });

  it('should make the record read-only once onEmit returns, as the SDK does', () => {
    const { processor, seen } = capture();
    const log = loggerOf(provider(processor));
    log.info('original', { n: 1 });
    const record = seen[0]!.record;
    record.body = 'changed';
    record.setBody('changed');
    record.setAttribute('n', 2);
    record.setSeverityNumber(SeverityNumber.FATAL);
    record.severityText = 'FATAL';
    record.setEventName('changed');
    record.hrTime = [0, 0];
    record.spanContext = SPAN;
    expect(readable(record)).toMatchObject({
      body: 'original',
      attributes: { n: 1 },
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      eventName: undefined,
      spanContext: undefined,
    });
    expect(record.hrTime).not.toEqual([0, 0]);
    expect(warnings).toContain('Can not execute the operation on emitted log record');
  });

  it('should let a processor change the record during onEmit, validating attributes as the SDK does', () => {
    const changed: ReadWriteLogRecord[] = [];
    const p = provider(
      {
        onEmit: (record) => {
          record.setAttribute('added', 'yes');
          record.setAttribute('bad', { fn: () => 1 });
          record.setAttribute('ignored', undefined);
          record.setAttributes({ more: 1 });
          record.setBody({ structured: true });
          record.setEventName('disk.full');
          record.setSeverityText('WARNING');
          changed.push(record);
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      },
      { logRecordLimits: { attributeCountLimit: 3 } },
    );
    loggerOf(p).info('m', { n: 1 });
    const record = changed[0]!;
    expect(record.attributes).toEqual({ n: 1, added: 'yes', more: 1 });
    expect(record.body).toEqual({ structured: true });
    expect(record.eventName).toBe('disk.full');
    expect(record.severityText).toBe('WARNING');
    expect(warnings).toContain('Invalid attribute value set for key: bad');
    // Read-only once emitted: past the limit, yet not even counted as dropped.
    record.setAttribute('x', 1);
    expect(record.droppedAttributesCount).toBe(0);
  });

  it('should count attributes dropped past the limit as the SDK does', () => {
    const limited: ReadWriteLogRecord[] = [];
    const p = provider(
      {
        onEmit: (record) => {
          record.setAttribute('b', 2);
          record.setAttribute('c', 3);
          limited.push(record);
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      },
      { logRecordLimits: { attributeCountLimit: 2 } },
    );
    loggerOf(p).info('m', { a: 1 });
    expect(limited[0]!.attributes).toEqual({ a: 1, b: 2 });
    expect(limited[0]!.droppedAttributesCount).toBe(1);
    expect(warnings).toContain('Dropping extra attributes.');
  });

  it('should refuse an empty attribute key with the SDK warning and keep the rest', () => {
    const { processor, seen } = capture();
    loggerOf(provider(processor)).info('m', { '': 'empty', kept: 1 });
    expect(seen[0]!.record.attributes).toEqual({ kept: 1 });
    expect(warnings).toContain('Invalid attribute key: ');
  });

  it('should keep an attribute named __proto__ as an own attribute', () => {
    const { processor, seen } = capture();
    loggerOf(provider(processor)).info('m', JSON.parse('{"__proto__": "x", "a": 1}'));
    const attributes = seen[0]!.record.attributes;
    expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
  });

  it('should emit nothing once the provider is shut down', async () => {
    const { processor, seen } = capture();
    const p = provider(processor);
    const log = loggerOf(p);
    log.info('before');
    await p.shutdown();
    log.info('after');
    expect(seen.map((s) => s.record.body)).toEqual(['before']);
  });

  it("should follow the logger's LoggerConfig: disabled, minimum severity, trace-based", () => {
    const { processor, seen } = capture();
    const p = provider(processor, {
      loggerConfigurator: createLoggerConfigurator([
        { pattern: 'off', config: { enabled: false } },
        { pattern: 'warn-up', config: { minimumSeverity: SeverityNumber.WARN } },
        { pattern: 'sampled', config: { traceBased: true } },
      ]),
    });
    loggerOf(p, 'off').error('dropped: disabled');
    loggerOf(p, 'warn-up').info('dropped: below the minimum');
    loggerOf(p, 'warn-up').warn('kept: warn');
    inSpan({ ...SPAN, traceFlags: TraceFlags.NONE }, () =>
      loggerOf(p, 'sampled').info('dropped: unsampled span'),
    );
    inSpan(SPAN, () => loggerOf(p, 'sampled').info('kept: sampled span'));
    loggerOf(p, 'sampled').info('kept: no span');
    expect(seen.map((s) => s.record.body)).toEqual([
      'kept: warn',
      'kept: sampled span',
      'kept: no span',
    ]);
  });

  it("should leave a provider whose processor decides per record to the SDK's path", () => {
    const { processor, seen } = capture();
    let allow = false;
    const p = provider({ ...processor, enabled: () => allow });
    const log = loggerOf(p);
    log.info('refused');
    allow = true;
    log.info('allowed');
    expect(seen.map((s) => s.record.body)).toEqual(['allowed']);
    expect(seen[0]!.record).not.toBeInstanceOf(LogkitLogRecord);
  });

  it('should give child loggers the same path', () => {
    const { processor, seen } = capture();
    loggerOf(provider(processor)).child({ tenant: 't1' }).info('child');
    expect(seen[0]!.record).toBeInstanceOf(LogkitLogRecord);
    expect(seen[0]!.record.attributes).toEqual({ tenant: 't1' });
  });
});
