import { crc32 } from 'node:zlib';

/**
 * The on-disk format of the delivery spool, shared by the writer
 * ({@link Spool}) and `otel-logkit view`; node built-ins only, so the CLI can
 * import it without the SDK.
 *
 * A segment file (`<created ms>-<seq>-<rand>.<owner>.seg`) is a sequence of
 * frames, each one OTLP export request exactly as it goes on the wire
 * (`ExportLogsServiceRequest`, protobuf or JSON):
 *
 * | bytes | field |
 * | --- | --- |
 * | 4 | magic `OLKF` |
 * | 4 | payload length, uint32 big-endian |
 * | 4 | log records in the payload, uint32 big-endian |
 * | 1 | encoding: 1 protobuf, 2 JSON, 3 file lines (`<file>\t<OTLP JSON>\n`…) |
 * | 4 | CRC-32 of the payload, uint32 big-endian |
 * | n | payload |
 *
 * Beside it, `<created ms>-<seq>-<rand>.ack` holds the indexes (uint32
 * big-endian, appended) of the frames the endpoint accepted.
 */
export const FRAME_MAGIC = Buffer.from('OLKF', 'latin1');
export const FRAME_HEADER_BYTES = 17;
export const SEGMENT_SUFFIX = '.seg';
export const ACK_SUFFIX = '.ack';
export const LOCK_SUFFIX = '.lock';

/** The payload's OTLP encoding. */
export type FrameEncoding = 'protobuf' | 'json' | 'lines';

const ENCODING_BYTES: Record<FrameEncoding, number> = { protobuf: 1, json: 2, lines: 3 };
const ENCODINGS: readonly (FrameEncoding | undefined)[] = [undefined, 'protobuf', 'json', 'lines'];

/** A frame's place in its segment, as {@link scanFrames} finds it. */
export interface FrameInfo {
  /** Byte offset of the frame's header in the segment. */
  readonly offset: number;
  /** Payload bytes. */
  readonly length: number;
  readonly records: number;
  readonly encoding: FrameEncoding;
}

/** What {@link scanFrames} found: good frames, and what it had to skip. */
export interface ScanResult {
  readonly frames: FrameInfo[];
  /** Bytes that were not part of a good frame (torn writes, garbage). */
  readonly damagedBytes: number;
  /** Records announced by headers whose payload failed its checksum. */
  readonly damagedRecords: number;
}

/** The header of one frame of `payload`. */
export function frameHeader(
  payloadLength: number,
  records: number,
  encoding: FrameEncoding,
  crc: number,
): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  FRAME_MAGIC.copy(header, 0);
  header.writeUInt32BE(payloadLength, 4);
  header.writeUInt32BE(records, 8);
  header.writeUInt8(ENCODING_BYTES[encoding], 12);
  header.writeUInt32BE(crc, 13);
  return header;
}

/** The header and payload of one frame. */
export function encodeFrame(
  payload: Uint8Array,
  records: number,
  encoding: FrameEncoding,
): Buffer[] {
  return [
    frameHeader(payload.length, records, encoding, crc32(payload)),
    Buffer.from(payload.buffer, payload.byteOffset, payload.length),
  ];
}

/**
 * The good frames of a segment's bytes. A frame whose header or checksum is
 * wrong is skipped, and reading goes on at the next magic, so one torn write
 * or a run of garbage loses only what it overwrote.
 */
export function scanFrames(data: Buffer): ScanResult {
  const frames: FrameInfo[] = [];
  let damagedBytes = 0;
  let damagedRecords = 0;
  let offset = 0;
  while (offset < data.length) {
    const good = readFrameAt(data, offset);
    if (good) {
      frames.push(good);
      offset += FRAME_HEADER_BYTES + good.length;
      continue;
    }
    if (
      offset + FRAME_HEADER_BYTES <= data.length &&
      data.subarray(offset, offset + 4).equals(FRAME_MAGIC)
    ) {
      const length = data.readUInt32BE(offset + 4);
      if (offset + FRAME_HEADER_BYTES + length <= data.length)
        damagedRecords += data.readUInt32BE(offset + 8);
    }
    const next = data.indexOf(FRAME_MAGIC, offset + 1);
    const end = next === -1 ? data.length : next;
    damagedBytes += end - offset;
    offset = end;
  }
  return { frames, damagedBytes, damagedRecords };
}

function readFrameAt(data: Buffer, offset: number): FrameInfo | undefined {
  if (offset + FRAME_HEADER_BYTES > data.length) return undefined;
  if (!data.subarray(offset, offset + 4).equals(FRAME_MAGIC)) return undefined;
  const length = data.readUInt32BE(offset + 4);
  const records = data.readUInt32BE(offset + 8);
  const encoding = ENCODINGS[data.readUInt8(offset + 12)];
  const start = offset + FRAME_HEADER_BYTES;
  if (encoding === undefined || start + length > data.length) return undefined;
  if (crc32(data.subarray(start, start + length)) !== data.readUInt32BE(offset + 13))
    return undefined;
  return { offset, length, records, encoding };
}

/** The acknowledged frame indexes in an `.ack` file's bytes. */
export function readAcks(data: Buffer): Set<number> {
  const acked = new Set<number>();
  for (let i = 0; i + 4 <= data.length; i += 4) acked.add(data.readUInt32BE(i));
  return acked;
}

/** A segment file's name parts, or undefined for another file. */
export function parseSegmentName(
  name: string,
): { readonly stem: string; readonly owner: string; readonly createdMs: number } | undefined {
  const match = /^((\d{13})-\d{6}-[0-9a-f]{4})\.([0-9]+\.[0-9a-f]+)\.seg$/.exec(name);
  if (!match) return undefined;
  return { stem: match[1]!, createdMs: Number(match[2]), owner: match[3]! };
}

/**
 * The `(file, line)` pairs of a `lines` frame (`<file>\t<OTLP JSON>\n`…,
 * written by the `file` destination), the lines as views of `payload` (valid
 * as long as it is), each keeping its `\n` (one is added, in a copy, to a last
 * line without). An entry without a tab after a non-empty name is skipped.
 * `\t` and `\n` are ASCII, never part of a UTF-8 sequence, and escaped inside
 * JSON strings, so the bytes split where the text would.
 */
export function splitFileLineBytes(payload: Uint8Array): Array<[file: string, line: Uint8Array]> {
  const out: Array<[string, Uint8Array]> = [];
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE_BYTE, start);
    const last = end === -1;
    if (last) end = bytes.length;
    const tab = start + bytes.subarray(start, end).indexOf(TAB_BYTE);
    if (tab > start) {
      const file = bytes.toString('utf8', start, tab);
      const line = last
        ? Buffer.concat([bytes.subarray(tab + 1, end), NEWLINE])
        : bytes.subarray(tab + 1, end + 1);
      out.push([file, line]);
    }
    start = end + 1;
  }
  return out;
}

/** {@link splitFileLineBytes} with the lines as text (the audit chain and the CLI read them). */
export function splitFileLines(payload: Uint8Array): Array<[file: string, line: string]> {
  return splitFileLineBytes(payload).map(([file, line]) => [file, lineDecoder.decode(line)]);
}

const NEWLINE_BYTE = 0x0a;
const TAB_BYTE = 0x09;
const NEWLINE = Buffer.from('\n');
const lineDecoder = new TextDecoder();
