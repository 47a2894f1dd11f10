import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { startCountingReceiver, type CountingReceiver } from '../helpers/countingReceiver.js';
import { recordDiagErrors } from '../helpers/diag.js';
import { CAN_MOUNT, mountTmpfs, remountTmpfs, unmountTmpfs } from '../helpers/tmpfs.js';
import { DeliveringLogRecordProcessor } from '../../src/processors/DeliveringLogRecordProcessor.js';
import { getLogsEncoder } from '../../src/exporters/spool/LogsEncoder.js';
import { Spool } from '../../src/exporters/spool/Spool.js';
import { scanFrames } from '../../src/exporters/spool/spoolFormat.js';

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
const mounts: string[] = [];

/** A tmpfs of `sizeKb` KiB at `<root>/mnt`, unmounted after the test. */
function tmpfs(sizeKb: number): string {
  const mnt = join(root, 'mnt');
  mkdirSync(mnt);
  mountTmpfs(mnt, sizeKb);
  mounts.push(mnt);
  return mnt;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  for (const m of mounts.splice(0)) unmountTmpfs(m);
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

  describe('damaged spool', () => {
    it('should skip a damaged batch left by a previous process, count and report it, and send the rest once', async () => {
      await receiver.stop();
      const first = register({ delivery: { deadlineMillis: 500 } });
      logBurst(first, 'dmg', 1000);
      await first.shutdown();
      handle = undefined;
      const [name, ...others] = readdirSync(spoolDir).filter((n) => n.endsWith('.seg'));
      expect(others).toEqual([]);
      const path = join(spoolDir, name!);
      const data = readFileSync(path);
      const frames = scanFrames(data).frames;
      expect(frames.length).toBeGreaterThan(1);
      // A flipped byte in the first batch's payload, and garbage after the last.
      const at = frames[0]!.offset + 40;
      data[at] = data[at]! ^ 0xff;
      writeFileSync(path, Buffer.concat([data, Buffer.from('garbage')]));

      await receiver.start();
      const errors = recordDiagErrors();
      const second = register();
      await second.forceFlush();
      const lost = frames[0]!.records;
      await receiver.waitFor(() => receiver.total('dmg') >= 1000 - lost, 15_000);
      const { missing, duplicated } = receiver.check('dmg', 1000);
      expect(duplicated).toEqual([]);
      // The first batch holds the oldest records (check() lists 20 and the count).
      expect(missing).toEqual([...Array.from({ length: 20 }, (_, i) => i), -lost]);
      expect(second.stats().dropped['spool-damaged']).toBe(lost);
      expect(otlpHealth(second).spool).toMatchObject({
        records: 0,
        damaged: { records: lost },
      });
      expect(errors.mock.calls.map((c) => c[0]).join('\n')).toMatch(/damaged byte/);
    });
  });

  describe('dead processes', () => {
    it('should adopt, while running, the segments of a process that died after it started, and send them once', async () => {
      const dir = spoolDir;
      const sent: string[] = [];
      const exported: number[] = [];
      const processor = new DeliveringLogRecordProcessor({
        encoder: getLogsEncoder('http/protobuf'),
        sender: {
          send: (body) => {
            sent.push(Buffer.from(body).toString('utf8'));
            return Promise.resolve({ kind: 'ok' });
          },
        },
        // Adoption runs every staleLockMillis (30 s by default).
        spool: { dir, maxBytes: 1024 * 1024, encoding: 'protobuf', staleLockMillis: 1500 },
        observer: { exported: (n) => exported.push(n), failed: () => {}, dropped: () => {} },
        memoryBudget: 100,
        maxBatchSize: 10,
        scheduledDelayMillis: 50,
        shutdownDeadlineMillis: 1000,
      });
      try {
        await processor.forceFlush();
        expect(processor.spoolStats()).toMatchObject({ records: 0, adopted: 0 });
        // Another process spools two batches, then dies (kill -9: its lock stays).
        const other = new Spool({ dir, maxBytes: 1024 * 1024, encoding: 'protobuf' });
        other.open();
        other.append(new TextEncoder().encode('dead-one'), 3);
        other.append(new TextEncoder().encode('dead-two'), 4);
        const dead = String(
          spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
            encoding: 'utf8',
          }).stdout,
        );
        // Its files, renamed (atomically) to a pid that is gone: the lock first.
        const files = readdirSync(dir)
          .filter((n) => n.includes(other.owner))
          .sort((a) => (a.endsWith('.lock') ? -1 : 1));
        for (const n of files) {
          renameSync(join(dir, n), join(dir, n.replace(other.owner, `${dead}.0badf00d`)));
        }
        other.close();
        await vi.waitFor(() => expect(sent).toEqual(['dead-one', 'dead-two']), {
          timeout: 8000,
          interval: 50,
        });
        expect(exported.reduce((a, b) => a + b, 0)).toBe(7);
        expect(processor.spoolStats()).toMatchObject({ records: 0, adopted: 1 });
        expect(readdirSync(dir).filter((n) => n.endsWith('.seg'))).toEqual([]);
        // The adopted records counted in and out: a flush has nothing to wait for.
        const started = Date.now();
        await processor.forceFlush();
        expect(Date.now() - started).toBeLessThan(200);
      } finally {
        await processor.shutdown();
      }
    });
  });

  // Real disks: a full tmpfs (ENOSPC) and a read-only one (EROFS).
  describe.skipIf(!CAN_MOUNT && !process.env.CI)('disk errors', () => {
    it('should fall back to memory on a full disk with counted drops, report once, and spool again once space is freed', async () => {
      const mnt = tmpfs(512);
      const filler = join(mnt, 'filler');
      for (let n = 0; n < 1000; n++) {
        try {
          writeFileSync(filler, new Uint8Array(4096), { flag: 'a' });
        } catch {
          break;
        }
      }
      spoolDir = join(mnt, 'spool');
      await receiver.stop();
      const errors = recordDiagErrors();
      const h = register({ delivery: { memoryBudget: 1000 } });
      expect(() => logBurst(h, 'full', 3000)).not.toThrow();
      await h.forceFlush();
      expect(otlpHealth(h).spool!.usable).toBe(false);
      const dropped = () => h.stats().dropped['queue-full'] + h.stats().dropped['export-failed'];
      expect(dropped()).toBeGreaterThanOrEqual(2000);
      const messages = () => errors.mock.calls.map((c) => c[0]);
      expect(messages().filter((m) => /cannot be used \(ENOSPC\)/.test(m))).toHaveLength(1);

      // Space freed: after the spool's retry delay (5 s) a burst is spooled again.
      rmSync(filler);
      await sleep(5200);
      const before = dropped();
      logBurst(h, 'freed', 3000);
      await h.forceFlush();
      expect(otlpHealth(h).spool).toMatchObject({ usable: true });
      expect(dropped()).toBe(before);
      await receiver.start();
      // The flush tries the endpoint at once, not after our back-off.
      await h.forceFlush();
      await receiver.waitFor(() => receiver.total('freed') >= 3000, 20_000);
      expect(receiver.check('freed', 3000)).toEqual({ missing: [], duplicated: [] });
      // Every record of the first burst was delivered or counted.
      expect(receiver.total('full') + before).toBe(3000);
      expect(receiver.check('full', 0).duplicated).toEqual([]);
      expect(messages().filter((m) => /cannot be used/.test(m))).toHaveLength(1);
    }, 40_000);

    it('should keep in memory, not drop, the batch the disk refused when it filled mid-burst, and deliver it once', async () => {
      // A spool usable at start whose disk fills during the burst: the batch
      // whose append failed waits in memory (encoded) with the rest; only
      // records past the memory budget are dropped, as queue-full.
      const mnt = tmpfs(32);
      spoolDir = join(mnt, 'spool');
      await receiver.stop();
      const h = register({ delivery: { memoryBudget: 200 } });
      logBurst(h, 'filling', 2000);
      await h.forceFlush();
      expect(otlpHealth(h).spool!.usable).toBe(false);
      expect(h.stats().dropped['export-failed']).toBe(0);
      const queueFull = h.stats().dropped['queue-full'];
      expect(queueFull).toBeGreaterThan(0);
      await receiver.start();
      await h.forceFlush();
      await receiver.waitFor(() => receiver.total('filling') + queueFull >= 2000, 20_000);
      expect(receiver.total('filling') + queueFull).toBe(2000);
      expect(receiver.check('filling', 0).duplicated).toEqual([]);
      expect(h.stats().dropped['export-failed']).toBe(0);
    }, 40_000);

    it('should fall back to memory on a read-only spool directory, with counted drops and one report', async () => {
      const mnt = tmpfs(256);
      spoolDir = join(mnt, 'spool');
      mkdirSync(spoolDir);
      remountTmpfs(mnt, 'ro');
      await receiver.stop();
      const errors = recordDiagErrors();
      const h = register({ delivery: { memoryBudget: 1000 } });
      expect(() => logBurst(h, 'ro', 3000)).not.toThrow();
      await h.forceFlush();
      expect(otlpHealth(h).spool!.usable).toBe(false);
      const dropped = h.stats().dropped['queue-full'] + h.stats().dropped['export-failed'];
      expect(dropped).toBeGreaterThanOrEqual(2000);
      await receiver.start();
      logBurst(h, 'ro-up', 500);
      await h.forceFlush();
      await receiver.waitFor(() => receiver.total('ro-up') >= 500, 15_000);
      await h.shutdown();
      const total = h.stats().dropped['queue-full'] + h.stats().dropped['export-failed'];
      expect(receiver.total('ro') + total).toBe(3000);
      expect(receiver.check('ro-up', 500)).toEqual({ missing: [], duplicated: [] });
      const reports = errors.mock.calls.map((c) => c[0]).filter((m) => /cannot be used/.test(m));
      expect(reports).toEqual([expect.stringMatching(/\(EROFS\)/)]);
    }, 30_000);
  });
});
