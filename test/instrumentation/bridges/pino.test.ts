import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { LoggingHandle } from '../../../src/index.js';
import { pinoDestination } from '../../../src/instrumentation/bridges/index.js';
import { useOtlpReceiver } from '../../helpers/useOtlpReceiver.js';

const otlp = useOtlpReceiver();

function register(level = 'trace'): LoggingHandle {
  return otlp.register({
    serviceName: 'pino-bridge',
    traces: true,
    handleProcessExit: false,
    level,
    metricExportIntervalMillis: 60_000,
  });
}

async function flush(h: LoggingHandle, count: number) {
  await h.forceFlush();
  await otlp.receiver.waitFor(() => otlp.receiver.logs.length >= count);
  return otlp.receiver.logs;
}

describe('pinoDestination', () => {
  it('should emit each pino line with severity, body, bindings, time and the caller span ids', async () => {
    const h = register();
    const log = pino({ level: 'trace' }, pinoDestination(h, { category: 'system' }));
    let traceId = '';
    let spanId = '';
    const before = Date.now();
    trace.getTracer('t').startActiveSpan('work', (span) => {
      ({ traceId, spanId } = span.spanContext());
      log.trace('t');
      log.debug('d');
      log.info({ 'order.id': 42, nested: { k: 'v' } }, 'order %s', 'placed');
      log.child({ reqId: 'r-1' }).warn({ password: 'hunter2' }, 'login');
      log.error('e');
      log.fatal('f');
      span.end();
    });
    log.info('outside');
    const logs = await flush(h, 7);

    expect(logs.map((r) => [r.severityNumber, r.severityText, r.body])).toEqual([
      [1, 'TRACE', 't'],
      [5, 'DEBUG', 'd'],
      [9, 'INFO', 'order placed'],
      [13, 'WARN', 'login'],
      [17, 'ERROR', 'e'],
      [21, 'FATAL', 'f'],
      [9, 'INFO', 'outside'],
    ]);
    for (const record of logs.slice(0, 6)) {
      expect(record).toMatchObject({ traceId, spanId });
      expect(record.scope.name).toBe('pino');
      expect(record.attributes['logkit.category']).toBe('system');
      expect(record.attributes).not.toHaveProperty('pid');
      expect(record.attributes).not.toHaveProperty('hostname');
      expect(record.attributes).not.toHaveProperty('level');
      expect(record.attributes).not.toHaveProperty('time');
      expect(record.attributes).not.toHaveProperty('msg');
    }
    expect(logs[6]!.traceId).toBeUndefined();
    expect(logs[2]!.attributes).toEqual({
      'logkit.category': 'system',
      'order.id': 42,
      nested: { k: 'v' },
    });
    expect(logs[3]!.attributes).toMatchObject({ reqId: 'r-1', password: '[REDACTED]' });
    const timeMs = Number(BigInt(logs[0]!.timeUnixNano) / 1_000_000n);
    expect(timeMs).toBeGreaterThanOrEqual(before);
    expect(timeMs).toBeLessThanOrEqual(Date.now());
  });

  it('should map a serialised error onto exception attributes, keeping its other fields', async () => {
    const h = register();
    const log = pino(pinoDestination(h));
    trace.getTracer('t').startActiveSpan('fail', (span) => {
      log.error(new TypeError('bad input'));
      const withCode = Object.assign(new RangeError('too big'), { code: 'E_RANGE' });
      log.error({ err: withCode, 'order.id': 7 }, 'charge failed');
      span.end();
    });
    const [first, second] = await flush(h, 2);
    expect(first).toMatchObject({ severityNumber: 17, body: 'bad input' });
    expect(first!.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
    });
    expect(first!.attributes['exception.stacktrace']).toMatch(/^TypeError: bad input\n\s+at /);
    expect(first!.attributes).not.toHaveProperty('err');
    expect(second!.body).toBe('charge failed');
    expect(second!.attributes).toMatchObject({
      'exception.type': 'RangeError',
      'exception.message': 'too big',
      err: { code: 'E_RANGE' },
      'order.id': 7,
    });
  });

  it('should map custom levels to the nearest standard level, named as pino names them', async () => {
    const h = register();
    const customLevels = { audit: 35, notice: 32, critical: 55 };
    const log = pino({ level: 'trace', customLevels }, pinoDestination(h, { customLevels }));
    log.audit('a');
    log.notice('n');
    log.critical('c');
    const logs = await flush(h, 3);
    expect(logs.map((r) => [r.severityNumber, r.severityText])).toEqual([
      [13, 'AUDIT'], // tie between 30 and 40: the more severe
      [9, 'NOTICE'],
      [21, 'CRITICAL'],
    ]);
  });

  it('should read level labels, ISO times, and other message keys; keep pid/hostname when asked', async () => {
    const h = register();
    const log = pino(
      {
        messageKey: 'message',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      pinoDestination(h, { messageKey: 'message', dropKeys: [] }),
    );
    log.warn('labelled');
    const [record] = await flush(h, 1);
    expect(record).toMatchObject({ severityNumber: 13, severityText: 'WARN', body: 'labelled' });
    expect(record!.attributes).toMatchObject({ pid: process.pid });
    expect(record!.attributes).toHaveProperty('hostname');
  });

  it('should drop records below the registration level and emit non-JSON lines as they are', async () => {
    const h = register('info');
    const destination = pinoDestination(h);
    const log = pino({ level: 'trace' }, destination);
    log.debug('dropped');
    destination.write('not json\n{"level":30,"msg":"a"}\n{"level":30,"msg":"b"}\n');
    const logs = await flush(h, 3);
    expect(logs.map((r) => r.body)).toEqual(['not json', 'a', 'b']);
    expect(logs[0]!.severityNumber).toBe(0);
  });

  it('should use the live registration when no handle is given, and drop records without one', async () => {
    const destination = pinoDestination(undefined, { category: 'user' });
    const log = pino(destination);
    expect(() => log.info('before registration')).not.toThrow();
    const h = register();
    log.info('after registration');
    const [record] = await flush(h, 1);
    expect(record!.body).toBe('after registration');
    expect(record!.attributes['logkit.category']).toBe('user');
    expect(otlp.receiver.logs).toHaveLength(1);
  });
});
