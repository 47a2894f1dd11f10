import { describe, expect, it } from 'vitest';
import { mergeByTime } from '../../src/cli/mergeByTime.js';
import type { LogRecordView } from '../../src/cli/otlp.js';

const rec = (timeNs: string, file: string): LogRecordView =>
  ({ timeNs, file }) as unknown as LogRecordView;

async function* source(batches: LogRecordView[][]): AsyncGenerator<LogRecordView[]> {
  for (const batch of batches) yield await Promise.resolve(batch);
}

async function collect(iterable: AsyncIterable<LogRecordView[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of iterable) for (const r of batch) out.push(`${r.file}:${r.timeNs}`);
  return out;
}

describe('mergeByTime', () => {
  it('merges sources in time order, equal times in source order', async () => {
    const merged = mergeByTime([
      source([[rec('1', 'a'), rec('5', 'a')], [], [rec('9', 'a')]]),
      source([[rec('5', 'b'), rec('10', 'b')]]),
      source([[rec('2', 'c')]]),
    ]);
    expect(await collect(merged)).toEqual(['a:1', 'c:2', 'a:5', 'b:5', 'a:9', 'b:10']);
  });

  it('compares times numerically, not as text', async () => {
    const merged = mergeByTime([source([[rec('100', 'a')]]), source([[rec('99', 'b')]])]);
    expect(await collect(merged)).toEqual(['b:99', 'a:100']);
  });

  it('emits every record of a source that is out of order', async () => {
    const merged = mergeByTime([
      source([[rec('3', 'a'), rec('1', 'a')]]),
      source([[rec('2', 'b')]]),
    ]);
    expect((await collect(merged)).sort()).toEqual(['a:1', 'a:3', 'b:2']);
  });

  it('passes a single source through', async () => {
    const merged = mergeByTime([source([[rec('2', 'a'), rec('1', 'a')]])]);
    expect(await collect(merged)).toEqual(['a:2', 'a:1']);
  });
});
