// The audit chain with a key: HMAC-SHA-256 hashes, which someone who can write the files but
// does not hold the key cannot recompute.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash, ERR_AUDIT_KEY_REQUIRED, verifyAuditChain } from '../../src/audit/index.js';
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

const COUNT = 30;
const KEY = new TextEncoder().encode('a 32-byte audit key for the tests');
const OTHER_KEY = new TextEncoder().encode('another key, 32 bytes, not it!!!');

let root: string;
let keyed: string;
let plain: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'logkit-audit-keyed-'));
  keyed = join(root, 'keyed');
  plain = join(root, 'plain');
  await writeChain(keyed, COUNT, 0, KEY);
  await writeChain(plain, 5);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh copy of the keyed chain to tamper with. */
const copy = chainCopier(
  () => root,
  () => keyed,
);

/**
 * Changes record `seq` as someone holding the files but not the key would: edits a value,
 * then sets its hash to what `hashWith` computes (SHA-256 without a key, or HMAC with a
 * wrong one), optionally dropping its `logkit.audit.alg` first.
 */
function rewrite(dir: string, seq: number, hashWith: Uint8Array | undefined, dropAlg: boolean) {
  const { path, index } = locate(dir, seq);
  const lines = readLines(path);
  const { request, records } = lineRecords(lines[index]!);
  const target = records.find((r) => seqOf(r) === seq)!;
  attr(target, 'n.int')!.intValue = 999_999;
  if (dropAlg) target.attributes = target.attributes.filter((a) => a.key !== 'logkit.audit.alg');
  const scope = request.resourceLogs[0]!.scopeLogs.find((sl) => sl.logRecords.includes(target))!;
  attr(target, 'logkit.audit.hash')!.stringValue = auditHash(
    target,
    scope.scope?.name ?? '',
    hashWith,
  );
  lines[index] = JSON.stringify(request);
  writeLines(path, lines);
}

describe('a keyed audit chain', () => {
  it('marks every record hmac-sha256 and verifies with its key', async () => {
    const records = readLogFiles(keyed);
    expect(records).toHaveLength(COUNT);
    expect(records.every((r) => r.attributes['logkit.audit.alg'] === 'hmac-sha256')).toBe(true);
    const result = await verifyAuditChain(keyed, { key: KEY });
    expect(result).toMatchObject({ ok: true, records: COUNT, head: { seq: COUNT } });
  });

  it('cannot be checked without the key', async () => {
    await expect(verifyAuditChain(keyed)).rejects.toMatchObject({
      code: ERR_AUDIT_KEY_REQUIRED,
      message: expect.stringContaining('keyed (HMAC-SHA-256'),
    });
  });

  it('does not verify with another key', async () => {
    const result = await verifyAuditChain(keyed, { key: OTHER_KEY });
    expect(result.ok).toBe(false);
    expect(result.firstProblem).toMatchObject({ kind: 'modified', seq: 1 });
  });

  it('finds a record rewritten with a plain SHA-256 and its alg dropped', async () => {
    const dir = copy();
    rewrite(dir, 12, undefined, true);
    const result = await verifyAuditChain(dir, { key: KEY });
    expect(result.firstProblem).toMatchObject({ kind: 'modified', seq: 12 });
    expect(result.firstProblem?.detail).toMatch(/not keyed/);
  });

  it('finds a record rewritten with an HMAC under a guessed key', async () => {
    const dir = copy();
    rewrite(dir, 7, OTHER_KEY, false);
    const result = await verifyAuditChain(dir, { key: KEY });
    expect(result.firstProblem).toMatchObject({ kind: 'modified', seq: 7 });
    expect(result.firstProblem?.detail).toMatch(/does not match its hash/);
  });

  it('finds the whole chain rebuilt without the key (a downgrade to SHA-256)', async () => {
    // What an attacker can produce: a plain chain. With the key, its first record fails.
    const result = await verifyAuditChain(plain, { key: KEY });
    expect(result.firstProblem).toMatchObject({ kind: 'modified', seq: 1 });
    expect(result.firstProblem?.detail).toMatch(/not keyed/);
    // Without the key it verifies: operators of a keyed chain must verify with the key.
    expect((await verifyAuditChain(plain)).ok).toBe(true);
  });

  it('continues after a restart with the same key', async () => {
    const dir = copy();
    await writeChain(dir, 5, COUNT, KEY);
    const result = await verifyAuditChain(dir, { key: KEY });
    expect(result).toMatchObject({ ok: true, records: COUNT + 5, head: { seq: COUNT + 5 } });
  });
});
