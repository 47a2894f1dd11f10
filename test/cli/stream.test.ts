/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- parsed JSON output */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecordView } from '../../src/cli/otlp.js';
import { analyseStream, formatStreamReport } from '../../src/cli/stream.js';
import { registerLogging } from '../../src/index.js';
import { lines, runCli } from './helpers.js';

let tmp: string;

/** One "process": a registration with its own service.instance.id, emitting `count` stream records. */
async function runProcess(dir: string, instance: string, count: number): Promise<void> {
  const handle = registerLogging({
    serviceName: 'shop',
    logsExporter: 'file',
    metricsExporter: 'none',
    logDir: dir,
    handleProcessExit: false,
    registerGlobals: false,
    runtimeMetrics: false,
    resourceAttributes: { 'service.instance.id': instance },
  });
  const orders = handle.eventStream('orders');
  const other = handle.eventStream('payments');
  for (let i = 1; i <= count; i++) {
    orders.emit('order.placed', { 'order.id': `${instance}-${i}` });
    other.emit('payment.taken', { i });
    handle.getLogger('app').info('not in a stream');
  }
  await handle.shutdown();
}

/** Removes the stream record with `sequence` of `instance` from every file of `dir`: a loss upstream. */
function loseRecord(dir: string, instance: string, sequence: number): void {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const out = lines(readFileSync(file, 'utf8')).map((line) => {
      const data = JSON.parse(line);
      // OTLP/JSON may omit an empty list (otel-logkit's encoder does).
      for (const rl of data.resourceLogs) {
        const id = rl.resource.attributes.find((a: any) => a.key === 'service.instance.id');
        if (id?.value.stringValue !== instance) continue;
        for (const sl of rl.scopeLogs) {
          sl.logRecords = sl.logRecords.filter(
            (r: any) =>
              !(
                (r.attributes ?? []).some(
                  (a: any) => a.key === 'logkit.stream.name' && a.value.stringValue === 'orders',
                ) &&
                (r.attributes ?? []).some(
                  (a: any) =>
                    a.key === 'logkit.stream.sequence' && Number(a.value.intValue) === sequence,
                )
              ),
          );
        }
      }
      return JSON.stringify(data);
    });
    writeFileSync(file, out.join('\n') + '\n');
  }
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'logkit-cli-stream-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('otel-logkit view --stream', () => {
  it('prints a complete stream per process in sequence order and exits 0', async () => {
    const dir = path.join(tmp, 'complete');
    await runProcess(dir, 'proc-a', 5);
    await runProcess(dir, 'proc-b', 3);
    const result = runCli(['view', dir, '--stream', 'orders', '--json']);
    expect(result.status).toBe(0);
    const records = lines(result.stdout).map((l) => JSON.parse(l));
    expect(
      records.map(
        (r) => `${r.resource['service.instance.id']}#${r.attributes['logkit.stream.sequence']}`,
      ),
    ).toEqual([
      'proc-a#1',
      'proc-a#2',
      'proc-a#3',
      'proc-a#4',
      'proc-a#5',
      'proc-b#1',
      'proc-b#2',
      'proc-b#3',
    ]);
    expect(result.stderr).toContain(
      'stream orders (shop, instance proc-a): 5 records, sequence 1–5, no gaps',
    );
    expect(result.stderr).toContain(
      'stream orders (shop, instance proc-b): 3 records, sequence 1–3, no gaps',
    );
  });

  it('reports a record lost upstream as a gap of its process and exits 3', async () => {
    const dir = path.join(tmp, 'lossy');
    await runProcess(dir, 'proc-a', 6);
    await runProcess(dir, 'proc-b', 3);
    loseRecord(dir, 'proc-a', 3);
    loseRecord(dir, 'proc-a', 4);
    const result = runCli(['view', dir, '--stream', 'orders', '--json']);
    expect(result.status).toBe(3);
    const seqs = lines(result.stdout).map(
      (l) => JSON.parse(l).attributes['logkit.stream.sequence'],
    );
    expect(seqs).toEqual([1, 2, 5, 6, 1, 2, 3]);
    expect(result.stderr).toContain(
      'instance proc-a): 4 records, sequence 1–6, 2 missing (lost upstream): 3–4',
    );
    expect(result.stderr).toContain('instance proc-b): 3 records, sequence 1–3, no gaps');
  });

  it('exits 1 when the stream has no record', () => {
    const dir = path.join(tmp, 'complete');
    const result = runCli(['view', dir, '--stream', 'nothing-here']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no records of stream nothing-here');
  });

  it('rejects --stream with --follow', () => {
    const result = runCli(['view', path.join(tmp, 'complete'), '--stream', 'orders', '--follow']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--stream cannot be combined');
  });
});

describe('analyseStream', () => {
  const view = (instance: string, sequence: unknown, name = 'orders'): LogRecordView => ({
    timeNs: '1',
    severity: 9,
    severityText: 'INFO',
    body: undefined,
    attributes: { 'logkit.stream.name': name, 'logkit.stream.sequence': sequence },
    traceId: '',
    spanId: '',
    eventName: 'e',
    scope: 'orders',
    resource: {
      attributes: { 'service.instance.id': instance },
      service: 'svc',
      json: undefined,
    },
    file: 'f',
  });

  it('should order per process, and find gaps, duplicates and a late start', () => {
    const { ordered, processes } = analyseStream(
      [
        view('a', 4),
        view('a', 2),
        view('b', 1),
        view('a', 2),
        view('a', 7),
        view('x', 1, 'other'),
        view('a', '9'),
      ],
      'orders',
    );
    expect(
      ordered.map(
        (r) =>
          `${String(r.resource.attributes['service.instance.id'])}${String(r.attributes['logkit.stream.sequence'])}`,
      ),
    ).toEqual(['a2', 'a2', 'a4', 'a7', 'a9', 'b1']);
    expect(processes[0]).toMatchObject({
      instance: 'a',
      records: 5,
      first: 2,
      last: 9,
      gaps: [
        [3, 3],
        [5, 6],
        [8, 8],
      ],
      missingBefore: 1,
      duplicates: [2],
    });
    expect(processes[1]).toMatchObject({ instance: 'b', gaps: [], missingBefore: 0 });
    expect(formatStreamReport('orders', processes)).toContain(
      '4 missing (lost upstream): 3, 5–6, 8',
    );
  });
});
