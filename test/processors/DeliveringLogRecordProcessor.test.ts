import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { startCountingReceiver, type CountingReceiver } from '../helpers/countingReceiver.js';
import { recordDiagErrors } from '../helpers/diag.js';

let receiver: CountingReceiver;
let handle: LoggingHandle | undefined;
let root: string;
let spoolDir: string;

function register(options: LoggingOptions = {}): LoggingHandle {
  handle = registerLogging({
    serviceName: 'delivery-test',
    endpoint: receiver.url,
    logsExporter: 'otlp',
    // Only logs: the SDK's metric exporter would retry against a stopped receiver.
    metricsExporter: 'none',
    handleProcessExit: false,
    otlpTimeoutMillis: 1000,
    batch: { scheduledDelayMillis: 100 },
    ...options,
    delivery: { spoolDir, ...options.delivery },
  });
  return handle;
}

function logBurst(h: LoggingHandle, tag: string, count: number, from = 0): void {
  const log = h.getLogger('burst');
  for (let i = from; i < from + count; i++) log.info(`${tag}:${i}`);
}

function otlpHealth(h: LoggingHandle) {
  return h.health().destinations.find((d) => d.name === 'otlp')!;
}

beforeAll(async () => {
  receiver = await startCountingReceiver();
});
afterAll(async () => {
  await receiver.stop();
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logkit-delivery-'));
  spoolDir = join(root, 'spool');
});
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  receiver.setFault({ kind: 'ok' });
  await receiver.start().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
  diag.disable();
  resetReportOnce();
});

/** A reader collected by hand. */
class ManualReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function metricValues(reader: ManualReader): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const out: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics)
      for (const point of metric.dataPoints)
        if (point.attributes['logkit.destination'] === 'otlp')
          out[metric.descriptor.name] = point.value as number;
  return out;
}

describe('DeliveringLogRecordProcessor (the OTLP destination)', () => {
  describe('bursts', () => {
    it('should deliver every record of a burst far past the memory budget once, with memory bounded', async () => {
      const h = register({ delivery: { memoryBudget: 1000 } });
      logBurst(h, 'burst', 30_000);
      // Right after the synchronous burst, at most the budget is in memory.
      expect(otlpHealth(h).queue!.size).toBeLessThanOrEqual(1000);
      await h.forceFlush();
      await receiver.waitFor(() => receiver.total('burst') >= 30_000, 20_000);
      expect(receiver.check('burst', 30_000)).toEqual({ missing: [], duplicated: [] });
      expect(h.stats().dropped).toMatchObject({
        'queue-full': 0,
        'export-failed': 0,
        'spool-full': 0,
      });
      expect(otlpHealth(h)).toMatchObject({ exported: 30_000, spool: { records: 0 } });
      expect(h.health().healthy).toBe(true);
    });

    it('should count drops past the budget as queue-full with the spool off', async () => {
      const h = register({ delivery: { spool: false, memoryBudget: 1000 } });
      logBurst(h, 'nospool', 5000);
      await h.forceFlush();
      const dropped = h.stats().dropped['queue-full'];
      expect(dropped).toBeGreaterThan(0);
      await receiver.waitFor(() => receiver.total('nospool') + dropped >= 5000, 10_000);
      expect(receiver.total('nospool') + dropped).toBe(5000);
      expect(receiver.check('nospool', 0).duplicated).toEqual([]);
      expect(h.health().healthy).toBe(false);
      expect(readdirSync(root)).toEqual([]);
    });
  });

  describe('outages', () => {
    it('should deliver everything once to a receiver that starts late', async () => {
      await receiver.stop();
      const h = register();
      logBurst(h, 'late', 3000);
      await new Promise((r) => setTimeout(r, 600));
      expect(otlpHealth(h).consecutiveFailures).toBeGreaterThan(0);
      expect(otlpHealth(h).spool!.records).toBe(3000);
      expect(h.health().healthy).toBe(false);
      await receiver.start();
      await receiver.waitFor(() => receiver.total('late') >= 3000, 15_000);
      await h.forceFlush();
      expect(receiver.check('late', 3000)).toEqual({ missing: [], duplicated: [] });
      expect(otlpHealth(h).spool!.records).toBe(0);
      expect(h.stats().dropped['export-failed']).toBe(0);
    });

    it('should honour Retry-After on 503 and then deliver everything once', async () => {
      receiver.setFault({ kind: 'status', status: 503, retryAfter: '2' });
      const h = register();
      const base = receiver.requests;
      logBurst(h, 'retry', 2000);
      await receiver.waitFor(() => receiver.requests > base, 5000);
      const firstAt = Date.now();
      const before = receiver.requests;
      await new Promise((r) => setTimeout(r, 1200));
      // Nothing is sent again within the Retry-After delay.
      expect(receiver.requests).toBe(before);
      receiver.setFault({ kind: 'ok' });
      await receiver.waitFor(() => receiver.total('retry') >= 2000, 15_000);
      expect(Date.now() - firstAt).toBeGreaterThanOrEqual(1900);
      expect(receiver.check('retry', 2000)).toEqual({ missing: [], duplicated: [] });
    });

    it('should retry a receiver that hangs past the timeout, losing and repeating nothing', async () => {
      receiver.setFault({ kind: 'hang' });
      const h = register({ otlpTimeoutMillis: 300 });
      logBurst(h, 'hang', 2000);
      await receiver.waitFor(() => otlpHealth(h).consecutiveFailures > 0, 5000);
      expect(otlpHealth(h).lastError).toMatch(/timed out/);
      receiver.setFault({ kind: 'ok' });
      await receiver.waitFor(() => receiver.total('hang') >= 2000, 15_000);
      expect(receiver.check('hang', 2000)).toEqual({ missing: [], duplicated: [] });
    });

    it('should retry a receiver that closes the connection mid-body', async () => {
      receiver.setFault({ kind: 'close-mid-body' });
      const h = register();
      logBurst(h, 'close', 2000);
      await receiver.waitFor(() => otlpHealth(h).consecutiveFailures > 0, 5000);
      receiver.setFault({ kind: 'ok' });
      await receiver.waitFor(() => receiver.total('close') >= 2000, 15_000);
      expect(receiver.check('close', 2000)).toEqual({ missing: [], duplicated: [] });
    });

    it('should drop a batch the endpoint rejects for good (400), counted, without retrying it', async () => {
      receiver.setFault({ kind: 'status', status: 400 });
      const errors = recordDiagErrors();
      const h = register();
      const base = receiver.requests;
      logBurst(h, 'bad', 10);
      await h.forceFlush();
      expect(h.stats().dropped['export-failed']).toBe(10);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.requests - base).toBe(1);
      expect(errors.mock.calls.map((c) => c[0]).join('\n')).toMatch(/rejected a batch/);
    });
  });

  describe('visibility', () => {
    it('should report the spool in health() and as metrics, and turn unhealthy when it waits too long', async () => {
      await receiver.stop();
      const reader = new ManualReader();
      const h = register({ metricReaders: [reader], delivery: { unhealthyAfterMillis: 200 } });
      logBurst(h, 'seen', 1000);
      await h.forceFlush();
      const spool = otlpHealth(h).spool!;
      expect(spool).toMatchObject({ dir: spoolDir, usable: true, records: 1000, segments: 1 });
      expect(spool.bytes).toBeGreaterThan(1000);
      expect(await metricValues(reader)).toMatchObject({
        'logkit.spool.records': 1000,
        'logkit.spool.size': spool.bytes,
        'logkit.spool.segments': 1,
        'logkit.delivery.memory.records': 0,
      });
      // Failing now, and later also because the backlog is older than 200 ms.
      expect(h.health().healthy).toBe(false);
      await receiver.start();
      await receiver.waitFor(() => receiver.total('seen') >= 1000, 15_000);
      await h.forceFlush();
      expect(otlpHealth(h).spool).toMatchObject({ records: 0, oldestAgeMillis: 0 });
      expect(otlpHealth(h).spool!.replayRatePerSecond).toBeGreaterThanOrEqual(0);
      expect(h.health().healthy).toBe(true);
      expect((await metricValues(reader))['logkit.spool.records']).toBe(0);
    });
  });

  describe('forceFlush and shutdown', () => {
    it('should resolve forceFlush at the first failure, with the records in the spool', async () => {
      await receiver.stop();
      const h = register();
      logBurst(h, 'flush', 100);
      await h.forceFlush();
      expect(otlpHealth(h).spool!.records).toBe(100);
      // A second flush during the back-off returns at once.
      const started = Date.now();
      await h.forceFlush();
      expect(Date.now() - started).toBeLessThan(500);
    });

    it('should shut down during an outage within the deadline, and the next registration sends the rest once', async () => {
      await receiver.stop();
      const first = register({ delivery: { deadlineMillis: 1000 } });
      logBurst(first, 'restart', 5000);
      const started = Date.now();
      await first.shutdown();
      expect(Date.now() - started).toBeLessThan(3000);
      handle = undefined;
      expect(readdirSync(spoolDir).some((n) => n.endsWith('.seg'))).toBe(true);
      expect(readdirSync(spoolDir).some((n) => n.endsWith('.lock'))).toBe(false);

      await receiver.start();
      const second = register();
      await second.forceFlush();
      await receiver.waitFor(() => receiver.total('restart') >= 5000, 15_000);
      expect(receiver.check('restart', 5000)).toEqual({ missing: [], duplicated: [] });
      expect(otlpHealth(second).spool).toMatchObject({ records: 0, adopted: 1 });
    });
  });
});
