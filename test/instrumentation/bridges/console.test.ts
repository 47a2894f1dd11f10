import { diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LoggingHandle, LoggingOptions } from '../../../src/index.js';
import { captureConsole } from '../../../src/instrumentation/bridges/index.js';
import { useOtlpReceiver } from '../../helpers/useOtlpReceiver.js';

const otlp = useOtlpReceiver();

let restore: (() => void) | undefined;

afterEach(async () => {
  diag.disable();
  restore?.();
  restore = undefined;
  vi.restoreAllMocks();
  await otlp.handle?.shutdown();
});

function register(options: Partial<LoggingOptions> = {}): LoggingHandle {
  return otlp.register({
    serviceName: 'console-bridge',
    traces: true,
    handleProcessExit: false,
    level: 'debug',
    metricExportIntervalMillis: 60_000,
    ...options,
  });
}

async function flush(h: LoggingHandle, count: number) {
  await h.forceFlush();
  await otlp.receiver.waitFor(() => otlp.receiver.logs.length >= count);
  return otlp.receiver.logs;
}

/** Replaces the console methods with silent spies, which the capture then wraps. */
function silenceConsole() {
  return {
    log: vi.spyOn(console, 'log').mockImplementation(() => {}),
    info: vi.spyOn(console, 'info').mockImplementation(() => {}),
    warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
    error: vi.spyOn(console, 'error').mockImplementation(() => {}),
    debug: vi.spyOn(console, 'debug').mockImplementation(() => {}),
  };
}

/**
 * An app's diag logger that looks `console` up on each call (the API's own
 * DiagConsoleLogger uses the console methods saved when it loaded, so it
 * bypasses the capture anyway), so what it prints goes through the capture.
 */
function setConsoleDiagLogger(level: DiagLogLevel): void {
  const print =
    (method: 'error' | 'warn' | 'info' | 'debug') =>
    (message: string, ...args: unknown[]) =>
      console[method](message, ...args);
  diag.setLogger(
    {
      error: print('error'),
      warn: print('warn'),
      info: print('info'),
      debug: print('debug'),
      verbose: print('debug'),
    },
    level,
  );
}

describe('captureConsole', () => {
  it('should capture each method at its level with the formatted message and the caller span ids, and still print', async () => {
    const h = register();
    const spies = silenceConsole();
    restore = captureConsole(h, { category: 'system' });
    let traceId = '';
    let spanId = '';
    const error = new TypeError('bad input');
    trace.getTracer('t').startActiveSpan('work', (span) => {
      ({ traceId, spanId } = span.spanContext());
      console.log('hello %s, %d items', 'world', 3, { a: 1 });
      console.info('info');
      console.warn('disk at %d%%', 91);
      console.error('failed:', error);
      console.debug('debug');
      span.end();
    });
    const logs = await flush(h, 5);
    expect(logs.map((r) => [r.severityNumber, r.severityText, r.body])).toEqual([
      [9, 'INFO', 'hello world, 3 items { a: 1 }'],
      [9, 'INFO', 'info'],
      [13, 'WARN', 'disk at 91%'],
      [17, 'ERROR', 'failed: TypeError: bad input'],
      [5, 'DEBUG', 'debug'],
    ]);
    for (const record of logs) {
      expect(record).toMatchObject({ traceId, spanId });
      expect(record.scope.name).toBe('console');
      expect(record.attributes['logkit.category']).toBe('system');
    }
    expect(logs[3]!.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
    });
    expect(logs[3]!.attributes['exception.stacktrace']).toMatch(/^TypeError: bad input\n/);
    expect(spies.log).toHaveBeenCalledWith('hello %s, %d items', 'world', 3, { a: 1 });
    expect(spies.error).toHaveBeenCalledWith('failed:', error);
    expect(spies.debug).toHaveBeenCalledTimes(1);
  });

  it('should restore the original methods and stop capturing', async () => {
    const h = register();
    const spies = silenceConsole();
    restore = captureConsole(h, { methods: ['log'] });
    expect(console.log).not.toBe(spies.log);
    expect(console.warn).toBe(spies.warn);
    console.warn('not captured: method not selected');
    console.log('captured');
    restore();
    restore(); // idempotent
    expect(console.log).toBe(spies.log);
    console.log('after restore');
    const logs = await flush(h, 1);
    await h.forceFlush();
    expect(logs.map((r) => r.body)).toEqual(['captured']);
    expect(spies.log).toHaveBeenCalledTimes(2);
  });

  it('should be idempotent: a second install returns the first restore and calls are captured once', async () => {
    const h = register();
    silenceConsole();
    restore = captureConsole(h);
    const again = captureConsole(h, { category: 'user' });
    expect(again).toBe(restore);
    console.log('once');
    const logs = await flush(h, 1);
    await h.forceFlush();
    expect(logs).toHaveLength(1);
    expect(h.stats().received).toBe(1);
    restore();
    const reinstalled = captureConsole(h);
    expect(reinstalled).not.toBe(restore);
    restore = reinstalled;
  });

  it('should not print captured calls with passThrough false, but print when nothing is registered or after shutdown', async () => {
    const spies = silenceConsole();
    restore = captureConsole(undefined, { passThrough: false });
    console.log('no registration yet');
    expect(spies.log).toHaveBeenCalledTimes(1);
    const h = register();
    console.log('captured only');
    expect(spies.log).toHaveBeenCalledTimes(1);
    const logs = await flush(h, 1);
    expect(logs.map((r) => r.body)).toEqual(['captured only']);
    restore();
    restore = captureConsole(h, { passThrough: false });
    console.log('captured only, again');
    expect(spies.log).toHaveBeenCalledTimes(1);
    await h.shutdown();
    console.log('after shutdown');
    expect(spies.log).toHaveBeenLastCalledWith('after shutdown');
  });

  it('should not loop with the console exporter on and a step that prints while emitting', async () => {
    const spies = silenceConsole();
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const h = register({
      logsExporter: ['console', 'otlp'],
      steps: [
        'enrich',
        function printingStep(record) {
          console.warn('step saw', record.body);
          diag.debug('otel-logkit test: a diag message while emitting');
          return record;
        },
        'redact',
        'limit',
        'sample',
      ],
    });
    setConsoleDiagLogger(DiagLogLevel.ALL);
    restore = captureConsole(h, { passThrough: false });
    for (let i = 0; i < 3; i++) console.log(`message ${i}`);
    const logs = await flush(h, 3);
    await h.forceFlush();
    expect(logs.map((r) => r.body)).toEqual(['message 0', 'message 1', 'message 2']);
    expect(h.stats().received).toBe(3);
    // what the step and diag printed while emitting went to the original methods
    expect(spies.warn).toHaveBeenCalledTimes(3);
    expect(spies.warn).toHaveBeenCalledWith('step saw', 'message 0');
    expect(spies.debug).toHaveBeenCalledWith('otel-logkit test: a diag message while emitting');
    // the console exporter printed each record once, to the stream, not through console
    const lines = stdout.mock.calls.map(([chunk]) => String(chunk)).join('');
    for (let i = 0; i < 3; i++) {
      expect(lines.split(`message ${i}`)).toHaveLength(2);
    }
  });

  it('should not capture what a console-printing diag logger prints when an export fails', async () => {
    const spies = silenceConsole();
    setConsoleDiagLogger(DiagLogLevel.WARN);
    otlp.receiver.setStatus(400);
    const h = register();
    restore = captureConsole(h);
    console.log('will be rejected');
    await h.forceFlush();
    await otlp.receiver.waitFor(
      () => (otlp.receiver.requests['/v1/logs application/x-protobuf'] ?? 0) > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.forceFlush();
    expect(spies.error).toHaveBeenCalled();
    expect(h.stats().received).toBe(1);
    expect(h.stats().dropped['export-failed']).toBe(1);
  });

  it('should reject an unknown method', () => {
    expect(() => captureConsole(undefined, { methods: ['trace' as 'log'] })).toThrow(/trace/);
    expect(captureConsole(undefined)).toBeTypeOf('function');
    restore = captureConsole(undefined);
  });
});
