import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attr,
  lineRecords,
  locate,
  readLines,
  seqOf,
  writeChain,
  writeLines,
} from '../audit/chainHelpers.js';
import { BIN, runCli } from './helpers.js';

let root: string;
let dir: string;

beforeAll(async () => {
  if (!existsSync(BIN)) {
    throw new Error(
      `${BIN} missing: these tests run the built CLI; build it first with \`npx tsup --silent\``,
    );
  }
  root = mkdtempSync(join(tmpdir(), 'logkit-verify-'));
  dir = join(root, 'audit');
  await writeChain(dir, 30);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('otel-logkit verify', () => {
  it('prints OK with the record count and exits 0 for an intact chain', () => {
    const result = runCli(['verify', dir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^OK: 30 records, chain intact \(head seq 30 [0-9a-f]{64}\)\n$/);
    expect(result.status).toBe(0);
  });

  it('prints the first problem and exits 1 for a tampered chain', () => {
    const tampered = join(root, 'tampered');
    cpSync(dir, tampered, { recursive: true });
    const { path, index, name } = locate(tampered, 12);
    const lines = readLines(path);
    const { request, records } = lineRecords(lines[index]!);
    attr(
      records.find((r) => seqOf(r) === 12)!,
      'n.int',
    )!.intValue = 999;
    lines[index] = JSON.stringify(request);
    writeLines(path, lines);

    const result = runCli(['verify', tampered]);
    expect(result.stdout).toMatch(
      new RegExp(
        `^FAILED: modified \\(seq 12, uid [0-9a-f-]{36}, ${name.replace(/\./g, '\\.')}:${index + 1}\\): `,
      ),
    );
    expect(result.status).toBe(1);

    const json = runCli(['verify', tampered, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      records: 30,
      firstProblem: { kind: 'modified', seq: 12, file: name, line: index + 1 },
    });
    expect(json.status).toBe(1);
  });

  describe('a keyed chain', () => {
    const KEY = 'the audit key, 32 bytes or longer';
    let keyed: string;
    let keyFile: string;

    beforeAll(async () => {
      keyed = join(root, 'keyed');
      await writeChain(keyed, 10, 0, new TextEncoder().encode(KEY));
      keyFile = join(root, 'audit.key');
      writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    });

    it('verifies with --key-file (its trailing newline ignored) or OTEL_LOGKIT_AUDIT_KEY', () => {
      const fromFile = runCli(['verify', keyed, '--key-file', keyFile]);
      expect(fromFile.stdout).toMatch(/^OK: 10 records, chain intact/);
      expect(fromFile.status).toBe(0);
      const fromEnv = runCli(['verify', keyed], { OTEL_LOGKIT_AUDIT_KEY: KEY });
      expect(fromEnv.stdout).toMatch(/^OK: 10 records, chain intact/);
      expect(fromEnv.status).toBe(0);
    });

    it('exits 2 without the key, saying how to pass it', () => {
      const result = runCli(['verify', keyed]);
      expect(result.stderr).toMatch(/keyed \(HMAC-SHA-256.*--key-file.*OTEL_LOGKIT_AUDIT_KEY/s);
      expect(result.status).toBe(2);
    });

    it('fails with another key, and exits 2 for a missing key file', () => {
      const wrong = runCli(['verify', keyed], { OTEL_LOGKIT_AUDIT_KEY: `${KEY}!` });
      expect(wrong.stdout).toMatch(/^FAILED: modified \(seq 1,/);
      expect(wrong.status).toBe(1);
      const missing = runCli(['verify', keyed, '--key-file', join(root, 'nope.key')]);
      expect(missing.stderr).toMatch(/cannot read the key file/);
      expect(missing.status).toBe(2);
    });

    it('fails an unkeyed chain checked with a key (a chain rebuilt without it)', () => {
      const result = runCli(['verify', dir, '--key-file', keyFile]);
      expect(result.stdout).toMatch(/^FAILED: modified \(seq 1, .*not keyed/);
      expect(result.status).toBe(1);
    });
  });

  it('exits 2 for a missing directory', () => {
    const result = runCli(['verify', join(root, 'nope')]);
    expect(result.stderr).toMatch(/no such directory/);
    expect(result.status).toBe(2);
  });

  it('exits 2 without a directory argument', () => {
    expect(runCli(['verify']).status).toBe(2);
  });
});
