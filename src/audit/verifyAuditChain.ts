import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
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
} from './canonical.js';
import { listAuditChains, parseLine, splitLines } from './files.js';
import type { AuditChainHead } from './AuditChainLogRecordProcessor.js';

const gunzipAsync = promisify(gunzip);

/** What kind of tampering (or loss) a problem shows. */
export type AuditProblemKind = 'modified' | 'removed' | 'inserted' | 'reordered';

/** The first problem {@link verifyAuditChain} found. */
export interface AuditProblem {
  /**
   * - `modified`: a record's content no longer matches its hash, or a line or
   *   file cannot be read as OTLP JSON any more;
   * - `removed`: seqs are missing (a gap, or a chain not starting at seq 1);
   * - `inserted`: a record without audit attributes, a second record with the
   *   same seq, or a record whose prev_hash is not the hash of the record
   *   before it;
   * - `reordered`: a record stands in its file after a record with a higher
   *   seq (lines moved or swapped).
   */
  kind: AuditProblemKind;
  /** The record's seq (for `removed`: the first missing seq). */
  seq?: number;
  /** The record's `log.record.uid`. */
  uid?: string;
  /** File name inside the directory. */
  file?: string;
  /** 1-based line number in the (decompressed) file. */
  line?: number;
  /** One sentence for a human. */
  detail: string;
}

/** The outcome of {@link verifyAuditChain}. */
export interface AuditVerification {
  /** True when the chain is whole: seq 1 to {@link head}, every hash and link right, files in order. */
  ok: boolean;
  /** Records read from the directory (an exact copy of a record counts once). */
  records: number;
  /**
   * The last record of the chain (highest seq and its hash), when there is
   * one. A removed tail cannot be seen in the files: compare this with a head
   * kept elsewhere.
   */
  head?: AuditChainHead;
  /** The first problem, in chain order (problems without a seq first). */
  firstProblem?: AuditProblem;
}

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditChainOptions {
  /**
   * Accept a chain whose oldest records are gone (rotated-out backups): the
   * chain is checked from its lowest seq on. Default false: it must start at
   * seq 1 with a prev_hash of 64 zeros.
   */
  allowMissingStart?: boolean;
  /**
   * The key the chain was written with (the `audit.key` option). With it,
   * every record must carry an HMAC-SHA-256 made with it: a record hashed
   * without the key, or with another, is `modified`. Without it, a keyed chain
   * cannot be checked and the call rejects (code `ERR_AUDIT_KEY_REQUIRED`).
   */
  key?: Uint8Array;
}

/** The code of the error {@link verifyAuditChain} rejects with for a keyed chain and no key. */
export const ERR_AUDIT_KEY_REQUIRED = 'ERR_AUDIT_KEY_REQUIRED';

interface Entry {
  seq: number;
  uid: string | undefined;
  prev: string | undefined;
  stored: string;
  computed: string;
  file: string;
  line: number;
  /** Set when the record follows a higher seq in its file. */
  outOfOrder?: string;
  /** Set when a key was given and the record's hash is not keyed (or names an unknown algorithm). */
  notKeyed?: string;
}

/**
 * Verifies the audit hash chain of a directory written through an
 * {@link AuditChainLogRecordProcessor}: reads every category file and its
 * rotated `.N.gz` backups, recomputes each record's hash from its OTLP/JSON
 * form, merges the files by `logkit.audit.seq` (one chain per directory), and
 * checks seq continuity, each prev_hash link, and that each file holds its
 * records in seq order. An exact copy of a record (same seq, same hash, intact
 * content) counts once and is no problem: rotation can leave one after a
 * crash. Resolves with the first problem, if any; rejects only
 * when the directory cannot be read (ENOENT for a missing one, ENOTDIR).
 */
export async function verifyAuditChain(
  path: string,
  options: VerifyAuditChainOptions = {},
): Promise<AuditVerification> {
  const info = await stat(path);
  if (!info.isDirectory()) {
    const error = new Error(`not a directory: ${path}`) as NodeJS.ErrnoException;
    error.code = 'ENOTDIR';
    throw error;
  }
  const entries: Entry[] = [];
  let structural: AuditProblem | undefined;
  const intact = new Set<string>();
  let records = 0;
  const note = (problem: AuditProblem): void => {
    structural ??= problem;
  };

  for (const files of listAuditChains(path)) {
    let maxBefore = 0;
    let maxAt = '';
    for (const file of files) {
      let text: string;
      try {
        const raw = await readFile(file.path);
        const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
        text = (gzip ? await gunzipAsync(raw) : raw).toString('utf8');
      } catch (error) {
        note({
          kind: 'modified',
          file: file.name,
          detail: `cannot read ${file.name}: ${(error as Error).message}`,
        });
        continue;
      }
      const lines = splitLines(text);
      for (const [index, line] of lines.entries()) {
        const lineNo = index + 1;
        if (line.trim() === '') continue;
        const groups = parseLine(line);
        if (!groups) {
          note({
            kind: 'modified',
            file: file.name,
            line: lineNo,
            detail: `${file.name}:${lineNo} is not an OTLP JSON log request`,
          });
          continue;
        }
        let lineMax = maxBefore;
        for (const group of groups) {
          let lastInGroup = 0;
          for (const record of group.records) {
            const seq = intAttribute(record, ATTR_AUDIT_SEQ);
            const stored = stringAttribute(record, ATTR_AUDIT_HASH);
            const uid = stringAttribute(record, ATTR_LOG_RECORD_UID);
            if (seq === undefined || stored === undefined) {
              records++;
              note({
                kind: 'inserted',
                uid,
                file: file.name,
                line: lineNo,
                detail: `${file.name}:${lineNo} holds a record without ${ATTR_AUDIT_SEQ} and ${ATTR_AUDIT_HASH}`,
              });
              continue;
            }
            const alg = stringAttribute(record, ATTR_AUDIT_ALG);
            let notKeyed: string | undefined;
            let computed: string;
            if (alg === AUDIT_ALG_HMAC) {
              if (!options.key) {
                const error = new Error(
                  `the audit chain in ${path} is keyed (HMAC-SHA-256, ${file.name}:${lineNo}): verifying it needs its key`,
                ) as NodeJS.ErrnoException;
                error.code = ERR_AUDIT_KEY_REQUIRED;
                throw error;
              }
              computed = auditHash(record, group.scopeName, options.key);
            } else if (options.key || alg !== undefined) {
              notKeyed =
                alg === undefined
                  ? 'its hash is not keyed (a plain SHA-256): it was written or rewritten without the key'
                  : `its ${ATTR_AUDIT_ALG} is ${JSON.stringify(alg)}, not ${AUDIT_ALG_HMAC}`;
              computed = '';
            } else {
              computed = auditHash(record, group.scopeName);
            }
            // An intact copy of a record already read (a crash between a
            // rotation's gzip and its removal of the file leaves the lines
            // twice) adds nothing: it is skipped, not counted.
            if (computed === stored) {
              const key = `${seq}:${stored}`;
              if (intact.has(key)) continue;
              intact.add(key);
            }
            records++;
            const entry: Entry = {
              seq,
              uid,
              prev: stringAttribute(record, ATTR_AUDIT_PREV_HASH),
              stored,
              computed,
              file: file.name,
              line: lineNo,
            };
            if (notKeyed) entry.notKeyed = notKeyed;
            if (seq <= maxBefore) {
              entry.outOfOrder = `seq ${seq} (${file.name}:${lineNo}) comes after seq ${maxBefore} (${maxAt}) in its file`;
            } else if (seq <= lastInGroup) {
              entry.outOfOrder = `seq ${seq} (${file.name}:${lineNo}) comes after seq ${lastInGroup} in the same line`;
            }
            lastInGroup = Math.max(lastInGroup, seq);
            lineMax = Math.max(lineMax, seq);
            entries.push(entry);
          }
        }
        if (lineMax > maxBefore) {
          maxBefore = lineMax;
          maxAt = `${file.name}:${lineNo}`;
        }
      }
    }
  }

  if (structural) return { ok: false, records, firstProblem: structural };
  const problem = walkChain(entries, options);
  const last = entries.reduce<Entry | undefined>(
    (a, e) => (!a || e.seq > a.seq ? e : a),
    undefined,
  );
  const head = last ? { seq: last.seq, hash: last.stored } : undefined;
  return problem
    ? { ok: false, records, head, firstProblem: problem }
    : { ok: true, records, head };
}

function at(entry: Entry): string {
  return `${entry.file}:${entry.line}`;
}

function walkChain(entries: Entry[], options: VerifyAuditChainOptions): AuditProblem | undefined {
  // Stable: equal seqs keep file order.
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  const first = sorted[0];
  if (!first) return undefined;
  let expected = 1;
  let prevHash = GENESIS_HASH;
  if (options.allowMissingStart && first.seq > 1) {
    expected = first.seq;
    prevHash = first.prev ?? '';
  }
  let i = 0;
  while (i < sorted.length) {
    const seq = sorted[i]!.seq;
    let end = i + 1;
    while (end < sorted.length && sorted[end]!.seq === seq) end++;
    const group = sorted.slice(i, end);
    const nextPrevs = new Set<string | undefined>();
    for (let j = end; j < sorted.length && sorted[j]!.seq === seq + 1; j++) {
      nextPrevs.add(sorted[j]!.prev);
    }
    i = end;

    if (seq < expected) {
      // Only a seq below 1 (or below a missing start) can get here.
      const e = group[0]!;
      return {
        kind: 'inserted',
        seq,
        uid: e.uid,
        file: e.file,
        line: e.line,
        detail: `seq ${seq} (${at(e)}) is before the start of the chain (seq ${expected})`,
      };
    }
    if (seq > expected) {
      const e = group[0]!;
      const range = seq - 1 > expected ? `seqs ${expected}–${seq - 1} are` : `seq ${expected} is`;
      return {
        kind: 'removed',
        seq: expected,
        file: e.file,
        line: e.line,
        detail: `${range} missing (the next record is seq ${seq} at ${at(e)})`,
      };
    }

    if (group.length > 1) {
      const sound = group.filter((e) => e.computed === e.stored && e.prev === prevHash);
      const genuine = sound.find((e) => nextPrevs.has(e.stored)) ?? sound[0] ?? group[0]!;
      const extra = group.find((e) => e !== genuine)!;
      return {
        kind: 'inserted',
        seq,
        uid: extra.uid,
        file: extra.file,
        line: extra.line,
        detail: `a second record with seq ${seq} at ${at(extra)} (the chain's is at ${at(genuine)})`,
      };
    }
    const entry = group[0]!;
    if (entry.computed !== entry.stored) {
      return {
        kind: 'modified',
        seq,
        uid: entry.uid,
        file: entry.file,
        line: entry.line,
        detail: entry.notKeyed
          ? `seq ${seq} (${at(entry)}): ${entry.notKeyed}`
          : `seq ${seq} (${at(entry)}) does not match its hash: its content was changed`,
      };
    }
    if (entry.prev !== prevHash) {
      return {
        kind: 'inserted',
        seq,
        uid: entry.uid,
        file: entry.file,
        line: entry.line,
        detail:
          seq === 1
            ? `seq 1 (${at(entry)}) does not start the chain: its prev_hash is not 64 zeros`
            : `seq ${seq} (${at(entry)}) does not follow seq ${seq - 1}: its prev_hash is not that record's hash (one of them was forged or replaced)`,
      };
    }
    if (entry.outOfOrder) {
      return {
        kind: 'reordered',
        seq,
        uid: entry.uid,
        file: entry.file,
        line: entry.line,
        detail: entry.outOfOrder,
      };
    }
    prevHash = entry.stored;
    expected = seq + 1;
  }
  return undefined;
}
