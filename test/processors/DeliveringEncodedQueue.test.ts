// DeliveringLogRecordProcessor with our OTLP encoders, whose queue keeps
// records as encoded bytes (EncodedLogRecords): a Resource whose async
// attributes are pending is still waited for before a batch is sent (the
// records themselves are encoded at onEmit, the Resource only when the batch
// is cut), a burst past the memory budget is spooled with the attributes
// settled so far, and every record arrives once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  LoggerProvider,
  type ReadableLogRecord,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import { ATTR_LOGKIT_CATEGORY } from '../../src/attributes.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../src/exporters/OtlpHttpSender.js';
import { fileLinesEncoder } from '../../src/exporters/spool/FileLinesEncoder.js';
import { getLogsEncoder } from '../../src/exporters/spool/LogsEncoder.js';
import { DeliveringLogRecordProcessor } from '../../src/processors/DeliveringLogRecordProcessor.js';
import { decode } from '../helpers/otlpLogsConformance.js';

interface Decoded {
  resourceLogs: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeLogs: Array<{ logRecords: Array<{ body: { stringValue: string } }> }>;
  }>;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(options: { memoryBudget: number; spool: boolean; sendMillis?: number }) {
  let settle!: (value: string) => void;
  const hostId = new Promise<string>((resolve) => (settle = resolve));
  const resource = resourceFromAttributes({ 'service.name': 'queue-test', 'host.id': hostId });
  const bodies: Uint8Array[] = [];
  const dropped: Array<[string, number]> = [];
  /** Sends whose body changed while they were in flight. */
  let changedInFlight = 0;
  let spoolDir: string | undefined;
  if (options.spool) {
    spoolDir = mkdtempSync(join(tmpdir(), 'logkit-queue-'));
    dirs.push(spoolDir);
  }
  const processor = new DeliveringLogRecordProcessor({
    encoder: getLogsEncoder('http/protobuf'),
    sender: {
      send(body: Uint8Array): Promise<SendOutcome> {
        // A body is the sender's until its send settles (BatchSender): kept, it is copied.
        const copy = new Uint8Array(body);
        bodies.push(copy);
        if (!options.sendMillis) return Promise.resolve({ kind: 'ok' });
        return new Promise((resolve) =>
          setTimeout(() => {
            if (Buffer.compare(copy, body) !== 0) changedInFlight++;
            resolve({ kind: 'ok' });
          }, options.sendMillis),
        );
      },
    },
    spool: spoolDir ? { dir: spoolDir, maxBytes: 1 << 24, encoding: 'protobuf' } : undefined,
    observer: {
      exported: () => undefined,
      failed: () => undefined,
      dropped: (reason, records) => dropped.push([reason, records]),
    },
    memoryBudget: options.memoryBudget,
    maxBatchSize: 10,
    scheduledDelayMillis: 20,
    shutdownDeadlineMillis: 2000,
  });
  const provider = new LoggerProvider({ resource, processors: [processor] });
  const logger = provider.getLogger('queue-test');
  const emit = (from: number, n: number) => {
    for (let i = from; i < from + n; i++) logger.emit({ body: `record ${i}` });
  };
  const received = () =>
    bodies.flatMap((b) =>
      (decode(b) as Decoded).resourceLogs.map((rl) => ({
        hostId: rl.resource.attributes.find((a) => a.key === 'host.id')?.value.stringValue,
        bodies: rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.body.stringValue)),
      })),
    );
  return {
    processor,
    provider,
    emit,
    received,
    settle,
    dropped,
    bodies,
    changedInFlight: () => changedInFlight,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const expectedBodies = (n: number) => Array.from({ length: n }, (_, i) => `record ${i}`);

describe('DeliveringLogRecordProcessor with an encoded queue', () => {
  it('should wait for the Resource to settle, then send every record once, in order, with it', async () => {
    const t = setup({ memoryBudget: 1000, spool: false });
    t.emit(0, 25);
    await sleep(100);
    expect(t.bodies).toHaveLength(0);
    expect(t.processor.memorySize()).toBe(25);
    t.settle('host-1');
    await sleep(0);
    await t.processor.forceFlush();
    const got = t.received();
    expect(got.flatMap((g) => g.bodies)).toEqual(expectedBodies(25));
    expect(got.every((g) => g.hostId === 'host-1')).toBe(true);
    expect(t.bodies.length).toBe(3); // batches of 10, 10, 5
    expect(t.dropped).toEqual([]);
    await t.provider.shutdown();
  });

  it('should spool a burst past the budget before the Resource settles, with the attributes settled so far', async () => {
    const t = setup({ memoryBudget: 8, spool: true });
    t.emit(0, 30);
    t.settle('host-2');
    await sleep(0);
    t.emit(30, 5);
    await t.processor.forceFlush();
    const got = t.received();
    expect(got.flatMap((g) => g.bodies)).toEqual(expectedBodies(35));
    // Spooled before settling: no host.id; the last records were cut after it.
    expect(got[0]!.hostId).toBeUndefined();
    expect(got.at(-1)!.hostId).toBe('host-2');
    expect(t.dropped).toEqual([]);
    await t.provider.shutdown();
  });

  it('should leave the bytes of a batch in flight untouched while more is cut, spooled and replayed', async () => {
    // Batches are assembled in reused buffers (memory sends, spills, spool
    // reads): none may be reused while the send that holds it is under way.
    const t = setup({ memoryBudget: 25, spool: true, sendMillis: 5 });
    t.settle('host-4');
    await sleep(0);
    for (let round = 0; round < 6; round++) {
      // A full batch goes out from memory; while it is in flight a burst
      // past the budget is spooled (several batches), then everything drains.
      t.emit(round * 50, 10);
      await sleep(0);
      t.emit(round * 50 + 10, 40);
      await sleep(40);
    }
    await t.processor.forceFlush();
    expect(t.changedInFlight()).toBe(0);
    expect(t.received().flatMap((g) => g.bodies)).toEqual(expectedBodies(300));
    expect(t.dropped).toEqual([]);
    await t.provider.shutdown();
  });

  it('should drop past the budget without a spool, counted queue-full, and deliver the rest', async () => {
    const t = setup({ memoryBudget: 8, spool: false });
    t.settle('host-3');
    await sleep(0);
    // One synchronous burst: nothing is sent before it ends.
    t.emit(0, 20);
    await t.processor.forceFlush();
    const delivered = t.received().flatMap((g) => g.bodies);
    const lost = t.dropped.reduce((n, [reason, k]) => (reason === 'queue-full' ? n + k : n), 0);
    expect(delivered.length + lost).toBe(20);
    expect(lost).toBeGreaterThan(0);
    expect(delivered).toEqual(expectedBodies(20).slice(0, delivered.length));
    await t.provider.shutdown();
  });
});

describe('the file destination queue (records encoded per category file)', () => {
  it('should deliver a record whose getter logs another one that fills the memory budget', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'logkit-lines-queue-'));
    dirs.push(spoolDir);
    const sent: string[] = [];
    const dropped: Array<[string, number]> = [];
    const processor = new DeliveringLogRecordProcessor({
      encoder: fileLinesEncoder,
      sender: {
        send(body: Uint8Array): Promise<SendOutcome> {
          sent.push(Buffer.from(body).toString('utf8'));
          return Promise.resolve({ kind: 'ok' });
        },
      },
      spool: { dir: spoolDir, maxBytes: 1 << 20, encoding: 'lines' },
      observer: {
        exported: () => undefined,
        failed: () => undefined,
        dropped: (reason, n) => dropped.push([reason, n]),
      },
      memoryBudget: 3,
      maxBatchSize: 10,
      scheduledDelayMillis: 20,
      shutdownDeadlineMillis: 5000,
    });
    // Records as a LogRecordProcessor gets them; one has an attribute whose
    // getter logs (read when the queue encodes it).
    const resource = resourceFromAttributes({ 'service.name': 'lines-test' });
    const scope = { name: 'lines' };
    const record = (body: string, category: string): ReadableLogRecord =>
      ({
        hrTime: [1_700_000_000, 0],
        hrTimeObserved: [1_700_000_000, 0],
        severityNumber: 9,
        severityText: 'INFO',
        body,
        resource,
        instrumentationScope: scope,
        attributes: { [ATTR_LOGKIT_CATEGORY]: category },
        droppedAttributesCount: 0,
      }) as unknown as ReadableLogRecord;
    const emit = (r: ReadableLogRecord) => processor.onEmit(r as ReadWriteLogRecord);
    emit(record('r1', 'llm'));
    emit(record('r2', 'llm'));
    const a = record('A', 'llm');
    let fired = false;
    Object.defineProperty(a.attributes, 'logs', {
      enumerable: true,
      get() {
        if (!fired) {
          fired = true;
          emit(record('B', 'tool')); // the third record: the budget is reached, a batch is cut
        }
        return 'once';
      },
    });
    emit(a);
    expect(processor.memorySize()).toBe(1);
    await processor.forceFlush();
    await processor.shutdown();
    const bodies = sent.join('').match(/"stringValue":"(r1|r2|A|B)"/g) ?? [];
    expect(bodies.sort()).toEqual(['A', 'B', 'r1', 'r2'].map((b) => `"stringValue":"${b}"`));
    expect(dropped).toEqual([]);
  });
});
