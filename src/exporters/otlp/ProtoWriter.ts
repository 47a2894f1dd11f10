import { hrTimeNanos, isPlainHrTime } from './hrTimeNanos.js';

/**
 * A minimal protobuf wire-format writer over one growable `Buffer`, reused
 * from batch to batch (see {@link encodeLogsProtobuf}). Only what OTLP logs
 * need: varints (uint32 and int64 as a JS number), fixed32/fixed64, doubles,
 * strings, bytes and length-delimited sub-messages.
 *
 * Sub-messages are written in one pass: {@link ProtoWriter.begin} reserves the
 * length prefix (1 byte by default, more for messages known to be larger) and
 * {@link ProtoWriter.end} writes the real length, moving the body when the
 * minimal varint is longer or shorter than the reservation, so every length is
 * the canonical (shortest) varint, as protobuf encoders produce.
 *
 * @internal
 */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /**
   * Bytes written as they are (pre-encoded pieces: tags with their keys,
   * JSON constants): the shortest by a loop, which beats a native call for
   * them; from {@link RAW_SET_MIN} bytes on by `set`. The JSON bench record
   * encoded in 1436 → 1270–1280 ns with the threshold at 8–20 bytes, against
   * 1300–1510 at 16–48 (best of 30 rounds of 20,000, Node 24.22).
   */
  raw(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    if (n >= RAW_SET_MIN) {
      buf.set(b, pos);
      this.pos = pos + n;
      return;
    }
    for (let i = 0; i < n; i++) buf[pos++] = b[i]!;
    this.pos = pos;
  }

  /** A single byte (a tag of field < 16, or a small enum). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** An unsigned varint of a value in [0, 2^32). */
  uint32(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /**
   * An int64 varint of an integer JS number in [-2^63, 2^63): negative values
   * in two's complement (10 bytes), as protobuf encodes int64.
   */
  int64(v: number): void {
    if (v >= 0 && v <= 0xffffffff) {
      this.uint32(v);
      return;
    }
    let lo: number;
    let hi: number;
    if (v >= 0) {
      lo = v >>> 0;
      hi = Math.floor(v / 4294967296) >>> 0;
    } else {
      const abs = -v;
      lo = abs >>> 0;
      hi = Math.floor(abs / 4294967296) >>> 0;
      // two's complement of the 64-bit magnitude
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi = (hi + 1) >>> 0;
    }
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi !== 0 || lo > 127) {
      buf[pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** The second of the last {@link hrTimeFixed64}, and its nanoseconds' 64 bits. */
  private hrSeconds = NaN; // never equal: the first call checks its second
  private hrLo = 0;
  private hrHi = 0;

  /**
   * A fixed64 of the nanoseconds in an OTel HrTime `[seconds, nanoseconds]`
   * (both non-negative integers, seconds < 2^32, nanoseconds < 10^9), exact
   * without BigInt. `seconds * 10^9` is split as `a * 2^16 + b`, every partial
   * product below 2^53, and kept for the next call: records come in runs of
   * the same second, which then cost one addition. With the body's exact
   * length reservation (encodeLogsProtobuf), the bench's record encoded in
   * 932–968 → 861–862 ns (best of 40 rounds of 20,000, three interleaved
   * runs each, Node 24.22). Any other HrTime (NaN, negative, fractional,
   * past 2^32 s) is written as {@link hrTimeNanos} gives it (0 for an invalid
   * one: an unknown time), as the JSON encoding writes it.
   */
  hrTimeFixed64(seconds: number, nanos: number): void {
    if (
      nanos >>> 0 !== nanos ||
      nanos >= 1e9 ||
      (seconds !== this.hrSeconds && !isPlainHrTime(seconds, nanos))
    ) {
      this.fixed64(hrTimeNanos(seconds, nanos));
      return;
    }
    if (seconds !== this.hrSeconds) {
      const sLo = seconds % 65536;
      const a = ((seconds - sLo) / 65536) * 1e9; // < 2^46
      const b = sLo * 1e9; // < 2^46
      const aLo = a % 65536;
      let lo = aLo * 65536 + (b % 4294967296);
      const carry = Math.floor(lo / 4294967296);
      lo -= carry * 4294967296;
      this.hrSeconds = seconds;
      this.hrLo = lo;
      this.hrHi = (a - aLo) / 65536 + Math.floor(b / 4294967296) + carry;
    }
    let lo = this.hrLo + nanos;
    let hi = this.hrHi;
    if (lo >= 4294967296) {
      lo -= 4294967296;
      hi += 1;
    }
    this.ensure(8);
    // Byte by byte: Buffer#writeUInt32LE checks its arguments on every call
    // (a record's encoding 1.20 → 1.16 µs, two timestamps; Node 24).
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = lo & 255;
    buf[pos++] = (lo >>> 8) & 255;
    buf[pos++] = (lo >>> 16) & 255;
    buf[pos++] = lo >>> 24;
    buf[pos++] = hi & 255;
    buf[pos++] = (hi >>> 8) & 255;
    buf[pos++] = (hi >>> 16) & 255;
    buf[pos++] = hi >>> 24;
    this.pos = pos;
  }

  /** A fixed64 of a value in [0, 2^64). */
  private fixed64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(v, this.pos);
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /**
   * A length-prefixed UTF-8 string; lone surrogates become U+FFFD, as
   * TextEncoder (and so the SDK's serializer) writes them.
   */
  string(s: string): void {
    const len = s.length;
    // Short ASCII strings (keys, most values) by hand: a native Buffer#write
    // costs more than this loop below ~64 characters (measured on Node 24:
    // 16-char key 9 ns vs 31 ns).
    if (len < 64) {
      this.ensure(len + 1);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c > 127) break;
        buf[pos++] = c;
      }
      if (i === len) {
        buf[start] = len;
        this.pos = pos;
        return;
      }
    }
    // Room for the worst case (3 bytes per UTF-16 unit), the prefix reserved
    // at the size the shortest encoding (ASCII, one byte per unit) needs, and
    // the bytes moved only when the UTF-8 length's varint is longer: reserved
    // for the worst case, a 100-character ASCII message was moved on every
    // record (TypedArray#copyWithin). Encoder alone, 512 bench records: fastest
    // of 20 rounds 1025–1046 → 956–965 ns per record (two interleaved runs,
    // Node 24).
    const max = len * 3;
    const reserved = varintSize(len);
    this.ensure(reserved + max);
    const start = this.pos;
    const written = this.buf.write(s, start + reserved, max, 'utf8');
    this.pos = start + reserved;
    this.pos += written;
    this.fixLength(start, reserved, written);
  }

  bytes(b: Uint8Array): void {
    this.uint32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Reserves `reserved` bytes for a sub-message's length; returns the mark for {@link end}. */
  begin(reserved = 1): number {
    this.ensure(reserved);
    const mark = this.pos;
    this.pos += reserved;
    return mark * 4 + reserved; // reserved ≤ 3 fits in 2 bits: one number, no allocation
  }

  /** Writes the length of the sub-message begun at `mark`. */
  end(mark: number): void {
    const reserved = mark & 3;
    const start = (mark - reserved) / 4;
    this.fixLength(start, reserved, this.pos - start - reserved);
  }

  private fixLength(start: number, reserved: number, length: number): void {
    const size = varintSize(length);
    if (size !== reserved) {
      this.ensure(size - reserved);
      const from = start + reserved;
      this.buf.copyWithin(start + size, from, from + length);
      this.pos += size - reserved;
    }
    const buf = this.buf;
    let pos = start;
    let v = length;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos] = v;
  }

  /** A copy of the bytes written from offset `from` on (the writer's buffer is reused). */
  copy(from = 0): Uint8Array {
    // allocUnsafeSlow: no zero-fill and no pool slice; `new Uint8Array(n)` +
    // `set` cost 16 % of a 512-record batch's encoding (Node 24, 150 KB).
    const out = Buffer.allocUnsafeSlow(this.pos - from);
    this.buf.copy(out, 0, from, this.pos);
    return new Uint8Array(out.buffer, out.byteOffset, out.length); // a plain Uint8Array, not a Buffer
  }
}

/** Attribute keys whose pre-encoded prefix an encoder keeps; past it, prefixes are made per use. */
export const MAX_KEY_PREFIXES = 4096;

/** {@link ProtoWriter.raw} copies pieces of this many bytes or more with `set`. */
const RAW_SET_MIN = 12;

/** Bytes of the varint of `v` in [0, 2^32). */
export function varintSize(v: number): number {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : v < 268435456 ? 4 : 5;
}

// One writer for the process, shared by the protobuf and JSON encoders:
// encoding is synchronous, so batches never interleave; `busy` covers
// re-entrance (a getter in a record's values that logs), which gets a
// writer of its own.
let shared: ProtoWriter | undefined;
let busy = false;

/**
 * Runs `write` on the process's reused writer (emptied first) and returns a
 * copy of what it wrote, owned by the caller.
 */
export function encodeWithSharedWriter(write: (w: ProtoWriter) => void): Uint8Array {
  let w: ProtoWriter;
  if (busy || shared === undefined) {
    w = new ProtoWriter();
    if (!busy) shared = w;
  } else {
    w = shared;
  }
  const wasBusy = busy;
  busy = true;
  try {
    w.pos = 0;
    write(w);
    return w.copy();
  } finally {
    busy = wasBusy;
  }
}
