import { logs, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { getLoggingHandle, registerLogging } from '../../src/index.js';
import { captureLogs, type CapturedLogs } from '../../src/testing/index.js';

let capture: CapturedLogs | undefined;
afterEach(async () => {
  await capture?.shutdown();
  capture = undefined;
});

describe('captureLogs', () => {
  it('should return the records as exported: after redaction, with level, scope and attributes', async () => {
    capture = captureLogs();
    capture.handle.getLogger('checkout').info('login', { password: 'hunter2', user: 'ada' });
    const [record, ...rest] = await capture.records();
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({
      body: 'login',
      severityText: 'INFO',
      severityNumber: 9,
      scope: 'checkout',
      attributes: { password: '[REDACTED]', user: 'ada' },
    });
    expect(JSON.stringify(record?.attributes)).not.toContain('hunter2');
  });

  it('should show sampling: records the pipeline drops are not captured', async () => {
    capture = captureLogs({ sampling: { ratio: 0 } });
    const log = capture.handle.getLogger('s');
    log.info('sampled away');
    log.error('kept: at or above the floor');
    const bodies = (await capture.records()).map((r) => r.body);
    expect(bodies).toEqual(['kept: at or above the floor']);
    expect(capture.handle.stats().dropped.sampled).toBe(1);
  });

  it('should capture plain Logs API records with the span ids', async () => {
    capture = captureLogs({ traces: true });
    const tracer = trace.getTracer('t');
    const ids = tracer.startActiveSpan('work', (span) => {
      logs.getLogger('plain').emit({ severityNumber: 13, body: 'from the API' });
      span.end();
      return span.spanContext();
    });
    const [record] = await capture.records();
    expect(record).toMatchObject({
      body: 'from the API',
      scope: 'plain',
      traceId: ids.traceId,
      spanId: ids.spanId,
    });
  });

  it('should clear, and start afresh after shutdown', async () => {
    capture = captureLogs();
    capture.handle.getLogger('a').info('one');
    expect(await capture.records()).toHaveLength(1);
    capture.clear();
    expect(await capture.records()).toHaveLength(0);
    await capture.shutdown();
    expect(getLoggingHandle()).toBeUndefined();
    capture = captureLogs({ serviceName: 'second' });
    capture.handle.getLogger('b').info('two');
    const [record] = await capture.records();
    expect(record?.raw.resource.attributes['service.name']).toBe('second');
  });

  it('should refuse to capture over a live registration, naming the fix', async () => {
    const handle = registerLogging({ logsExporter: 'none', handleProcessExit: false });
    try {
      expect(() => captureLogs()).toThrow(/shut the other one down first/);
    } finally {
      await handle.shutdown();
    }
  });

  it('should shut down at the end of an `await using` scope', async () => {
    {
      await using scoped = captureLogs();
      scoped.handle.getLogger('x').warn('scoped');
      expect(await scoped.records()).toHaveLength(1);
    }
    expect(getLoggingHandle()).toBeUndefined();
  });
});
