import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { OtlpJsonLogRecord } from './canonical.js';
import { parseBackupName } from '../logFiles.js';

/** One file of an audit directory. */
export interface AuditFile {
  /** File name, e.g. `security.jsonl` or `security.jsonl.2.gz`. */
  readonly name: string;
  readonly path: string;
  /** Name of the current file of its rotation chain, e.g. `security.jsonl`. */
  readonly chain: string;
  /** 0 for the current file, N for the backup `.N.gz` (higher is older). */
  readonly rank: number;
}

/** A current audit file's name: its chain's name. */
const AUDIT_FILE = /^.+\.jsonl$/;

/**
 * The rotation chains of an audit directory (one per category file), each
 * oldest file first (`x.jsonl.5.gz` … `x.jsonl.1.gz`, then `x.jsonl`), in
 * chain-name order. Throws what `readdirSync` throws (ENOENT for no directory).
 */
export function listAuditChains(dir: string): AuditFile[][] {
  const chains = new Map<string, AuditFile[]>();
  for (const name of readdirSync(dir).sort()) {
    const backup = parseBackupName(name);
    const chain = backup?.base ?? name;
    if (!AUDIT_FILE.test(chain) || chain.startsWith('metrics.')) continue;
    const file: AuditFile = { name, path: join(dir, name), chain, rank: backup?.n ?? 0 };
    const files = chains.get(chain);
    if (files) files.push(file);
    else chains.set(chain, [file]);
  }
  return [...chains.keys()].sort().map((key) => chains.get(key)!.sort((a, b) => b.rank - a.rank));
}

/** The text of a file, gunzipped when it is gzip-compressed (by its magic bytes). */
export function decodeFileText(raw: Buffer): string {
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  return (gzip ? gunzipSync(raw) : raw).toString('utf8');
}

/** The records of one scopeLogs of a line. */
export interface ScopeGroup {
  readonly scopeName: string;
  readonly records: OtlpJsonLogRecord[];
}

/**
 * The scopeLogs groups of one OTLP/JSON line (an ExportLogsServiceRequest), in
 * written order; undefined when the line is not one.
 */
export function parseLine(line: string): ScopeGroup[] | undefined {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof request !== 'object' || request === null) return undefined;
  const resourceLogs = (request as { resourceLogs?: unknown }).resourceLogs;
  if (!Array.isArray(resourceLogs)) return undefined;
  const groups: ScopeGroup[] = [];
  for (const rl of resourceLogs as Array<{ scopeLogs?: unknown }>) {
    if (!Array.isArray(rl?.scopeLogs)) return undefined;
    for (const sl of rl.scopeLogs as Array<{ scope?: { name?: unknown }; logRecords?: unknown }>) {
      if (sl?.logRecords !== undefined && !Array.isArray(sl.logRecords)) return undefined;
      const records = (sl?.logRecords ?? []) as unknown[];
      if (records.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
        return undefined;
      }
      groups.push({
        scopeName: typeof sl?.scope?.name === 'string' ? sl.scope.name : '',
        records: records as OtlpJsonLogRecord[],
      });
    }
  }
  return groups;
}

/** Lines of a file's text; a final empty piece after the last newline is not a line. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
