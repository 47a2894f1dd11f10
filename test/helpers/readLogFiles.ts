import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** A log record read back from an OTLP-JSON file, with its file and resource. */
export interface FileRecord {
  file: string;
  resource: Record<string, unknown>;
  scope: string;
  body: unknown;
  severityText?: string;
  severityNumber?: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
  attributes: Record<string, unknown>;
}

function anyValue(v: Record<string, unknown> | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('bytesValue' in v) return v.bytesValue;
  if ('arrayValue' in v) {
    return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  }
  if ('kvlistValue' in v) {
    return keyValues((v.kvlistValue as { values?: KeyValue[] }).values);
  }
  return undefined;
}

type KeyValue = { key: string; value?: Record<string, unknown> };

function keyValues(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

/**
 * Reads every `*.jsonl` (and rotated `*.jsonl.N.gz`) file in `dir`, checks each
 * line is an OTLP JSON ExportLogsServiceRequest, and returns its records.
 */
export function readLogFiles(dir: string): FileRecord[] {
  const out: FileRecord[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!/\.jsonl(\.\d+\.gz)?$/.test(file) || file.startsWith('metrics')) continue;
    const raw = readFileSync(path.join(dir, file));
    const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const request = JSON.parse(line) as {
        resourceLogs: Array<{
          resource?: { attributes?: KeyValue[] };
          scopeLogs: Array<{
            scope?: { name?: string };
            logRecords: Array<Record<string, unknown>>;
          }>;
        }>;
      };
      for (const rl of request.resourceLogs) {
        for (const sl of rl.scopeLogs) {
          for (const r of sl.logRecords) {
            out.push({
              file,
              resource: keyValues(rl.resource?.attributes),
              scope: sl.scope?.name ?? '',
              body: anyValue(r.body as Record<string, unknown>),
              severityText: r.severityText as string | undefined,
              severityNumber: r.severityNumber as number | undefined,
              traceId: (r.traceId as string | undefined) || undefined,
              spanId: (r.spanId as string | undefined) || undefined,
              eventName: r.eventName as string | undefined,
              attributes: keyValues(r.attributes as KeyValue[]),
            });
          }
        }
      }
    }
  }
  return out;
}
