import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditChainLogRecordProcessor,
  GENESIS_HASH,
  auditHash,
  verifyAuditChain,
} from '../../src/audit/index.js';
import type { OtlpJsonLogRecord } from '../../src/audit/index.js';
import { readLogFiles } from '../helpers/readLogFiles.js';
import {
  attr,
  chainCopier,
  lineRecords,
  locate,
  readLines,
  seqOf,
  writeChain,
  writeLines,
} from './chainHelpers.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const COUNT = 60;

let root: string;
let original: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'logkit-audit-'));
  original = join(root, 'original');
  await writeChain(original, COUNT);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh copy of the original chain to tamper with. */
const copy = chainCopier(
  () => root,
  () => original,
);

describe('AuditChainLogRecordProcessor', () => {
  it('writes a chain across category files and rotated backups that verifies', async () => {
    const names = readdirSync(original);
    expect(names.filter((n) => n.endsWith('.gz')).length).toBeGreaterThan(3);
    expect(names).toEqual(expect.arrayContaining(['security.jsonl', 'app.jsonl']));

    const records = readLogFiles(original);
    expect(records).toHaveLength(COUNT);
    const bySeq = [...records].sort(
      (a, b) => Number(a.attributes['logkit.audit.seq']) - Number(b.attributes['logkit.audit.seq']),
    );
    expect(bySeq.map((r) => r.attributes['logkit.audit.seq'])).toEqual(
      Array.from({ length: COUNT }, (_, i) => i + 1),
    );
    expect(bySeq[0]!.attributes['logkit.audit.prev_hash']).toBe(GENESIS_HASH);
    for (let i = 1; i < bySeq.length; i++) {
      expect(bySeq[i]!.attributes['logkit.audit.prev_hash']).toBe(
        bySeq[i - 1]!.attributes['logkit.audit.hash'],
      );
    }
    const uids = new Set(bySeq.map((r) => r.attributes['log.record.uid']));
    expect(uids.size).toBe(COUNT);
    for (const uid of uids) expect(uid).toMatch(UUID_V7);
    // The categories land in their own files.
    expect(new Set(records.map((r) => r.file.replace(/\.\d+\.gz$/, '')))).toEqual(
      new Set(['security.jsonl', 'user_interactions.jsonl', 'app.jsonl', 'llm_calls.jsonl']),
    );

    const result = await verifyAuditChain(original);
    expect(result).toEqual({
      ok: true,
      records: COUNT,
      head: { seq: COUNT, hash: bySeq.at(-1)!.attributes['logkit.audit.hash'] },
    });
  });

  it('keeps ints and doubles apart in what it hashes', () => {
    const { path, index } = locate(original, 2);
    const record = lineRecords(readLines(path)[index]!).records.find((r) => seqOf(r) === 2)!;
    // OTLP/JSON spells int64 as a decimal string.
    expect(attr(record, 'n.int')).toEqual({ intValue: '1' });
    expect(attr(record, 'n.double')).toEqual({ doubleValue: 1.25 });
    expect(attr(record, 'n.whole_double')).toEqual({ intValue: '3' });
    const asDouble = structuredClone(record) as unknown as OtlpJsonLogRecord;
    const kv = asDouble.attributes!.find((a) => a.key === 'n.whole_double')!;
    kv.value = { doubleValue: 3 };
    expect(auditHash(asDouble, 'billing')).not.toBe(
      auditHash(record as unknown as OtlpJsonLogRecord, 'billing'),
    );
  });

  it('resumes the chain after a restart, from the highest seq on disk', async () => {
    const dir = copy();
    const before = await verifyAuditChain(dir);
    const processor = new AuditChainLogRecordProcessor({ delegate: noopProcessor(), dir });
    expect(processor.head).toEqual(before.head);

    await writeChain(dir, 15, COUNT);
    const after = await verifyAuditChain(dir);
    expect(after.ok).toBe(true);
    expect(after.records).toBe(COUNT + 15);
    expect(after.head?.seq).toBe(COUNT + 15);
    const first = readLogFiles(dir).find((r) => r.attributes['logkit.audit.seq'] === COUNT + 1)!;
    expect(first.attributes['logkit.audit.prev_hash']).toBe(before.head!.hash);
  });

  it('starts a new chain in an empty or missing directory', () => {
    const processor = new AuditChainLogRecordProcessor({
      delegate: noopProcessor(),
      dir: join(root, 'missing', 'audit'),
    });
    expect(processor.head).toEqual({ seq: 0, hash: GENESIS_HASH });
  });

  it('chains a record forwarded after the SDK made it read-only', () => {
    const seen: ReadWriteLogRecord[] = [];
    const dir = join(root, 'late');
    const audit = new AuditChainLogRecordProcessor({ delegate: noopProcessor(), dir });
    // A step that holds the record and forwards it later, as buffer-until-error does.
    const provider = new LoggerProvider({
      processors: [{ ...noopProcessor(), onEmit: (record) => void seen.push(record) }],
    });
    provider.getLogger('late').emit({ body: 'held', attributes: { a: 1 } });
    audit.onEmit(seen[0]!);
    expect(seen[0]!.attributes['logkit.audit.seq']).toBe(1);
    expect(seen[0]!.attributes['logkit.audit.hash']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('chains a record emitted while another is hashed (a getter that logs) after it, not beside it', () => {
    const handedOn: ReadWriteLogRecord[] = [];
    const audit = new AuditChainLogRecordProcessor({
      delegate: { ...noopProcessor(), onEmit: (record) => void handedOn.push(record) },
      dir: join(root, 'reentrant'),
    });
    const logger = new LoggerProvider({ processors: [audit] }).getLogger('reentrant');
    // A record whose attribute map has a getter (the SDK copies attributes at
    // emit, so it goes on the record afterwards, as a step could): the
    // hashing reads it, and it logs through the same chain, once.
    const held: ReadWriteLogRecord[] = [];
    new LoggerProvider({
      processors: [{ ...noopProcessor(), onEmit: (record) => void held.push(record) }],
    })
      .getLogger('reentrant')
      .emit({ body: 'outer' });
    let reads = 0;
    Object.defineProperty(held[0]!.attributes, 'lazy', {
      enumerable: true,
      get: () => {
        if (reads++ === 0) logger.emit({ body: 'inner' });
        return 'value';
      },
    });
    audit.onEmit(held[0]!);

    expect(reads).toBeGreaterThan(0);
    expect(handedOn.map((r) => r.body)).toEqual(['outer', 'inner']);
    const [outer, inner] = handedOn.map((r) => r.attributes);
    expect(outer!['logkit.audit.seq']).toBe(1);
    expect(inner!['logkit.audit.seq']).toBe(2);
    expect(inner!['logkit.audit.prev_hash']).toBe(outer!['logkit.audit.hash']);
    expect(audit.head).toEqual({ seq: 2, hash: inner!['logkit.audit.hash'] });
  });

  it('hands on a record that waited behind one whose delegate threw, in order, and throws that error', () => {
    const handedOn: unknown[] = [];
    const audit = new AuditChainLogRecordProcessor({
      delegate: {
        ...noopProcessor(),
        onEmit: (record) => {
          handedOn.push(record.body);
          if (record.body === 'outer') throw new Error('delegate failed');
        },
      },
      dir: join(root, 'reentrant-throw'),
    });
    const logger = new LoggerProvider({ processors: [audit] }).getLogger('reentrant');
    const held: ReadWriteLogRecord[] = [];
    new LoggerProvider({
      processors: [{ ...noopProcessor(), onEmit: (record) => void held.push(record) }],
    })
      .getLogger('reentrant')
      .emit({ body: 'outer' });
    let reads = 0;
    Object.defineProperty(held[0]!.attributes, 'lazy', {
      enumerable: true,
      get: () => {
        if (reads++ === 0) logger.emit({ body: 'inner' });
        return 'value';
      },
    });
    expect(() => audit.onEmit(held[0]!)).toThrow('delegate failed');
    expect(handedOn).toEqual(['outer', 'inner']);
    expect(audit.head.seq).toBe(2);
  });
});

describe('verifyAuditChain finds the first problem', () => {
  it('a modified attribute in a gzip backup', async () => {
    const dir = copy();
    const { path, index, name } = locate(dir, 2);
    expect(name).toMatch(/\.gz$/);
    const lines = readLines(path);
    const { request, records } = lineRecords(lines[index]!);
    const target = records.find((r) => seqOf(r) === 2)!;
    attr(target, 'n.double')!.doubleValue = 99.5;
    lines[index] = JSON.stringify(request);
    writeLines(path, lines);

    const result = await verifyAuditChain(dir);
    expect(result.ok).toBe(false);
    expect(result.firstProblem).toMatchObject({
      kind: 'modified',
      seq: 2,
      file: name,
      line: index + 1,
      uid: attr(target, 'log.record.uid')!.stringValue,
    });
  });

  it('an int turned into a double of the same value', async () => {
    const dir = copy();
    const { path, index } = locate(dir, 30);
    const lines = readLines(path);
    const { request, records } = lineRecords(lines[index]!);
    const target = records.find((r) => seqOf(r) === 30)!;
    const kv = target.attributes.find((a) => a.key === 'n.int')!;
    kv.value = { doubleValue: Number(kv.value.intValue) };
    lines[index] = JSON.stringify(request);
    writeLines(path, lines);
    expect((await verifyAuditChain(dir)).firstProblem).toMatchObject({ kind: 'modified', seq: 30 });
  });

  it('a rewritten record with a recomputed hash breaks the next link', async () => {
    const dir = copy();
    const { path, index } = locate(dir, 20);
    const lines = readLines(path);
    const { request, records } = lineRecords(lines[index]!);
    const target = records.find((r) => seqOf(r) === 20)!;
    attr(target, 'n.int')!.intValue = 12345;
    const scope = request.resourceLogs[0]!.scopeLogs.find((sl) => sl.logRecords.includes(target))!;
    attr(target, 'logkit.audit.hash')!.stringValue = auditHash(target, scope.scope?.name ?? '');
    lines[index] = JSON.stringify(request);
    writeLines(path, lines);
    expect((await verifyAuditChain(dir)).firstProblem).toMatchObject({ kind: 'inserted', seq: 21 });
  });

  it('a deleted line', async () => {
    const dir = copy();
    const { path, index, name } = locate(dir, 25);
    const lines = readLines(path);
    const missing = Math.min(...lineRecords(lines[index]!).records.map(seqOf));
    lines.splice(index, 1);
    writeLines(path, lines);

    const result = await verifyAuditChain(dir);
    expect(result.firstProblem).toMatchObject({ kind: 'removed', seq: missing });
    expect(result.firstProblem?.detail).toMatch(/missing/);
    expect(name).toBeTruthy();
  });

  it('a deleted rotated backup', async () => {
    const dir = copy();
    const { path } = locate(dir, 1);
    const missing = Math.min(...readLines(path).flatMap((l) => lineRecords(l).records.map(seqOf)));
    rmSync(path);
    expect((await verifyAuditChain(dir)).firstProblem).toMatchObject({
      kind: 'removed',
      seq: missing,
    });
  });

  it('an inserted forged line', async () => {
    const dir = copy();
    const { path, index, name } = locate(dir, 40);
    const lines = readLines(path);
    const { request, records } = lineRecords(lines[index]!);
    const target = records.find((r) => seqOf(r) === 40)!;
    const scope = request.resourceLogs[0]!.scopeLogs.find((sl) => sl.logRecords.includes(target))!;
    // A well-formed record with its own valid hash and the right prev_hash.
    const forged = structuredClone(target);
    attr(forged, 'log.record.uid')!.stringValue = '01900000-0000-7000-8000-000000000000';
    attr(forged, 'n.int')!.intValue = -1;
    attr(forged, 'logkit.audit.hash')!.stringValue = auditHash(forged, scope.scope?.name ?? '');
    const forgedLine = JSON.stringify({
      resourceLogs: [
        {
          resource: request.resourceLogs[0]!.resource,
          scopeLogs: [{ scope: scope.scope, logRecords: [forged] }],
        },
      ],
    });
    lines.splice(index + 1, 0, forgedLine);
    writeLines(path, lines);

    expect((await verifyAuditChain(dir)).firstProblem).toMatchObject({
      kind: 'inserted',
      seq: 40,
      file: name,
      line: index + 2,
      uid: '01900000-0000-7000-8000-000000000000',
    });
  });

  it('a line without audit attributes', async () => {
    const dir = copy();
    const path = join(dir, 'app.jsonl');
    const lines = readLines(path);
    const { request, records } = lineRecords(lines[0]!);
    for (const r of records) {
      r.attributes = r.attributes.filter((kv) => !kv.key.startsWith('logkit.audit.'));
    }
    lines.push(JSON.stringify(request));
    writeLines(path, lines);
    expect((await verifyAuditChain(dir)).firstProblem).toMatchObject({
      kind: 'inserted',
      file: 'app.jsonl',
      line: lines.length,
    });
  });

  it('two swapped lines', async () => {
    const dir = copy();
    const name = readdirSync(dir).find((n) => readLines(join(dir, n)).length >= 3)!;
    const path = join(dir, name);
    const lines = readLines(path);
    const earlier = Math.min(...lineRecords(lines[0]!).records.map(seqOf));
    [lines[0], lines[1]] = [lines[1]!, lines[0]!];
    writeLines(path, lines);

    const result = await verifyAuditChain(dir);
    expect(result.firstProblem).toMatchObject({
      kind: 'reordered',
      seq: earlier,
      file: name,
      line: 2,
    });
  });

  it('a garbage line', async () => {
    const dir = copy();
    const path = join(dir, 'security.jsonl');
    writeLines(path, [...readLines(path), '{"resourceLogs": [tru']);
    expect((await verifyAuditChain(dir)).firstProblem).toMatchObject({
      kind: 'modified',
      file: 'security.jsonl',
    });
  });

  it('accepts a chain whose oldest records are gone only when asked', async () => {
    const dir = join(root, 'tail-only');
    const all = readdirSync(original);
    cpSync(original, dir, { recursive: true });
    // Drop every record before seq 11 from every file: a clean cut, as if rotated out.
    for (const name of all) {
      const path = join(dir, name);
      const kept = readLines(path).flatMap((line) => {
        const { request } = lineRecords(line);
        for (const rl of request.resourceLogs) {
          for (const sl of rl.scopeLogs) sl.logRecords = sl.logRecords.filter((r) => seqOf(r) > 10);
          rl.scopeLogs = rl.scopeLogs.filter((sl) => sl.logRecords.length > 0);
        }
        request.resourceLogs = request.resourceLogs.filter((rl) => rl.scopeLogs.length > 0);
        return request.resourceLogs.length > 0 ? [JSON.stringify(request)] : [];
      });
      writeLines(path, kept);
    }
    expect((await verifyAuditChain(dir)).firstProblem).toMatchObject({ kind: 'removed', seq: 1 });
    const lenient = await verifyAuditChain(dir, { allowMissingStart: true });
    expect(lenient).toMatchObject({ ok: true, records: COUNT - 10, head: { seq: COUNT } });
  });

  it('takes exact copies left by a crash during rotation as one record', async () => {
    const dir = copy();
    // A crash after gzip but before the current file was removed: the new
    // writer appends to the old file, which is also in .1.gz.
    const current = join(dir, 'security.jsonl');
    writeLines(current, [...readLines(`${current}.1.gz`), ...readLines(current)]);
    expect(await verifyAuditChain(dir)).toMatchObject({ ok: true, records: COUNT });
  });

  it('rejects for a missing directory', async () => {
    await expect(verifyAuditChain(join(root, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

function noopProcessor(): LogRecordProcessor {
  return {
    onEmit: () => {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
