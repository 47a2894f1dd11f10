import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import {
  InMemoryLogRecordExporter,
  type LogRecordExporter,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';

// User destinations (`destinations`) through the delivery path: records wait
// in memory as objects and go to the user's exporter as they are; past the
// memory budget or after a failed export they are spooled as OTLP/JSON and
// decoded back into records when they are sent.

let handle: LoggingHandle | undefined;
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logkit-user-dest-'));
});
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  rmSync(root, { recursive: true, force: true });
});

function register(options: LoggingOptions): LoggingHandle {
  handle = registerLogging({
    serviceName: 'user-destination-test',
    logsExporter: 'none',
    metricsExporter: 'none',
    handleProcessExit: false,
    batch: { scheduledDelayMillis: 50 },
    ...options,
    delivery: { spoolDir: join(root, 'spool'), ...options.delivery },
  });
  return handle;
}

function health(h: LoggingHandle, name: string) {
  return h.health().destinations.find((d) => d.name === name)!;
}

/** How often each `<tag>:<i>` body was exported. */
function tally(records: readonly ReadableLogRecord[], tag: string, count: number) {
  const seen = new Uint16Array(count);
  for (const r of records) {
    if (typeof r.body === 'string' && r.body.startsWith(`${tag}:`))
      seen[Number(r.body.slice(tag.length + 1))]!++;
  }
  return {
    missing: seen.filter((n) => n === 0).length,
    duplicated: seen.filter((n) => n > 1).length,
  };
}

async function waitFor(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('user destinations through the delivery path', () => {
  it('should hand records cut from memory to the exporter as they are, without an encode and a decode', async () => {
    // The record a user processor sees and the one the exporter gets share
    // their Resource and attribute values: the JSON round trip would make
    // new objects (it runs only for batches that had to be spooled).
    const mine = new InMemoryLogRecordExporter();
    let seen: ReadableLogRecord['resource'] | undefined;
    const order = { id: 'o-1', items: [1, 2] };
    const h = register({
      destinations: { mine },
      logRecordProcessors: [
        {
          onEmit: (r) => void (seen ??= r.resource),
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
      ],
    });
    h.getLogger('identity').info('one', { order });
    await h.forceFlush();
    const [record] = mine.getFinishedLogRecords();
    expect(record!.body).toBe('one');
    expect(record!.resource).toBe(seen);
    expect(record!.attributes['order']).toEqual(order);
  });

  it('should hand the exporter records equal to those logged', async () => {
    const mine = new InMemoryLogRecordExporter();
    const h = register({ destinations: { mine } });
    const log = h.getLogger('fidelity', { version: '1.2.3' });
    trace.getTracer('t').startActiveSpan('work', (span) => {
      log.warn('values', {
        'a.int': 42,
        'a.double': 1.5,
        'a.bool': true,
        'a.list': ['x', 'y'],
      });
      span.end();
    });
    log.info('nested', { 'a.map': { n: 1, s: 'two', bytes: new Uint8Array([1, 2]) } });
    await h.forceFlush();
    const [first, second] = mine.getFinishedLogRecords();
    expect(first).toMatchObject({
      body: 'values',
      severityNumber: 13,
      severityText: 'WARN',
      attributes: { 'a.int': 42, 'a.double': 1.5, 'a.bool': true, 'a.list': ['x', 'y'] },
      instrumentationScope: { name: 'fidelity', version: '1.2.3' },
      droppedAttributesCount: 0,
    });
    expect(first!.resource.attributes['service.name']).toBe('user-destination-test');
    expect(first!.hrTime[0]).toBeGreaterThan(1_700_000_000);
    expect(second!.attributes['a.map']).toEqual({ n: 1, s: 'two', bytes: new Uint8Array([1, 2]) });
  });

  it('should deliver every record of a burst past the memory budget once', async () => {
    const mine = new InMemoryLogRecordExporter();
    const h = register({ destinations: { mine }, delivery: { memoryBudget: 500 } });
    const log = h.getLogger('burst');
    for (let i = 0; i < 20_000; i++) log.info(`burst:${i}`);
    expect(health(h, 'mine').queue!.size).toBeLessThanOrEqual(500);
    await h.forceFlush();
    await waitFor(() => mine.getFinishedLogRecords().length >= 20_000);
    expect(tally(mine.getFinishedLogRecords(), 'burst', 20_000)).toEqual({
      missing: 0,
      duplicated: 0,
    });
    expect(h.stats().dropped).toMatchObject({ 'queue-full': 0, 'export-failed': 0 });
  });

  it('should keep the records of a failing exporter in the spool and deliver them once it recovers', async () => {
    const delivered: ReadableLogRecord[] = [];
    let failures = 2;
    const flaky: LogRecordExporter = {
      export: (records, done) => {
        if (failures-- > 0)
          return done({ code: ExportResultCode.FAILED, error: new Error('down') });
        delivered.push(...records);
        done({ code: ExportResultCode.SUCCESS });
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const h = register({ destinations: { flaky } });
    const log = h.getLogger('flaky');
    for (let i = 0; i < 1000; i++) log.info(`flaky:${i}`);
    await h.forceFlush();
    expect(health(h, 'flaky').spool!.records).toBeGreaterThan(0);
    await waitFor(() => delivered.length >= 1000);
    expect(tally(delivered, 'flaky', 1000)).toEqual({ missing: 0, duplicated: 0 });
    expect(h.stats().dropped).toMatchObject({ 'queue-full': 0, 'export-failed': 0 });
  });

  it('should count drops past the budget as queue-full with the spool off', async () => {
    const mine = new InMemoryLogRecordExporter();
    const h = register({ destinations: { mine }, delivery: { spool: false, memoryBudget: 100 } });
    const log = h.getLogger('nospool');
    for (let i = 0; i < 5000; i++) log.info(`nospool:${i}`);
    await h.forceFlush();
    const dropped = h.stats().dropped['queue-full'];
    expect(dropped).toBeGreaterThan(0);
    expect(mine.getFinishedLogRecords().length + dropped).toBe(5000);
    expect(tally(mine.getFinishedLogRecords(), 'nospool', 5000).duplicated).toBe(0);
  });

  it('should drop and count a batch whose exporter throws, and go on with the next', async () => {
    let calls = 0;
    const delivered: ReadableLogRecord[] = [];
    const throwing: LogRecordExporter = {
      export: (records, done) => {
        if (calls++ === 0) throw new Error('bug in the exporter');
        delivered.push(...records);
        done({ code: ExportResultCode.SUCCESS });
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const h = register({ destinations: { throwing } });
    const log = h.getLogger('throwing');
    log.info('first');
    await h.forceFlush();
    log.info('second');
    await h.forceFlush();
    expect(h.stats().dropped['export-failed']).toBe(1);
    expect(delivered.map((r) => r.body)).toEqual(['second']);
  });
});
