import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ACK_SUFFIX,
  LOCK_SUFFIX,
  parseSegmentName,
  readAcks,
  scanFrames,
  splitFileLines,
} from '../exporters/spool/spoolFormat.js';

/** What is waiting in a spool directory. */
export interface SpoolContents {
  readonly segments: number;
  /** Frames (export requests) not yet accepted, and their records. */
  readonly frames: number;
  readonly records: number;
  readonly bytes: number;
  readonly damagedBytes: number;
  /** Owner ids that hold a lock file (live or not cleaned up). */
  readonly locks: readonly string[];
  /** Epoch ms of the oldest segment still waiting, if any. */
  readonly oldestMs: number | undefined;
  /** Each waiting frame as one OTLP JSON line (`ExportLogsServiceRequest`). */
  readonly lines: readonly string[];
}

/** Whether `dir` looks like a spool: a directory with segment or lock files. */
export async function isSpoolDir(dir: string): Promise<boolean> {
  try {
    if (!(await stat(dir)).isDirectory()) return false;
    const names = await readdir(dir);
    return names.some((n) => parseSegmentName(n) !== undefined || n.endsWith(LOCK_SUFFIX));
  } catch {
    return false;
  }
}

/**
 * Reads a spool directory without changing it: every frame not yet
 * acknowledged, oldest segment first, as OTLP JSON lines (protobuf frames are
 * converted), and a summary.
 */
export async function readSpool(dir: string): Promise<SpoolContents> {
  const names = (await readdir(dir)).sort();
  const lines: string[] = [];
  let segments = 0;
  let frames = 0;
  let records = 0;
  let bytes = 0;
  let damagedBytes = 0;
  let oldestMs: number | undefined;
  for (const name of names) {
    const parsed = parseSegmentName(name);
    if (!parsed) continue;
    let data: Buffer;
    try {
      data = await readFile(path.join(dir, name));
    } catch {
      continue; // sent and removed while we read
    }
    let acked = new Set<number>();
    try {
      acked = readAcks(await readFile(path.join(dir, parsed.stem + ACK_SUFFIX)));
    } catch {
      // no acknowledgements
    }
    const scan = scanFrames(data);
    segments++;
    bytes += data.length;
    damagedBytes += scan.damagedBytes;
    scan.frames.forEach((frame, index) => {
      if (acked.has(index)) return;
      frames++;
      records += frame.records;
      oldestMs = Math.min(oldestMs ?? parsed.createdMs, parsed.createdMs);
      const payload = data.subarray(frame.offset + 17, frame.offset + 17 + frame.length);
      if (frame.encoding === 'lines') {
        for (const [, line] of splitFileLines(payload)) lines.push(line.trimEnd());
      } else {
        lines.push(
          frame.encoding === 'json'
            ? payload.toString('utf8')
            : JSON.stringify(protobufToOtlpJson(payload)),
        );
      }
    });
  }
  const locks = names
    .filter((n) => n.endsWith(LOCK_SUFFIX))
    .map((n) => n.slice(0, -LOCK_SUFFIX.length));
  return { segments, frames, records, bytes, damagedBytes, locks, oldestMs, lines };
}

// A minimal protobuf reader for the OTLP logs messages (opentelemetry-proto
// v1: collector/logs/v1/logs_service.proto, logs/v1/logs.proto,
// common/v1/common.proto, resource/v1/resource.proto), producing the OTLP/JSON
// mapping (int64 and fixed64 as decimal strings, ids as hex, bytes as base64).

type Fields = Map<number, Array<Buffer | bigint>>;

function readFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let value: Buffer | bigint;
    if (wire === 0) value = varint();
    else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new Error('truncated field');
    const list = fields.get(field);
    if (list) list.push(value);
    else fields.set(field, [value]);
  }
  return fields;
}

const bytesOf = (f: Fields, n: number): Buffer[] => (f.get(n) ?? []) as Buffer[];
const first = (f: Fields, n: number): Buffer | bigint | undefined => f.get(n)?.at(-1);
const str = (f: Fields, n: number): string | undefined => {
  const v = first(f, n);
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const fixed64 = (f: Fields, n: number): string | undefined => {
  const v = first(f, n);
  return Buffer.isBuffer(v) && v.length === 8 ? v.readBigUInt64LE(0).toString() : undefined;
};

function anyValue(buf: Buffer): Record<string, unknown> {
  const f = readFields(buf);
  if (f.has(1)) return { stringValue: str(f, 1) };
  if (f.has(2)) return { boolValue: first(f, 2) !== 0n };
  if (f.has(3)) return { intValue: BigInt.asIntN(64, first(f, 3) as bigint).toString() };
  if (f.has(4)) return { doubleValue: (first(f, 4) as Buffer).readDoubleLE(0) };
  if (f.has(5)) {
    return { arrayValue: { values: bytesOf(readFields(first(f, 5) as Buffer), 1).map(anyValue) } };
  }
  if (f.has(6)) {
    return { kvlistValue: { values: bytesOf(readFields(first(f, 6) as Buffer), 1).map(keyValue) } };
  }
  if (f.has(7)) return { bytesValue: (first(f, 7) as Buffer).toString('base64') };
  return {};
}

function keyValue(buf: Buffer): Record<string, unknown> {
  const f = readFields(buf);
  const value = first(f, 2);
  return { key: str(f, 1) ?? '', value: Buffer.isBuffer(value) ? anyValue(value) : {} };
}

function logRecord(buf: Buffer): Record<string, unknown> {
  const f = readFields(buf);
  const out: Record<string, unknown> = {};
  const time = fixed64(f, 1);
  if (time) out.timeUnixNano = time;
  const observed = fixed64(f, 11);
  if (observed) out.observedTimeUnixNano = observed;
  const severity = first(f, 2);
  if (typeof severity === 'bigint') out.severityNumber = Number(severity);
  const severityText = str(f, 3);
  if (severityText) out.severityText = severityText;
  const body = first(f, 5);
  if (Buffer.isBuffer(body)) out.body = anyValue(body);
  out.attributes = bytesOf(f, 6).map(keyValue);
  const flags = first(f, 8);
  if (Buffer.isBuffer(flags) && flags.length === 4) out.flags = flags.readUInt32LE(0);
  const traceId = first(f, 9);
  if (Buffer.isBuffer(traceId) && traceId.length > 0) out.traceId = traceId.toString('hex');
  const spanId = first(f, 10);
  if (Buffer.isBuffer(spanId) && spanId.length > 0) out.spanId = spanId.toString('hex');
  const eventName = str(f, 12);
  if (eventName) out.eventName = eventName;
  return out;
}

/** An OTLP protobuf `ExportLogsServiceRequest` in the OTLP/JSON mapping. */
export function protobufToOtlpJson(payload: Buffer): Record<string, unknown> {
  return {
    resourceLogs: bytesOf(readFields(payload), 1).map((rlBuf) => {
      const rl = readFields(rlBuf);
      const resource = first(rl, 1);
      return {
        resource: {
          attributes: Buffer.isBuffer(resource)
            ? bytesOf(readFields(resource), 1).map(keyValue)
            : [],
        },
        scopeLogs: bytesOf(rl, 2).map((slBuf) => {
          const sl = readFields(slBuf);
          const scopeBuf = first(sl, 1);
          const scope: Fields = Buffer.isBuffer(scopeBuf)
            ? readFields(scopeBuf)
            : new Map<number, Array<Buffer | bigint>>();
          return {
            scope: { name: str(scope, 1) ?? '', version: str(scope, 2) },
            logRecords: bytesOf(sl, 2).map(logRecord),
          };
        }),
      };
    }),
  };
}
