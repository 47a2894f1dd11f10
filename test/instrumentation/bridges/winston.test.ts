import { trace } from '@opentelemetry/api';
import winston from 'winston';
import Transport from 'winston-transport';
import { describe, expect, it } from 'vitest';
import type { LoggingHandle } from '../../../src/index.js';
import { winstonTransport } from '../../../src/instrumentation/bridges/index.js';
import { useOtlpReceiver } from '../../helpers/useOtlpReceiver.js';

const otlp = useOtlpReceiver();

function register(): LoggingHandle {
  return otlp.register({
    serviceName: 'winston-bridge',
    traces: true,
    handleProcessExit: false,
    level: 'trace',
    metricExportIntervalMillis: 60_000,
  });
}

async function flush(h: LoggingHandle, count: number) {
  await h.forceFlush();
  await otlp.receiver.waitFor(() => otlp.receiver.logs.length >= count);
  return otlp.receiver.logs;
}

describe('winstonTransport', () => {
  it('should emit each npm level with body, meta, defaultMeta, child fields and the caller span ids', async () => {
    const h = register();
    const log = winston.createLogger({
      level: 'silly',
      defaultMeta: { service: 'checkout' },
      transports: [winstonTransport(h, { category: 'system' })],
    });
    let traceId = '';
    let spanId = '';
    trace.getTracer('t').startActiveSpan('work', (span) => {
      ({ traceId, spanId } = span.spanContext());
      log.error('e');
      log.warn('w');
      log.info('order placed', { 'order.id': 42, nested: { k: 'v' } });
      log.http('h');
      log.verbose('v');
      log.debug('d');
      log.silly('s');
      log.child({ reqId: 'r-1' }).info('login', { password: 'hunter2' });
      span.end();
    });
    log.info('outside');
    const logs = await flush(h, 9);

    expect(logs.map((r) => [r.severityNumber, r.severityText, r.body])).toEqual([
      [17, 'ERROR', 'e'],
      [13, 'WARN', 'w'],
      [9, 'INFO', 'order placed'],
      [8, 'HTTP', 'h'],
      [7, 'VERBOSE', 'v'],
      [5, 'DEBUG', 'd'],
      [1, 'SILLY', 's'],
      [9, 'INFO', 'login'],
      [9, 'INFO', 'outside'],
    ]);
    for (const record of logs.slice(0, 8)) {
      expect(record).toMatchObject({ traceId, spanId });
      expect(record.scope.name).toBe('winston');
      expect(record.attributes).toMatchObject({ 'logkit.category': 'system', service: 'checkout' });
      expect(record.attributes).not.toHaveProperty('level');
      expect(record.attributes).not.toHaveProperty('message');
    }
    expect(logs[8]!.traceId).toBeUndefined();
    expect(logs[2]!.attributes).toEqual({
      'logkit.category': 'system',
      service: 'checkout',
      'order.id': 42,
      nested: { k: 'v' },
    });
    expect(logs[7]!.attributes).toMatchObject({ reqId: 'r-1', password: '[REDACTED]' });
  });

  it('should map errors onto exception attributes in each form winston passes them', async () => {
    const h = register();
    const plain = winston.createLogger({ transports: [winstonTransport(h)] });
    const formatted = winston.createLogger({
      format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.json()),
      transports: [winstonTransport(h)],
    });
    let traceId = '';
    trace.getTracer('t').startActiveSpan('fail', (span) => {
      traceId = span.spanContext().traceId;
      plain.error(new TypeError('as info'));
      plain.error('charge failed', new RangeError('as meta'));
      plain.error('wrapped', { err: new SyntaxError('as field'), 'order.id': 7 });
      formatted.error(new TypeError('through format.errors'));
      span.end();
    });
    const logs = await flush(h, 4);
    expect(logs.every((r) => r.traceId === traceId && r.severityNumber === 17)).toBe(true);
    expect(logs.map((r) => r.body)).toEqual([
      'as info',
      'charge failed as meta',
      'wrapped',
      'through format.errors',
    ]);
    expect(
      logs.map((r) => [r.attributes['exception.type'], r.attributes['exception.message']]),
    ).toEqual([
      ['TypeError', 'as info'],
      ['RangeError', 'as meta'],
      ['SyntaxError', 'as field'],
      ['TypeError', 'through format.errors'],
    ]);
    for (const record of logs) {
      expect(record.attributes['exception.stacktrace']).toMatch(/^\w+Error: .+\n\s+at /);
      expect(record.attributes).not.toHaveProperty('stack');
      expect(record.attributes).not.toHaveProperty('err');
    }
    expect(logs[2]!.attributes['order.id']).toBe(7);
  });

  it('should keep splat formatting, timestamps, custom levels and transport options', async () => {
    const h = register();
    const log = winston.createLogger({
      levels: { ...winston.config.npm.levels, audit: 1 },
      level: 'silly',
      format: winston.format.combine(
        winston.format.timestamp(),
        winston.format.splat(),
        winston.format.colorize({ colors: { audit: 'magenta' } }),
      ),
      transports: [winstonTransport(h, { level: 'info', severities: { audit: 14 } })],
    }) as winston.Logger & { audit: winston.LeveledLogMethod };
    const before = Date.now();
    log.info('hello %s', 'world', { extra: true });
    log.debug('filtered out by the transport level');
    log.audit('custom');
    const logs = await flush(h, 2);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({ severityNumber: 9, severityText: 'INFO', body: 'hello world' });
    expect(logs[0]!.attributes).toEqual({ extra: true });
    const timeMs = Number(BigInt(logs[0]!.timeUnixNano) / 1_000_000n);
    expect(timeMs).toBeGreaterThanOrEqual(before - 1);
    expect(timeMs).toBeLessThanOrEqual(Date.now());
    expect(logs[1]).toMatchObject({ severityNumber: 14, severityText: 'AUDIT', body: 'custom' });
  });

  it('should call back, emit logged, and accept the Transport class as an option', async () => {
    const h = register();
    const transport = winstonTransport(h, { Transport });
    expect(transport).toBeInstanceOf(Transport);
    const logged = new Promise((resolve) => transport.once('logged', resolve));
    const log = winston.createLogger({ transports: [transport] });
    log.info('one');
    await expect(logged).resolves.toMatchObject({ message: 'one' });
    const [record] = await flush(h, 1);
    expect(record!.body).toBe('one');
  });

  it('should use the live registration when no handle is given', async () => {
    const log = winston.createLogger({ transports: [winstonTransport()] });
    expect(() => log.info('before registration')).not.toThrow();
    const h = register();
    log.info('after registration');
    const [record] = await flush(h, 1);
    expect(record!.body).toBe('after registration');
    expect(otlp.receiver.logs).toHaveLength(1);
  });
});
