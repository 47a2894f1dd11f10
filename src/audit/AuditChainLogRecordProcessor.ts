import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '@opentelemetry/api';
import type {} from '../logger/anyValue.js';
import type { AnyValue } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import {
  FRAME_HEADER_BYTES,
  SEGMENT_SUFFIX,
  scanFrames,
  splitFileLines,
} from '../exporters/spool/spoolFormat.js';
import { encodeLogsJsonString } from '../exporters/otlp/encodeLogsJson.js';
import { recordWithResource } from '../internal/recordView.js';
import { reportOnce } from '../internal/reportOnce.js';
import { setOwn } from '../internal/objects.js';
import {
  ATTR_AUDIT_ALG,
  ATTR_AUDIT_HASH,
  ATTR_AUDIT_PREV_HASH,
  ATTR_AUDIT_SEQ,
  ATTR_LOG_RECORD_UID,
  AUDIT_ALG_HMAC,
  GENESIS_HASH,
  auditHash,
  intAttribute,
  stringAttribute,
  uuidV7,
} from './canonical.js';
import type { OtlpJsonLogRecord } from './canonical.js';
import { decodeFileText, listAuditChains, parseLine, splitLines } from './files.js';

/** Options of {@link AuditChainLogRecordProcessor}. */
export interface AuditChainOptions {
  /** The processor that writes the records, e.g. the delivery path over the audit files. */
  delegate: LogRecordProcessor;
  /** The directory the delegate writes to; read at construction to resume the chain. */
  dir: string;
  /**
   * The delegate's spool directory, if it keeps records there (the delivery
   * path's file-lines spool): read at construction too, so the chain resumes
   * after records that were chained but not yet written to `dir`.
   */
  spoolDir?: string;
  /**
   * The audit key: each hash is then an HMAC-SHA-256 with it (and records
   * carry `logkit.audit.alg: "hmac-sha256"`), so whoever can write the files
   * but does not hold the key cannot rebuild a chain that verifies. Default:
   * none (plain SHA-256, which shows accidental damage and edits by someone
   * who does not recompute the chain).
   */
  key?: Uint8Array;
}

/** Where a chain stands: the last record's seq and hash (seq 0 and 64 zeros before the first). */
export interface AuditChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Makes the records it gets a tamper-evident hash chain, then hands them to
 * `delegate`. One chain per audit directory: records of every category are
 * chained in emit order and each category file holds a subsequence, so
 * {@link verifyAuditChain} merges the files by seq.
 *
 * In `onEmit` (while the record is still writable) it sets on each record:
 * - `log.record.uid`: a UUID v7;
 * - `logkit.audit.seq`: 1, 2, 3, … (an int);
 * - `logkit.audit.prev_hash`: the previous record's `logkit.audit.hash`, 64
 *   zeros for seq 1;
 * - `logkit.audit.hash`: hex SHA-256 of the record's canonical form (see
 *   {@link canonicalForm}), computed from the record's OTLP/JSON serialisation
 *   (the file exporter's own serializer), so the verifier can recompute it
 *   from the file; with a `key`, its HMAC-SHA-256, and `logkit.audit.alg`
 *   is `hmac-sha256`.
 *
 * The four attributes are written into the record's attribute map directly,
 * so they land even on a record a held-then-forwarded step made read-only, or
 * one at the attribute count limit. Before hashing, each attribute value and
 * a map body is read once and kept as plain data, so the delegate writes what
 * was hashed; a record emitted while another is being hashed (a getter of it
 * that logs) is chained and handed on after it.
 *
 * At construction it reads the directory's files (current and rotated `.gz`)
 * and continues from the highest seq found, so the chain survives restarts
 * and rotation. One process per directory: two writers would fork the chain.
 * Records the delegate loses (a full queue, a failed write, a crash before a
 * flush) leave a gap that the verifier reports as removed; that is the point.
 */
export class AuditChainLogRecordProcessor implements LogRecordProcessor {
  /** The audit directory. */
  readonly dir: string;
  private readonly delegate: LogRecordProcessor;
  private readonly key: Uint8Array | undefined;
  private seq: number;
  private prevHash: string;
  /** A record is being chained (see onEmit). */
  private chaining = false;
  /** Records emitted while one was being chained, in emit order. */
  private readonly waiting: { record: ReadWriteLogRecord; context: Context | undefined }[] = [];

  constructor(options: AuditChainOptions) {
    this.delegate = options.delegate;
    this.dir = options.dir;
    this.key = options.key;
    const head = readChainHead(options.dir, options.spoolDir);
    this.seq = head.seq;
    this.prevHash = head.hash;
  }

  /** The last record chained so far (seq 0 and 64 zeros when none). */
  get head(): AuditChainHead {
    return { seq: this.seq, hash: this.prevHash };
  }

  onEmit(logRecord: ReadWriteLogRecord, context?: Context): void {
    if (this.chaining) {
      // Emitted while a record is being hashed (a getter of it logged): its
      // link needs that record's hash, so it waits until that record is
      // chained and handed on, and takes the next seq (chaining it now gave
      // both records one seq and forked the chain).
      this.waiting.push({ record: logRecord, context });
      return;
    }
    this.chaining = true;
    // A delegate that throws does not stop the records waiting behind this
    // one from being chained and handed on, in order; its first error is
    // thrown afterwards, to the caller as before.
    let failure: { error: unknown } | undefined;
    try {
      for (
        let next: { record: ReadWriteLogRecord; context: Context | undefined } | undefined = {
          record: logRecord,
          context,
        };
        next;
        next = this.waiting.shift()
      ) {
        try {
          this.chainAndHandOn(next.record, next.context);
        } catch (error) {
          failure ??= { error };
        }
      }
    } finally {
      this.chaining = false;
    }
    if (failure) throw failure.error;
  }

  private chainAndHandOn(logRecord: ReadWriteLogRecord, context: Context | undefined): void {
    try {
      this.chain(logRecord);
    } catch (error) {
      reportOnce('audit:chain', 'could not add an audit record to the hash chain', error);
    }
    this.delegate.onEmit(logRecord, context);
  }

  forceFlush(): Promise<void> {
    return this.delegate.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.delegate.shutdown();
  }

  private chain(record: ReadWriteLogRecord): void {
    settleValues(record);
    const seq = this.seq + 1;
    setAttribute(record, ATTR_LOG_RECORD_UID, uuidV7());
    setAttribute(record, ATTR_AUDIT_SEQ, seq);
    setAttribute(record, ATTR_AUDIT_PREV_HASH, this.prevHash);
    if (this.key) setAttribute(record, ATTR_AUDIT_ALG, AUDIT_ALG_HMAC);
    else deleteAttribute(record, ATTR_AUDIT_ALG);
    // A stale hash (a record emitted twice) must not take part in its own hash.
    deleteAttribute(record, ATTR_AUDIT_HASH);
    const serialized = serializeOne(record);
    const hash = auditHash(serialized.record, serialized.scopeName, this.key);
    setAttribute(record, ATTR_AUDIT_HASH, hash);
    this.seq = seq;
    this.prevHash = hash;
  }
}

/**
 * Makes the record's attribute values and map body plain data, each read
 * once: the hash serializes the record and the delegate serializes it again
 * to write it, so a value behind a getter (one a step put there) that
 * answered differently the second time made a written record fail its own
 * hash. Values the pipeline converted are plain already (copied again here,
 * as they are: audit records are few). A map or record that refuses the
 * change is left as it is.
 */
function settleValues(record: ReadWriteLogRecord): void {
  const attributes = record.attributes as Record<string, AnyValue>;
  for (const key of Object.keys(attributes)) {
    try {
      const descriptor = Object.getOwnPropertyDescriptor(attributes, key);
      if (descriptor === undefined) continue;
      const value: unknown =
        descriptor.get !== undefined ? descriptor.get.call(attributes) : descriptor.value;
      if (descriptor.get === undefined && (typeof value !== 'object' || value === null)) continue;
      Object.defineProperty(attributes, key, {
        value: plainCopy(value, 0),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } catch {
      // A frozen map or a getter that throws: left for the serializer, as before.
    }
  }
  const body: unknown = record.body;
  if (typeof body === 'object' && body !== null) {
    try {
      record.setBody(plainCopy(body, 0));
    } catch {
      // left as it is
    }
  }
}

/** Maps and arrays copied with each value read once; everything else as it is. */
function plainCopy(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  // Deeper than an AnyValue may be (or a cycle a step made): the serializer decides.
  if (depth >= 64) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(plainCopy(value[i], depth + 1));
    return out;
  }
  const map = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(map)) setOwn(out, key, plainCopy(map[key], depth + 1));
  return out;
}

function setAttribute(record: ReadWriteLogRecord, key: string, value: AnyValue): void {
  try {
    (record.attributes as Record<string, AnyValue>)[key] = value;
  } catch {
    // A frozen attribute map: only the setter is left.
  }
  if (record.attributes[key] !== value) record.setAttribute(key, value);
}

function deleteAttribute(record: ReadWriteLogRecord, key: string): void {
  if (!(key in record.attributes)) return;
  try {
    delete (record.attributes as Record<string, AnyValue>)[key];
  } catch {
    // Frozen: hashing excludes the key anyway.
  }
}

/** The record's OTLP/JSON form, as the file exporter will write it. */
function serializeOne(record: ReadWriteLogRecord): {
  record: OtlpJsonLogRecord;
  scopeName: string;
} {
  // The resource is not hashed, and its async attributes may still be pending.
  const view = recordWithResource(record, emptyResource());
  // The audit destination's encoder (fileLinesEncoder) writes the line with
  // encodeLogsJson: the same bytes for the same record.
  const groups = parseLine(encodeLogsJsonString([view]));
  const group = groups?.[0];
  const serialized = group?.records[0];
  if (!group || !serialized) throw new Error('the OTLP JSON serializer wrote no record');
  return { record: serialized, scopeName: group.scopeName };
}

/**
 * The last record of the chain in `dir`: the highest `logkit.audit.seq` found
 * and its stored hash. Per category file only the newest file holding a
 * record is read, from its last line back (seqs grow along each file).
 * A missing directory is a new chain; an unreadable one is reported and
 * starts a new chain (which the verifier will then flag).
 */
export function readChainHead(dir: string, spoolDir?: string): AuditChainHead {
  let head: AuditChainHead = spoolDir ? spooledChainHead(spoolDir) : { seq: 0, hash: GENESIS_HASH };
  let chains;
  try {
    chains = listAuditChains(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      reportOnce('audit:resume', `could not read the audit directory ${dir}`, error);
    }
    return head;
  }
  for (const files of chains) {
    for (const file of [...files].reverse()) {
      let found: AuditChainHead | undefined;
      try {
        found = lastInFile(decodeFileText(readFileSync(file.path)));
      } catch (error) {
        reportOnce('audit:resume', `could not read the audit file ${file.path}`, error);
      }
      if (found) {
        if (found.seq > head.seq) head = found;
        break;
      }
    }
  }
  return head;
}

/**
 * The highest-seq record waiting in a file-lines spool (its segments' intact
 * frames, sent or not): records chained by an earlier process that had not
 * reached the files yet.
 */
function spooledChainHead(spoolDir: string): AuditChainHead {
  let head: AuditChainHead = { seq: 0, hash: GENESIS_HASH };
  let names: string[];
  try {
    names = readdirSync(spoolDir).filter((name) => name.endsWith(SEGMENT_SUFFIX));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      reportOnce('audit:resume', `could not read the audit spool ${spoolDir}`, error);
    }
    return head;
  }
  for (const name of names) {
    try {
      const data = readFileSync(join(spoolDir, name));
      for (const frame of scanFrames(data).frames) {
        if (frame.encoding !== 'lines') continue;
        const start = frame.offset + FRAME_HEADER_BYTES;
        const payload = data.subarray(start, start + frame.length);
        for (const [, line] of splitFileLines(payload)) {
          const found = lastInFile(line);
          if (found && found.seq > head.seq) head = found;
        }
      }
    } catch (error) {
      // A segment adopted or removed meanwhile, or unreadable: skipped.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        reportOnce('audit:resume', `could not read the audit spool segment ${name}`, error);
      }
    }
  }
  return head;
}

function lastInFile(text: string): AuditChainHead | undefined {
  const lines = splitLines(text);
  for (let i = lines.length - 1; i >= 0; i--) {
    const groups = parseLine(lines[i]!);
    if (!groups) continue;
    let best: AuditChainHead | undefined;
    for (const group of groups) {
      for (const record of group.records) {
        const seq = intAttribute(record, ATTR_AUDIT_SEQ);
        const hash = stringAttribute(record, ATTR_AUDIT_HASH);
        if (seq !== undefined && hash !== undefined && (!best || seq > best.seq)) {
          best = { seq, hash };
        }
      }
    }
    if (best) return best;
  }
  return undefined;
}
