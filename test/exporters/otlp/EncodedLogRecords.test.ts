// The delivery path's queue of records kept as encoded bytes
// (src/exporters/otlp/EncodedLogRecords.ts): any cut of the queue must be
// byte-for-byte the request that encodeLogsProtobuf / encodeLogsJson write
// for the same records (themselves conformance-tested against the SDK's
// serializers and the .proto files in encodeLogs.test.ts), and the
// protobuf also the SDK serializer's bytes.
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodedLogRecords } from '../../../src/exporters/otlp/EncodedLogRecords.js';
import { ReusableBuffer } from '../../../src/internal/ReusableBuffer.js';
import { encodeLogsJson } from '../../../src/exporters/otlp/encodeLogsJson.js';
import { encodeLogsProtobuf } from '../../../src/exporters/otlp/encodeLogsProtobuf.js';
import { batches } from '../../helpers/otlpLogsConformance.js';

const RUNS = { numRuns: 200 };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function queue(encoding: 'protobuf' | 'json'): EncodedLogRecords {
  return new EncodedLogRecords(encoding, (error) => {
    throw error;
  });
}

/** Batch sizes that cut `n` records into consecutive takes. */
const cuts = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });

describe('EncodedLogRecords', () => {
  it('should cut protobuf batches byte-for-byte as encodeLogsProtobuf and the SDK serializer', () => {
    fc.assert(
      fc.property(batches, cuts, (batch, sizes) => {
        const q = queue('protobuf');
        for (const r of batch) q.push(r);
        let from = 0;
        for (let i = 0; from < batch.length; i++) {
          const n = sizes[i % sizes.length]!;
          const slice = batch.slice(from, from + n);
          const ours = q.take(n);
          expect(hex(ours)).toBe(hex(encodeLogsProtobuf(slice)));
          expect(hex(ours)).toBe(hex(ProtobufLogsSerializer.serializeRequest(slice)!));
          from += n;
        }
        expect(q.length).toBe(0);
        expect(q.bytes).toBe(0);
      }),
      RUNS,
    );
  });

  it('should cut JSON batches byte-for-byte as encodeLogsJson', () => {
    fc.assert(
      fc.property(batches, cuts, (batch, sizes) => {
        const q = queue('json');
        for (const r of batch) q.push(r);
        let from = 0;
        for (let i = 0; from < batch.length; i++) {
          const n = sizes[i % sizes.length]!;
          const ours = q.take(n);
          expect(text(ours)).toBe(text(encodeLogsJson(batch.slice(from, from + n))));
          JSON.parse(text(ours));
          from += n;
        }
      }),
      RUNS,
    );
  });

  it('should cut batches into a buffer the caller gives (a reused one) byte-for-byte as into fresh ones', () => {
    fc.assert(
      fc.property(batches, cuts, fc.constantFrom('protobuf', 'json'), (batch, sizes, encoding) => {
        const reusing = queue(encoding);
        const fresh = queue(encoding);
        for (const r of batch) {
          reusing.push(r);
          fresh.push(r);
        }
        // One buffer, reused from take to take (given back at once), small
        // at first: it grows, and past its maximum a take gets its own.
        const buffer = new ReusableBuffer(2048, 16);
        const given: number[] = [];
        const into = (size: number): Buffer => (given.push(size), buffer.take(size));
        for (let i = 0; reusing.length > 0; i++) {
          const n = sizes[i % sizes.length]!;
          const view = reusing.take(n, undefined, into);
          expect(hex(view)).toBe(hex(fresh.take(n)));
          expect(view.length).toBe(given.at(-1));
          buffer.giveBack();
        }
        expect(fresh.length).toBe(0);
      }),
      RUNS,
    );
  });

  it('should keep order and bytes when pushes and takes interleave', () => {
    fc.assert(
      fc.property(
        batches,
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1 }),
        (batch, steps) => {
          for (const encoding of ['protobuf', 'json'] as const) {
            const encode = encoding === 'protobuf' ? encodeLogsProtobuf : encodeLogsJson;
            const q = queue(encoding);
            let pushed = 0;
            let taken = 0;
            for (let i = 0; pushed < batch.length || q.length > 0; i++) {
              // At least one push whenever the queue is empty: every loop makes progress.
              const k = Math.max(steps[i % steps.length]!, q.length === 0 ? 1 : 0);
              for (let j = 0; j < k && pushed < batch.length; j++) q.push(batch[pushed++]!);
              const n = Math.min(q.length, 1 + (i % 3));
              if (n === 0) continue;
              expect(hex(q.take(n))).toBe(hex(encode(batch.slice(taken, taken + n))));
              taken += n;
            }
            expect(taken).toBe(batch.length);
          }
        },
      ),
      RUNS,
    );
  });

  it('should encode the envelope with the Resource `resourceFor` gives', () => {
    const [batch] = fc.sample(
      batches.filter((b) => b.length > 0),
      { numRuns: 1, seed: 3 },
    );
    // One replacement per Resource, as the processor's settled copies.
    const copies = new Map<object, ReadableLogRecord['resource']>();
    const resourceFor = (resource: ReadableLogRecord['resource']) => {
      let copy = copies.get(resource);
      if (!copy) {
        copy = resourceFromAttributes({ 'service.name': `settled-${copies.size}` });
        copies.set(resource, copy);
      }
      return copy;
    };
    for (const encoding of ['protobuf', 'json'] as const) {
      const encode = encoding === 'protobuf' ? encodeLogsProtobuf : encodeLogsJson;
      const q = queue(encoding);
      for (const r of batch!) q.push(r);
      const expected = encode(batch!.map((r) => ({ ...r, resource: resourceFor(r.resource) })));
      expect(hex(q.take(batch!.length, resourceFor))).toBe(hex(expected));
    }
  });

  it('should report a record that cannot be encoded, keep none of its bytes and go on', () => {
    const [batch] = fc.sample(
      batches.filter((b) => b.length >= 2),
      { numRuns: 1, seed: 11 },
    );
    const bad = {
      ...batch![0]!,
      attributes: {
        get broken(): string {
          throw new Error('getter failed');
        },
      },
    } as unknown as ReadableLogRecord;
    Object.defineProperty(bad.attributes, 'broken', { enumerable: true });
    for (const encoding of ['protobuf', 'json'] as const) {
      const encode = encoding === 'protobuf' ? encodeLogsProtobuf : encodeLogsJson;
      const errors: unknown[] = [];
      const q = new EncodedLogRecords(encoding, (e) => errors.push(e));
      q.push(batch![0]!);
      q.push(bad);
      q.push(batch![1]!);
      expect(errors).toHaveLength(1);
      expect(q.length).toBe(2);
      expect(hex(q.take(2))).toBe(hex(encode(batch!.slice(0, 2))));
    }
  });

  it('should encode a record pushed while another is encoded (a getter that logs) after it', () => {
    const [batch] = fc.sample(
      batches.filter((b) => b.length >= 2),
      { numRuns: 1, seed: 5 },
    );
    const [first, nested] = batch!;
    for (const encoding of ['protobuf', 'json'] as const) {
      const encode = encoding === 'protobuf' ? encodeLogsProtobuf : encodeLogsJson;
      const q = queue(encoding);
      let pushedNested = false;
      const outer = {
        ...first!,
        attributes: {
          get logs(): string {
            if (!pushedNested) {
              pushedNested = true;
              q.push(nested!);
            }
            return 'x';
          },
        },
      } as unknown as ReadableLogRecord;
      Object.defineProperty(outer.attributes, 'logs', { enumerable: true });
      q.push(outer);
      expect(q.length).toBe(2);
      const plain = { ...first!, attributes: { logs: 'x' } };
      expect(hex(q.take(2))).toBe(hex(encode([plain, nested!])));
    }
  });

  it('should keep the record being encoded intact when a batch is cut from inside its encoding', () => {
    const [batch] = fc.sample(
      batches.filter((b) => b.length >= 3),
      { numRuns: 1, seed: 9 },
    );
    const [a, b, c] = batch!;
    for (const encoding of ['protobuf', 'json'] as const) {
      const encode = encoding === 'protobuf' ? encodeLogsProtobuf : encodeLogsJson;
      const q = queue(encoding);
      q.push(a!);
      let cut: Uint8Array | undefined;
      const outer = {
        ...b!,
        attributes: {
          get logs(): string {
            if (cut === undefined) cut = q.take(q.length);
            return 'y';
          },
        },
      } as unknown as ReadableLogRecord;
      Object.defineProperty(outer.attributes, 'logs', { enumerable: true });
      q.push(outer);
      q.push(c!);
      expect(hex(cut!)).toBe(hex(encode([a!])));
      const plain = { ...b!, attributes: { logs: 'y' } };
      expect(hex(q.take(q.length))).toBe(hex(encode([plain, c!])));
    }
  });

  it('should stay correct across compactions of a long queue', () => {
    const resource = resourceFromAttributes({ 'service.name': 'compact' });
    const scope = { name: 'bench' };
    const record = (i: number): ReadableLogRecord =>
      ({
        hrTime: [1_700_000_000, i],
        hrTimeObserved: [1_700_000_000, i],
        severityNumber: 9,
        severityText: 'INFO',
        body: `message ${i} `.padEnd(300, 'x'),
        attributes: { i },
        droppedAttributesCount: 0,
        resource,
        instrumentationScope: scope,
      }) as unknown as ReadableLogRecord;
    for (const encoding of ['protobuf', 'json'] as const) {
      const encode = encoding === 'protobuf' ? encodeLogsProtobuf : encodeLogsJson;
      const q = queue(encoding);
      let next = 0;
      let taken = 0;
      // Keeps ~6,000 records (~2 MB) waiting while taking 512 at a time.
      for (let round = 0; round < 40; round++) {
        for (let j = 0; j < 700; j++) q.push(record(next++));
        if (q.length > 6000) {
          for (let k = 0; k < 2; k++) {
            const expected = encode(Array.from({ length: 512 }, (_, j) => record(taken + j)));
            expect(hex(q.take(512))).toBe(hex(expected));
            taken += 512;
          }
        }
      }
      const rest = q.length;
      expect(hex(q.take(rest))).toBe(
        hex(encode(Array.from({ length: rest }, (_, j) => record(taken + j)))),
      );
    }
  });
});
