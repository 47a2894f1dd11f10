import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { jsonRequestParts } from './encodeLogsJson.js';
import {
  PROTOBUF_TAGS,
  writeLogRecordProtobuf,
  writeResourceProtobuf,
  writeScopeProtobuf,
} from './encodeLogsProtobuf.js';
import type { ResourceOf, ScopeOf } from './groupLogRecords.js';
import { ProtoWriter, varintSize } from './ProtoWriter.js';

/** The wire encoding of an {@link EncodedLogRecords} queue. */
export type EncodedLogRecordsEncoding = 'protobuf' | 'json';

interface Group {
  readonly resource: ResourceOf;
  readonly scope: ScopeOf;
}

/** A batch's records of one group, as byte ranges of the queue's buffer. */
interface Ranges {
  readonly group: Group;
  /** [start, end, start, end, …] */
  readonly ranges: number[];
  bytes: number;
  records: number;
}

const EMPTY = new Uint8Array(0);
/** Above this, an emptied buffer is given back (a burst's peak is not kept for the process's life). */
const KEEP_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Log records waiting for export, kept as their encoded bytes (one OTLP
 * `LogRecord` each, protobuf or JSON) instead of as the SDK's record objects:
 * each record is encoded as it arrives ({@link push}) into one growing buffer,
 * and a batch ({@link take}) is the request envelope (resource and scope
 * headers with their lengths) around the bytes of its records, grouped
 * resource → scope in first-seen order. The request is byte-for-byte what
 * `encodeLogsProtobuf` / `encodeLogsJson` write for the same records
 * (test/exporters/otlp/EncodedLogRecords.test.ts).
 *
 * Why: holding 2,048 `LogRecordImpl`s (each with its attribute copies and
 * HrTime arrays) until the batch is cut keeps them alive through several
 * young-generation collections; bytes die young and cost the collector
 * nothing to keep. Measured in bench/export.bench.mjs (logkit-protobuf, same
 * loaded machine, interleaved rounds): see the README, "Through OTLP/HTTP export".
 *
 * Not re-entrant by design: a record that logs while it is being encoded (a
 * getter in its values) is queued after it ({@link push} defers it).
 *
 * @internal
 */
export class EncodedLogRecords {
  private readonly w = new ProtoWriter(64 * 1024);
  /** Byte length of each record, from {@link head} on. */
  private lens: number[] = [];
  /** Group of each record. */
  private groups: Group[] = [];
  /** Index of the oldest record waiting. */
  private head = 0;
  /** Offset of the oldest record's bytes. */
  private byteHead = 0;
  private lastResource: ResourceOf | undefined;
  private lastScope: ScopeOf | undefined;
  private lastGroup: Group | undefined;
  private readonly known = new Map<ResourceOf, Map<ScopeOf, Group>>();
  private readonly envelope = new WeakMap<object, Pieces>();
  private writing = false;
  private readonly deferred: ReadableLogRecord[] = [];

  /**
   * @param encoding - the records' wire encoding.
   * @param onError - called (synchronously) for each record that cannot be encoded.
   */
  constructor(
    private readonly encoding: EncodedLogRecordsEncoding,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Records waiting. */
  get length(): number {
    return this.lens.length - this.head;
  }

  private queuedCount = 0;

  /**
   * Records ever queued (encoded and kept): what a push added is the growth of
   * this, which a batch cut during the push (a getter that logs) cannot undo,
   * unlike {@link length}.
   */
  get queued(): number {
    return this.queuedCount;
  }

  /** Bytes of the records waiting (their encoding, without the envelope). */
  get bytes(): number {
    return this.w.pos - this.byteHead;
  }

  /**
   * Encodes `record` and queues it. A record that cannot be encoded (a value
   * whose getter throws) is not kept: `onError` is called with the error. A
   * record pushed while another is being encoded is encoded after it.
   */
  push(record: ReadableLogRecord): void {
    if (this.writing) {
      this.deferred.push(record);
      return;
    }
    this.writing = true;
    try {
      this.write(record);
      while (this.deferred.length > 0) this.write(this.deferred.shift()!);
    } finally {
      this.writing = false;
    }
  }

  private write(record: ReadableLogRecord): void {
    const w = this.w;
    const start = w.pos;
    try {
      if (this.encoding === 'protobuf') writeLogRecordProtobuf(w, record);
      else {
        // Each JSON record is written with the comma before it; the first of
        // each scope's list drops it when the batch is assembled.
        w.byte(COMMA_BYTE);
        jsonRequestParts.record(w, record);
      }
    } catch (error) {
      w.pos = start;
      this.onError(error);
      return;
    }
    this.lens.push(w.pos - start);
    this.queuedCount++;
    this.groups.push(this.groupOf(record.resource, record.instrumentationScope));
  }

  private groupOf(resource: ResourceOf, scope: ScopeOf): Group {
    if (resource === this.lastResource && scope === this.lastScope) return this.lastGroup!;
    let byScope = this.known.get(resource);
    if (byScope === undefined) {
      byScope = new Map();
      this.known.set(resource, byScope);
    }
    let group = byScope.get(scope);
    if (group === undefined) {
      group = { resource, scope };
      byScope.set(scope, group);
    }
    this.lastResource = resource;
    this.lastScope = scope;
    this.lastGroup = group;
    return group;
  }

  /**
   * Removes the oldest `n` records (at most {@link length}) and returns them
   * as one `ExportLogsServiceRequest`. `resourceFor` replaces a record's
   * Resource in the envelope (a Resource whose async attributes are still
   * pending is encoded from a settled copy). The request is assembled in
   * the buffer `into` gives for its exact size (one the caller reuses: see
   * ReusableBuffer), else in a fresh one.
   */
  take(
    n: number,
    resourceFor?: (resource: ResourceOf) => ResourceOf,
    into?: (size: number) => Buffer,
  ): Uint8Array {
    n = Math.min(n, this.length);
    if (n <= 0) return EMPTY;
    const batch = this.collect(n);
    this.head += n;
    this.byteHead = batch.end;
    try {
      return this.assemble(batch.groups, resourceFor, into);
    } finally {
      this.compact();
    }
  }

  /** Drops every record waiting. */
  clear(): void {
    this.head = this.lens.length;
    this.byteHead = this.w.pos;
    this.compact();
  }

  private collect(n: number): { groups: Ranges[]; end: number } {
    const groups: Ranges[] = [];
    let pos = this.byteHead;
    let current: Ranges | undefined;
    let byGroup: Map<Group, Ranges> | undefined;
    const end = this.head + n;
    for (let i = this.head; i < end; i++) {
      const group = this.groups[i]!;
      const len = this.lens[i]!;
      if (current === undefined || current.group !== group) {
        current = byGroup?.get(group);
        if (current === undefined) {
          current = { group, ranges: [], bytes: 0, records: 0 };
          groups.push(current);
          if (groups.length > 1) {
            byGroup ??= new Map(groups.map((g) => [g.group, g]));
            byGroup.set(group, current);
          }
        }
      }
      const ranges = current.ranges;
      const last = ranges.length - 1;
      // Adjacent records of the same group make one range (the usual batch: one).
      if (last > 0 && ranges[last] === pos) ranges[last] = pos + len;
      else ranges.push(pos, pos + len);
      current.bytes += len;
      current.records++;
      pos += len;
    }
    // Groups by resource, resources and scopes in first-seen order (as groupLogRecords).
    if (groups.length > 1) {
      const order = new Map<ResourceOf, number>();
      for (const g of groups)
        if (!order.has(g.group.resource)) order.set(g.group.resource, order.size);
      groups.sort((a, b) => order.get(a.group.resource)! - order.get(b.group.resource)!); // stable
    }
    return { groups, end: pos };
  }

  /** The cached envelope pieces of a Resource or scope (once settled). */
  private pieces(key: object, cacheable: boolean, make: () => Pieces): Pieces {
    const cached = cacheable ? this.envelope.get(key) : undefined;
    if (cached) return cached;
    const made = make();
    if (cacheable) this.envelope.set(key, made);
    return made;
  }

  private resourcePieces(resource: ResourceOf): Pieces {
    return this.pieces(resource, !resource.asyncAttributesPending, () =>
      this.encoding === 'protobuf'
        ? {
            head: written((w) => writeResourceProtobuf(w, resource)),
            tail: resource.schemaUrl
              ? written((w) => {
                  w.byte(PROTOBUF_TAGS.RL_SCHEMA_URL);
                  w.string(resource.schemaUrl!);
                })
              : EMPTY,
          }
        : {
            head: written((w) => jsonRequestParts.resourceHeader(w, resource)),
            tail: written((w) => jsonRequestParts.resourceTail(w, resource)),
          },
    );
  }

  private scopePieces(scope: ScopeOf): Pieces {
    return this.pieces(scope, true, () =>
      this.encoding === 'protobuf'
        ? {
            head: written((w) => writeScopeProtobuf(w, scope)),
            tail: scope.schemaUrl
              ? written((w) => {
                  w.byte(PROTOBUF_TAGS.SL_SCHEMA_URL);
                  w.string(scope.schemaUrl!);
                })
              : EMPTY,
          }
        : {
            head: written((w) => jsonRequestParts.scopeHeader(w, scope)),
            tail: written((w) => jsonRequestParts.scopeTail(w, scope)),
          },
    );
  }

  /**
   * The request: sizes first (protobuf length prefixes are minimal varints),
   * then one buffer of the exact size, the records' bytes copied range by range.
   */
  private assemble(
    groups: Ranges[],
    resourceFor: ((resource: ResourceOf) => ResourceOf) | undefined,
    into: ((size: number) => Buffer) | undefined,
  ): Uint8Array {
    const protobuf = this.encoding === 'protobuf';
    const plans: ResourcePlan[] = [];
    // JSON: resources and scopes are comma-separated (one comma fewer than items).
    let total = protobuf ? 0 : JSON_OPEN.length + JSON_CLOSE.length - 1;
    for (let i = 0; i < groups.length;) {
      const original = groups[i]!.group.resource;
      const resource = resourceFor ? resourceFor(original) : original;
      const plan: ResourcePlan = { pieces: this.resourcePieces(resource), scopes: [], len: 0 };
      let len = plan.pieces.head.length + plan.pieces.tail.length - (protobuf ? 0 : 1);
      for (; i < groups.length && groups[i]!.group.resource === original; i++) {
        const r = groups[i]!;
        const pieces = this.scopePieces(r.group.scope);
        // JSON: every record's bytes start with a comma, dropped for the first.
        const slLen = pieces.head.length + r.bytes + pieces.tail.length - (protobuf ? 0 : 1);
        plan.scopes.push({ r, pieces, len: slLen });
        len += protobuf ? 1 + varintSize(slLen) + slLen : slLen + 1;
      }
      plan.len = len;
      plans.push(plan);
      total += protobuf ? 1 + varintSize(len) + len : len + 1;
    }
    const src = this.w.buf;
    const out = into ? into(total) : Buffer.allocUnsafeSlow(total);
    let pos = 0;
    if (!protobuf) pos = put(out, pos, JSON_OPEN);
    for (let p = 0; p < plans.length; p++) {
      const plan = plans[p]!;
      if (protobuf) {
        out[pos++] = PROTOBUF_TAGS.REQ_RESOURCE_LOGS;
        pos = writeVarint(out, pos, plan.len);
      } else if (p > 0) out[pos++] = COMMA_BYTE;
      pos = put(out, pos, plan.pieces.head);
      for (let k = 0; k < plan.scopes.length; k++) {
        const s = plan.scopes[k]!;
        if (protobuf) {
          out[pos++] = PROTOBUF_TAGS.RL_SCOPE_LOGS;
          pos = writeVarint(out, pos, s.len);
        } else if (k > 0) out[pos++] = COMMA_BYTE;
        pos = put(out, pos, s.pieces.head);
        const ranges = s.r.ranges;
        for (let j = 0; j < ranges.length; j += 2) {
          const from = !protobuf && j === 0 ? ranges[j]! + 1 : ranges[j]!;
          pos += src.copy(out, pos, from, ranges[j + 1]);
        }
        pos = put(out, pos, s.pieces.tail);
      }
      pos = put(out, pos, plan.pieces.tail);
    }
    if (!protobuf) pos = put(out, pos, JSON_CLOSE);
    if (pos !== total)
      throw new Error(`otel-logkit: request assembled to ${pos} bytes, planned ${total}`);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }

  private compact(): void {
    // A batch cut from inside a record's encoding (a getter that logs, which
    // fills the budget) must not move the bytes under the record being written.
    if (this.writing) return;
    if (this.head === this.lens.length) {
      this.lens = [];
      this.groups = [];
      this.head = 0;
      this.byteHead = 0;
      this.w.pos = 0;
      if (this.w.buf.length > KEEP_BUFFER_BYTES) this.w.buf = Buffer.allocUnsafe(64 * 1024);
      return;
    }
    if (this.head > 4096 && this.head * 2 > this.lens.length) {
      this.lens = this.lens.slice(this.head);
      this.groups = this.groups.slice(this.head);
      this.head = 0;
    }
    if (this.byteHead > 1024 * 1024 && this.byteHead * 2 > this.w.pos) {
      this.w.buf.copyWithin(0, this.byteHead, this.w.pos);
      this.w.pos -= this.byteHead;
      this.byteHead = 0;
    }
  }
}

const COMMA_BYTE = 44;

interface Pieces {
  readonly head: Uint8Array;
  readonly tail: Uint8Array;
}

interface ResourcePlan {
  readonly pieces: Pieces;
  readonly scopes: Array<{ r: Ranges; pieces: Pieces; len: number }>;
  len: number;
}

const JSON_OPEN = jsonRequestParts.open;
const JSON_CLOSE = jsonRequestParts.close;

function written(write: (w: ProtoWriter) => void): Uint8Array {
  const w = new ProtoWriter(256);
  write(w);
  return w.copy();
}

function put(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  out.set(bytes, pos);
  return pos + bytes.length;
}

function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v > 127) {
    buf[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}
