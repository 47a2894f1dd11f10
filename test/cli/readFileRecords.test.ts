import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanContext } from '../../src/cli/ScanContext.js';
import { RecordFilter, buildFilterSpec } from '../../src/cli/filters.js';
import { readFileRecords, scanInTimeOrder } from '../../src/cli/readFileRecords.js';
import type { InputFile } from '../../src/cli/resolveInputs.js';

let tmp: string;
const line = (time: number): string =>
  JSON.stringify({
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: String(time) }] }] }],
  });
const input = (name: string, gzip = false): InputFile => ({
  path: path.join(tmp, name),
  size: 0,
  gzip,
  inDirectory: false,
});

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'logkit-cli-read-'));
  writeFileSync(path.join(tmp, 'a.jsonl'), `${line(1)}\n${line(4)}\r\n${line(6)}`);
  writeFileSync(path.join(tmp, 'b.jsonl.gz'), gzipSync(`${line(2)}\n${line(5)}\n`));
  writeFileSync(path.join(tmp, 'cut.jsonl.gz'), gzipSync(`${line(3)}\n`).subarray(0, 20));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

async function times(iterable: AsyncIterable<Array<{ timeNs: string }>>): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of iterable) for (const record of batch) out.push(record.timeNs);
  return out;
}

describe('readFileRecords', () => {
  it('reads plain and gzip files, CRLF and a last line without a newline included', async () => {
    const context = new ScanContext(new RecordFilter(buildFilterSpec({})));
    expect(await times(readFileRecords(input('a.jsonl'), context))).toEqual(['1', '4', '6']);
    expect(await times(readFileRecords(input('b.jsonl.gz', true), context))).toEqual(['2', '5']);
    expect(context.malformed).toBe(0);
  });

  it('counts a damaged gzip stream as a malformed line, or throws when strict', async () => {
    const context = new ScanContext(new RecordFilter(buildFilterSpec({})));
    // The damage, and the line it cut short, if any of it came through.
    expect(await times(readFileRecords(input('cut.jsonl.gz', true), context))).toEqual([]);
    expect(context.malformed).toBeGreaterThanOrEqual(1);
    expect(context.malformed).toBeLessThanOrEqual(2);
    const strict = new ScanContext(new RecordFilter(buildFilterSpec({})));
    await expect(
      times(readFileRecords(input('cut.jsonl.gz', true), strict, undefined, true)),
    ).rejects.toThrow();
  });
});

describe('scanInTimeOrder', () => {
  it('merges the chains by time', async () => {
    const context = new ScanContext(new RecordFilter(buildFilterSpec({})));
    const chains = [[input('a.jsonl')], [input('b.jsonl.gz', true)]];
    expect(await times(scanInTimeOrder(chains, context))).toEqual(['1', '2', '4', '5', '6']);
  });
});
