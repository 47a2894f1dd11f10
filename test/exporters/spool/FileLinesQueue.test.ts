// The `file` destination's queue: records encoded as they arrive, per
// category file, cut into the same `lines` payload fileLinesEncoder writes for
// the same records (one request line per file), byte for byte, whatever the cuts.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATTR_LOGKIT_CATEGORY } from '../../../src/attributes.js';
import { FileLinesQueue } from '../../../src/exporters/spool/FileLinesQueue.js';
import { categorised, expectedFileLines } from '../../helpers/fileLines.js';
import { batches } from '../../helpers/otlpLogsConformance.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('FileLinesQueue', () => {
  it('should cut what fileLinesEncoder writes for the same records, byte for byte, at any cuts', () => {
    fc.assert(
      fc.property(
        batches,
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (raw, picks, cuts, reuse) => {
          const records = categorised(raw, picks);
          const errors: unknown[] = [];
          const queue = new FileLinesQueue((e) => errors.push(e));
          for (const record of records) queue.push(record);
          expect(errors).toEqual([]);
          expect(queue.length).toBe(records.length);
          const scratch = Buffer.alloc(1 << 16);
          let from = 0;
          for (let c = 0; from < records.length; c++) {
            const n = cuts[c % cuts.length]!;
            const chunk = records.slice(from, from + n);
            const into = reuse ? (size: number) => scratch.subarray(0, size) : undefined;
            expect(hex(queue.take(n, undefined, into))).toBe(hex(expectedFileLines(chunk)));
            from += chunk.length;
            expect(queue.length).toBe(records.length - from);
          }
          expect(queue.take(3).length).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should drop a record it cannot read or encode through onError, and keep the rest', () => {
    const [raw] = fc.sample(
      batches.filter((b) => b.length >= 2),
      { numRuns: 1, seed: 3 },
    );
    const [a, b] = raw!;
    const hostile = { ...a!, attributes: {} } as ReadableLogRecord;
    Object.defineProperty(hostile.attributes, ATTR_LOGKIT_CATEGORY, {
      enumerable: true,
      get() {
        throw new Error('no category');
      },
    });
    const trap = { ...b!, attributes: {} } as ReadableLogRecord;
    Object.defineProperty(trap.attributes, 'trap', {
      enumerable: true,
      get() {
        throw new Error('no value');
      },
    });
    const errors: string[] = [];
    const queue = new FileLinesQueue((e) => errors.push((e as Error).message));
    queue.push(a!);
    queue.push(hostile);
    queue.push(trap);
    queue.push(b!);
    expect(errors).toEqual(['no category', 'no value']);
    expect(queue.length).toBe(2);
    expect(hex(queue.take(2))).toBe(hex(expectedFileLines([a!, b!])));
    queue.push(a!);
    queue.clear();
    expect(queue.length).toBe(0);
    expect(queue.take(1).length).toBe(0);
  });

  it('should keep a record whose getter logs and cuts a batch while it is encoded', () => {
    // A getter that logs can fill the memory budget, and the delivery path
    // then cuts a batch inside the push of the record being encoded.
    const [raw] = fc.sample(
      batches.filter((b) => b.length >= 4),
      { numRuns: 1, seed: 11 },
    );
    const [r1, r2, b, c] = categorised(raw!, [1]); // all 'llm'
    const bTool = { ...b!, attributes: { ...b!.attributes, [ATTR_LOGKIT_CATEGORY]: 'tool' } };
    for (const sameFile of [false, true]) {
      const queue = new FileLinesQueue((e) => {
        throw e;
      });
      const inner = sameFile ? b! : (bTool as ReadableLogRecord);
      let cut: Uint8Array | undefined;
      const a = { ...c!, attributes: { ...c!.attributes } } as ReadableLogRecord;
      Object.defineProperty(a.attributes, 'logs', {
        enumerable: true,
        get() {
          queue.push(inner);
          cut = Uint8Array.from(queue.take(100));
          return 'once';
        },
      });
      queue.push(r1!);
      queue.push(r2!);
      queue.push(a);
      // The cut took what was queued before it: r1, r2 (and B when it went to another file).
      expect(hex(cut!)).toBe(hex(expectedFileLines(sameFile ? [r1!, r2!] : [r1!, r2!, inner])));
      // A (and B, held back until A was encoded, when they share the file) are still there.
      expect(queue.length).toBe(sameFile ? 2 : 1);
      const rest = queue.take(100);
      const text = Buffer.from(rest).toString('utf8');
      expect(text).toContain('"once"');
      expect(text.split('\n').length - 1).toBe(1);
      queue.push(c!);
      expect(hex(queue.take(100))).toBe(hex(expectedFileLines([c!])));
    }
  });
});
