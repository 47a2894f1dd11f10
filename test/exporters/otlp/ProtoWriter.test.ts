// The protobuf writer under the OTLP encoders (src/exporters/otlp/ProtoWriter.ts):
// its pieces checked against BigInt arithmetic and protobuf's varint rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../../src/exporters/otlp/ProtoWriter.js';

const hrTime = fc.tuple(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: 999_999_999 }),
);

describe('ProtoWriter', () => {
  it('should write an HrTime as the fixed64 of its nanoseconds, across runs of the same second and changes of second', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            hrTime,
            // Runs within one second, the case the writer's cached second serves.
            hrTime.map(([, nanos]) => [1796401860, nanos] as [number, number]),
          ),
          { minLength: 1, maxLength: 30 },
        ),
        (times) => {
          const w = new ProtoWriter(16);
          for (const [seconds, nanos] of times) w.hrTimeFixed64(seconds, nanos);
          const expected = Buffer.alloc(8 * times.length);
          times.forEach(([seconds, nanos], i) =>
            expected.writeBigUInt64LE(BigInt(seconds) * 1_000_000_000n + BigInt(nanos), 8 * i),
          );
          expect(Buffer.from(w.buf.subarray(0, w.pos)).toString('hex')).toBe(
            expected.toString('hex'),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should write an HrTime no fast path takes as its truncated sum, or 0 (unknown) when it has no valid value', () => {
    const odd = fc.oneof(
      fc.constantFrom(NaN, Infinity, -Infinity, -1, -0.5),
      fc.double({ min: 0, max: 2 ** 40, noNaN: true }),
      fc.integer({ min: 0, max: 0xffffffff }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(hrTime, fc.tuple(odd, odd)), { minLength: 1, maxLength: 20 }),
        (times) => {
          const w = new ProtoWriter(16);
          for (const [seconds, nanos] of times) w.hrTimeFixed64(seconds, nanos);
          const expected = Buffer.alloc(8 * times.length);
          times.forEach(([seconds, nanos], i) => {
            const valid =
              Number.isFinite(seconds) && seconds >= 0 && Number.isFinite(nanos) && nanos >= 0;
            const total = valid
              ? BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(Math.trunc(nanos))
              : 0n;
            expected.writeBigUInt64LE(total < 2n ** 64n ? total : 0n, 8 * i);
          });
          expect(Buffer.from(w.buf.subarray(0, w.pos)).toString('hex')).toBe(
            expected.toString('hex'),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should write the shortest length prefix whatever was reserved for a sub-message', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 40_000 }),
        (reserved, length) => {
          const w = new ProtoWriter(16);
          const mark = w.begin(reserved);
          for (let i = 0; i < length; i++) w.byte(i & 127);
          w.end(mark);
          let prefix = 0;
          let shift = 0;
          let at = 0;
          for (;;) {
            const b = w.buf[at++]!;
            prefix += (b & 127) * 2 ** shift;
            shift += 7;
            if (b < 128) break;
          }
          expect(prefix).toBe(length);
          expect(at).toBe(length < 128 ? 1 : length < 16384 ? 2 : 3);
          expect(w.pos).toBe(at + length);
          for (let i = 0; i < length; i += 997) expect(w.buf[at + i]).toBe(i & 127);
        },
      ),
      { numRuns: 200 },
    );
  });
  it('should write any string as its shortest length prefix and its UTF-8 bytes (TextEncoder), whatever the room before it', () => {
    // Lengths around the varint boundaries of the UTF-16 length and of the
    // UTF-8 length (a 64-character string of 2-byte characters is 128 bytes),
    // with ASCII, 2- and 3-byte characters, astral pairs and lone surrogates.
    const unit = fc.constantFrom('a', '~', 'é', 'ж', '€', '😀', '\ud800', '\udfff', '\n');
    const text = fc.oneof(
      fc.array(unit, { maxLength: 300 }).map((parts) => parts.join('')),
      fc
        .constantFrom(63, 64, 127, 128, 129, 16383, 16384)
        .chain((n) => fc.constantFrom('a', 'é', '€').map((c) => c.repeat(n))),
      fc.constantFrom(42, 43, 5461, 5462).map((n) => '€'.repeat(n)),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), text, (before, s) => {
        const w = new ProtoWriter(8);
        for (let i = 0; i < before; i++) w.byte(7);
        w.string(s);
        const expected = new TextEncoder().encode(s);
        let prefix = 0;
        let shift = 0;
        let at = before;
        for (;;) {
          const b = w.buf[at++]!;
          prefix += (b & 127) * 2 ** shift;
          shift += 7;
          if (b < 128) break;
        }
        expect(prefix).toBe(expected.length);
        const n = expected.length;
        expect(at - before).toBe(n < 128 ? 1 : n < 16384 ? 2 : 3);
        expect(w.pos).toBe(at + n);
        expect(Buffer.compare(w.buf.subarray(at, at + n), expected)).toBe(0);
        for (let i = 0; i < before; i++) expect(w.buf[i]).toBe(7);
      }),
      { numRuns: 400 },
    );
  });
  it("should grow the buffer when a string's longer prefix moves its bytes past the end", () => {
    // The buffer ends exactly at the room ensured for the worst case (3 bytes
    // per unit after a 1-byte prefix guess), so moving the bytes right by
    // the prefix's extra byte(s) must grow it first.
    for (const s of ['€'.repeat(43), 'é'.repeat(64), '€'.repeat(5462), 'é'.repeat(8192)]) {
      const n = s.length;
      // The prefix guessed from the UTF-16 length, then 3 bytes per unit.
      const w = new ProtoWriter((n < 128 ? 1 : 2) + 3 * n);
      const size = w.buf.length;
      w.string(s);
      const expected = new TextEncoder().encode(s);
      const prefix = expected.length < 128 ? 1 : expected.length < 16384 ? 2 : 3;
      expect(w.pos).toBe(prefix + expected.length);
      expect(Buffer.compare(w.buf.subarray(prefix, w.pos), expected)).toBe(0);
      let length = 0;
      for (let i = 0, shift = 0; i < prefix; i++, shift += 7)
        length += (w.buf[i]! & 127) * 2 ** shift;
      expect(length).toBe(expected.length);
      // 3-byte characters fill the room: the buffer had to grow.
      if (s.startsWith('€')) expect(w.buf.length).toBeGreaterThan(size);
    }
  });
});
