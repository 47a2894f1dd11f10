import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { ATTR_LOGKIT_CATEGORY } from '../../src/attributes.js';
import { AuditChainLogRecordProcessor } from '../../src/audit/index.js';
import { FileLogRecordExporter } from '../../src/exporters/FileLogRecordExporter.js';

const CATEGORIES = ['security', 'user', undefined, 'security', 'llm'] as const;

/**
 * Emits `count` varied records (ints, doubles, maps, arrays, bytes, an
 * exception, trace context, several scopes and categories) through the real
 * pieces: AuditChain → BatchLogRecordProcessor → FileLogRecordExporter with a
 * small file size so rotation makes `.gz` backups; then shuts down.
 */
export async function writeChain(
  dir: string,
  count: number,
  from = 0,
  key?: Uint8Array,
): Promise<void> {
  const provider = new LoggerProvider({
    processors: [
      new AuditChainLogRecordProcessor({
        delegate: new BatchLogRecordProcessor({
          exporter: new FileLogRecordExporter({ dir, maxFileBytes: 6000, maxBackups: 1000 }),
          maxExportBatchSize: 4,
          scheduledDelayMillis: 60_000,
        }),
        dir,
        key,
      }),
    ],
  });
  const loggers = [provider.getLogger('auth', '1.0.0'), provider.getLogger('billing')];
  for (let k = from; k < from + count; k++) {
    const category = CATEGORIES[k % CATEGORIES.length];
    const context =
      k % 3 === 0
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: '0af7651916cd43dd8448eb211c80319c',
            spanId: 'b7ad6b7169203331',
            traceFlags: TraceFlags.SAMPLED,
          })
        : ROOT_CONTEXT;
    loggers[k % 2]!.emit({
      severityNumber: k % 7 === 0 ? 17 : 9,
      severityText: k % 7 === 0 ? 'ERROR' : 'INFO',
      eventName: k % 4 === 0 ? 'user.login' : undefined,
      body:
        k % 2 === 0
          ? `record ${k}`
          : { step: k, ratio: k / 8, nested: { list: [1, 2.5, 'x', true], empty: null } },
      context,
      attributes: {
        ...(category ? { [ATTR_LOGKIT_CATEGORY]: category } : {}),
        'n.int': k,
        'n.double': k + 0.25,
        'n.whole_double': 3.0,
        'n.big': 2 ** 60,
        'n.negative': -k,
        flag: k % 2 === 0,
        tags: ['a', 'b', k],
        'user.attrs': { id: `u${k}`, roles: ['admin', 'ops'], score: 0.5 },
        blob: new Uint8Array([k % 256, 1, 2]),
        ...(k % 7 === 0
          ? {
              'exception.type': 'TypeError',
              'exception.message': `boom ${k}`,
              'exception.stacktrace': `TypeError: boom ${k}\n    at f (file.js:1:1)`,
            }
          : {}),
      },
    });
  }
  await provider.shutdown();
}

/** Text lines of a file, gunzipped if it is a backup. */
export function readLines(path: string): string[] {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Rewrites a file's lines, re-gzipping a backup. */
export function writeLines(path: string, lines: string[]): void {
  const text = lines.map((line) => `${line}\n`).join('');
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(text) : text);
}

type JsonRecord = { attributes: Array<{ key: string; value: Record<string, unknown> }> };
type JsonRequest = {
  resourceLogs: Array<{
    resource?: unknown;
    scopeLogs: Array<{ scope?: { name?: string }; logRecords: JsonRecord[] }>;
  }>;
};

/** The records of one line, with their seqs. */
export function lineRecords(line: string): { request: JsonRequest; records: JsonRecord[] } {
  const request = JSON.parse(line) as JsonRequest;
  const records = request.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords));
  return { request, records };
}

export function seqOf(record: JsonRecord): number {
  return Number(record.attributes.find((kv) => kv.key === 'logkit.audit.seq')!.value.intValue);
}

export function attr(record: JsonRecord, key: string): Record<string, unknown> | undefined {
  return record.attributes.find((kv) => kv.key === key)?.value;
}

/** Where the record with `seq` is: file path and 0-based line index. */
export function locate(dir: string, seq: number): { path: string; index: number; name: string } {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const lines = readLines(path);
    const index = lines.findIndex((line) =>
      lineRecords(line).records.some((r) => seqOf(r) === seq),
    );
    if (index >= 0) return { path, index, name };
  }
  throw new Error(`seq ${seq} not found in ${dir}`);
}

/** A function returning a fresh copy of the chain in `source` (under `root`) to tamper with. */
export function chainCopier(root: () => string, source: () => string): () => string {
  let copies = 0;
  return () => {
    const dir = join(root(), `copy-${++copies}`);
    cpSync(source(), dir, { recursive: true });
    return dir;
  };
}
