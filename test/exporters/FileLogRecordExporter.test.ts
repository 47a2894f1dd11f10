import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { SpanContext } from '@opentelemetry/api';
import type {} from '../../src/logger/anyValue.js';
import type { AnyValue } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { ATTR_LOGKIT_CATEGORY } from '../../src/attributes.js';
import { CATEGORY_FILES, fileNameForCategory } from '../../src/exporters/categoryFiles.js';
import { FileLogRecordExporter } from '../../src/exporters/FileLogRecordExporter.js';
import { exportAsync, useExporterTestEnv } from './support.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

const env = useExporterTestEnv('logkit-logs-');

interface RecordSpec {
  body: string;
  category?: AnyValue;
  spanContext?: SpanContext;
}

/** Real ReadableLogRecords, made by the SDK's own LoggerProvider. */
async function makeRecords(specs: RecordSpec[]): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('test-scope', '1.2.3');
  for (const spec of specs) {
    logger.emit({
      body: spec.body,
      severityText: 'INFO',
      attributes: spec.category === undefined ? {} : { [ATTR_LOGKIT_CATEGORY]: spec.category },
      ...(spec.spanContext
        ? { context: trace.setSpanContext(ROOT_CONTEXT, spec.spanContext) }
        : {}),
    });
  }
  await provider.forceFlush();
  const records = memory.getFinishedLogRecords();
  await provider.shutdown();
  return records;
}

interface OtlpLogRecord {
  body: { stringValue?: string };
  traceId?: string;
  spanId?: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

interface OtlpScopeLogs {
  scope: { name: string };
  logRecords: OtlpLogRecord[];
}

/** Parses every line of a file as an OTLP JSON logs request; returns bodies per line. */
function readLines(path: string): OtlpLogRecord[][] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const request = JSON.parse(line);
      expect(Array.isArray(request.resourceLogs)).toBe(true);
      const records: OtlpLogRecord[] = [];
      for (const resourceLogs of request.resourceLogs) {
        expect(Array.isArray(resourceLogs.scopeLogs)).toBe(true);
        for (const scopeLogs of resourceLogs.scopeLogs) {
          expect(scopeLogs.scope.name).toBe('test-scope');
          expect(Array.isArray(scopeLogs.logRecords)).toBe(true);
          records.push(...scopeLogs.logRecords);
        }
      }
      return records;
    });
}

const bodies = (lines: OtlpLogRecord[][]) => lines.map((l) => l.map((r) => r.body.stringValue));

describe('fileNameForCategory', () => {
  it('maps the documented categories and sends everything else to app.jsonl', () => {
    expect(fileNameForCategory('user')).toBe('user_interactions.jsonl');
    expect(fileNameForCategory('system')).toBe('system_health.jsonl');
    expect(fileNameForCategory('tool')).toBe('tool_executions.jsonl');
    expect(fileNameForCategory('llm')).toBe('llm_calls.jsonl');
    expect(fileNameForCategory('security')).toBe('security.jsonl');
    expect(fileNameForCategory('performance')).toBe('performance.jsonl');
    for (const other of ['billing', '', 'USER', 'toString', '__proto__', undefined, null, 42, {}]) {
      expect(fileNameForCategory(other)).toBe('app.jsonl');
    }
    expect(Object.isFrozen(CATEGORY_FILES)).toBe(true);
  });
});

describe('FileLogRecordExporter', () => {
  it('exposes its directory', () => {
    expect(new FileLogRecordExporter({ dir: env.tmp }).dir).toBe(env.tmp);
  });

  it('writes each category to its own file as OTLP JSON lines', async () => {
    const dir = join(env.tmp, 'logs');
    const exporter = new FileLogRecordExporter({ dir });
    const records = await makeRecords([
      { body: 'u1', category: 'user' },
      { body: 's1', category: 'system' },
      { body: 't1', category: 'tool' },
      { body: 'l1', category: 'llm' },
      { body: 'sec1', category: 'security' },
      { body: 'p1', category: 'performance' },
      { body: 'u2', category: 'user' },
      { body: 'a1', category: 'billing' },
      { body: 'a2' },
      { body: 'a3', category: 42 },
    ]);
    expect(await exportAsync(exporter, records)).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();

    expect(readdirSync(dir).sort()).toEqual([
      'app.jsonl',
      'llm_calls.jsonl',
      'performance.jsonl',
      'security.jsonl',
      'system_health.jsonl',
      'tool_executions.jsonl',
      'user_interactions.jsonl',
    ]);
    // One export call → one line per file, holding that file's records in order.
    expect(bodies(readLines(join(dir, 'user_interactions.jsonl')))).toEqual([['u1', 'u2']]);
    expect(bodies(readLines(join(dir, 'system_health.jsonl')))).toEqual([['s1']]);
    expect(bodies(readLines(join(dir, 'tool_executions.jsonl')))).toEqual([['t1']]);
    expect(bodies(readLines(join(dir, 'llm_calls.jsonl')))).toEqual([['l1']]);
    expect(bodies(readLines(join(dir, 'security.jsonl')))).toEqual([['sec1']]);
    expect(bodies(readLines(join(dir, 'performance.jsonl')))).toEqual([['p1']]);
    expect(bodies(readLines(join(dir, 'app.jsonl')))).toEqual([['a1', 'a2', 'a3']]);

    const [userRecord] = readLines(join(dir, 'user_interactions.jsonl'))[0]!;
    expect(userRecord!.attributes).toContainEqual({
      key: ATTR_LOGKIT_CATEGORY,
      value: { stringValue: 'user' },
    });

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(dir)) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
  });

  it('writes trace and span ids as hex strings when the record had a span context', async () => {
    const exporter = new FileLogRecordExporter({ dir: env.tmp });
    const records = await makeRecords([
      { body: 'traced', spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 } },
      { body: 'untraced' },
    ]);
    await exportAsync(exporter, records);
    await exporter.shutdown();

    const [line] = readLines(join(env.tmp, 'app.jsonl'));
    const [traced, untraced] = line!;
    expect(traced!.traceId).toBe(TRACE_ID);
    expect(traced!.spanId).toBe(SPAN_ID);
    expect(untraced!.traceId).toBeUndefined();
    expect(untraced!.spanId).toBeUndefined();
  });

  it('has everything exported before shutdown() resolves on disk', async () => {
    const exporter = new FileLogRecordExporter({ dir: env.tmp });
    const results: ExportResult[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const records = await makeRecords([
        { body: `user-${batch}`, category: 'user' },
        { body: `llm-${batch}`, category: 'llm' },
      ]);
      exporter.export(records, (result) => results.push(result));
    }
    await exporter.shutdown();

    expect(results).toHaveLength(5);
    expect(results.every((r) => r.code === ExportResultCode.SUCCESS)).toBe(true);
    expect(bodies(readLines(join(env.tmp, 'user_interactions.jsonl')))).toEqual(
      [0, 1, 2, 3, 4].map((b) => [`user-${b}`]),
    );
    expect(bodies(readLines(join(env.tmp, 'llm_calls.jsonl')))).toEqual(
      [0, 1, 2, 3, 4].map((b) => [`llm-${b}`]),
    );
  });

  it('forceFlush waits for pending exports', async () => {
    const exporter = new FileLogRecordExporter({ dir: env.tmp });
    const results: ExportResult[] = [];
    exporter.export(await makeRecords([{ body: 'x' }]), (result) => results.push(result));
    exporter.export(await makeRecords([{ body: 'y' }]), (result) => results.push(result));
    await exporter.forceFlush();
    expect(results.map((r) => r.code)).toEqual([
      ExportResultCode.SUCCESS,
      ExportResultCode.SUCCESS,
    ]);
    expect(bodies(readLines(join(env.tmp, 'app.jsonl')))).toEqual([['x'], ['y']]);
    await exporter.shutdown();
  });

  it('works behind the SDK: records emitted before provider.shutdown() are on disk', async () => {
    const exporter = new FileLogRecordExporter({ dir: env.tmp });
    const provider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('test-scope');
    for (let i = 0; i < 20; i++) {
      logger.emit({ body: `m${i}`, attributes: { [ATTR_LOGKIT_CATEGORY]: 'tool' } });
    }
    await provider.shutdown();
    const lines = bodies(readLines(join(env.tmp, 'tool_executions.jsonl')));
    expect(lines.flat()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it('rotates each file into gzip backups of whole lines', async () => {
    const exporter = new FileLogRecordExporter({ dir: env.tmp, maxFileBytes: 1500, maxBackups: 2 });
    for (let i = 0; i < 12; i++) {
      const result = await exportAsync(
        exporter,
        await makeRecords([{ body: `r${i}`, category: 'security' }]),
      );
      expect(result.code).toBe(ExportResultCode.SUCCESS);
    }
    await exporter.shutdown();

    const files = readdirSync(env.tmp).sort();
    expect(files).toEqual(['security.jsonl', 'security.jsonl.1.gz', 'security.jsonl.2.gz']);
    const current = readFileSync(join(env.tmp, 'security.jsonl'));
    expect(current.length).toBeLessThanOrEqual(1500);

    const parse = (text: string) =>
      text
        .trimEnd()
        .split('\n')
        .map((line) => {
          const request = JSON.parse(line) as { resourceLogs: { scopeLogs: OtlpScopeLogs[] }[] };
          return request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body.stringValue;
        });
    const older = parse(gunzipSync(readFileSync(join(env.tmp, 'security.jsonl.2.gz'))).toString());
    const newer = parse(gunzipSync(readFileSync(join(env.tmp, 'security.jsonl.1.gz'))).toString());
    const latest = parse(current.toString());
    const all = [...older, ...newer, ...latest];
    // The oldest records were dropped with the third backup; the rest are in order.
    expect(all).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`).slice(12 - all.length));
    expect(all.length).toBeLessThan(12);
  });

  it('returns FAILED after shutdown without writing, and shutdown is idempotent', async () => {
    const dir = join(env.tmp, 'never');
    const exporter = new FileLogRecordExporter({ dir });
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
    const result = await exportAsync(exporter, await makeRecords([{ body: 'late' }]));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toBeInstanceOf(Error);
    expect(existsSync(dir)).toBe(false);
    await expect(exporter.shutdown()).resolves.toBeUndefined();
  });

  it('returns FAILED on a write error, never throws, and reports through diag once', async () => {
    const blocker = join(env.tmp, 'a-file');
    writeFileSync(blocker, '');
    const exporter = new FileLogRecordExporter({ dir: join(blocker, 'logs') });
    const records = await makeRecords([
      { body: 'u', category: 'user' },
      { body: 'a', category: 'other' },
    ]);

    const results: ExportResult[] = [];
    for (let i = 0; i < 3; i++) {
      expect(() => exporter.export(records, (result) => results.push(result))).not.toThrow();
    }
    await exporter.forceFlush();

    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error).toBeInstanceOf(Error);
    }
    // Two files, three exports, one error code: one report.
    expect(env.diagErrors).toHaveLength(1);
    expect(String(env.diagErrors[0]![0])).toContain('otel-logkit');
    await expect(exporter.shutdown()).resolves.toBeUndefined();
    expect(env.diagErrors).toHaveLength(1);
  });

  it('reports a write error under /proc as FAILED without throwing', async () => {
    const exporter = new FileLogRecordExporter({ dir: '/proc/otel-logkit-test/logs' });
    const result = await exportAsync(exporter, await makeRecords([{ body: 'x' }]));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(env.diagErrors).toHaveLength(1);
    await exporter.shutdown();
  });

  it('keeps the good records of a batch holding one that cannot be serialized', async () => {
    const exporter = new FileLogRecordExporter({ dir: env.tmp });
    const [good1, template, good2] = await makeRecords([
      { body: 'good-1' },
      { body: 'bad' },
      { body: 'good-2' },
    ]);
    // A value the OTLP encoder cannot read (its getter throws). (An invalid
    // timestamp is not one: it is written as 0, unknown; see hrTimeNanos.)
    const hostile = {};
    Object.defineProperty(hostile, 'trap', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const bad: ReadableLogRecord = {
      hrTime: template!.hrTime,
      hrTimeObserved: template!.hrTimeObserved,
      body: 'bad',
      resource: template!.resource,
      instrumentationScope: template!.instrumentationScope,
      attributes: hostile,
      droppedAttributesCount: 0,
    };

    let result: ExportResult | undefined;
    const done = new Promise<void>((resolve) => {
      expect(() =>
        exporter.export([good1!, bad, good2!], (r) => {
          result = r;
          resolve();
        }),
      ).not.toThrow();
    });
    await done;
    await exporter.shutdown();

    expect(result?.code).toBe(ExportResultCode.FAILED);
    expect(result?.error?.message).toContain('dropped 1 log record');
    expect(bodies(readLines(join(env.tmp, 'app.jsonl')))).toEqual([['good-1', 'good-2']]);
    expect(env.diagErrors).toHaveLength(1);
  });

  it('succeeds on an empty batch without creating files', async () => {
    const dir = join(env.tmp, 'empty');
    const exporter = new FileLogRecordExporter({ dir });
    expect(await exportAsync(exporter, [])).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();
    expect(existsSync(dir)).toBe(false);
  });

  it('contains a throwing result callback', async () => {
    const exporter = new FileLogRecordExporter({ dir: env.tmp });
    exporter.export(await makeRecords([{ body: 'x' }]), () => {
      throw new Error('callback failure');
    });
    await exporter.shutdown();
    expect(env.diagErrors).toHaveLength(1);
    expect(bodies(readLines(join(env.tmp, 'app.jsonl')))).toEqual([['x']]);
  });
});
