import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/cli/errors.js';
import { isLogFileName, resolveInputs, totalBytes } from '../../src/cli/resolveInputs.js';

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'logkit-cli-inputs-'));
  const logs = path.join(tmp, 'logs');
  mkdirSync(logs);
  writeFileSync(path.join(logs, 'app.jsonl'), '{}\n');
  writeFileSync(path.join(logs, 'app.jsonl.1.gz'), gzipSync('{}\n'));
  writeFileSync(path.join(logs, 'app.jsonl.10.gz'), gzipSync('{}\n'));
  writeFileSync(path.join(logs, 'app.jsonl.2.gz'), gzipSync('{}\n'));
  writeFileSync(path.join(logs, 'metrics.jsonl'), '{}\n');
  writeFileSync(path.join(logs, 'notes.txt'), 'x');
  writeFileSync(path.join(tmp, 'single.log'), '{}\n');
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('isLogFileName', () => {
  it('takes JSON log files, rotated and gzipped, but not the metrics file', () => {
    for (const name of ['a.jsonl', 'a.json', 'a.ndjson', 'a.jsonl.3.gz', 'logs-1.json.gz']) {
      expect(isLogFileName(name)).toBe(true);
    }
    for (const name of ['metrics.jsonl', 'metrics.jsonl.1.gz', 'a.txt', 'a.jsonl.bak']) {
      expect(isLogFileName(name)).toBe(false);
    }
  });
});

describe('resolveInputs', () => {
  it('groups a directory into rotation chains, oldest backup first', async () => {
    const logs = path.join(tmp, 'logs');
    const inputs = await resolveInputs([logs]);
    expect(inputs.directories).toEqual([logs]);
    expect(inputs.chains).toHaveLength(1);
    const chain = inputs.chains[0]!;
    expect(chain.map((file) => path.basename(file.path))).toEqual([
      'app.jsonl.10.gz',
      'app.jsonl.2.gz',
      'app.jsonl.1.gz',
      'app.jsonl',
    ]);
    expect(chain.map((file) => file.gzip)).toEqual([true, true, true, false]);
    expect(chain.every((file) => file.inDirectory)).toBe(true);
    expect(totalBytes(inputs.chains)).toBe(chain.reduce((sum, file) => sum + file.size, 0));
  });

  it('reads a named file whatever its name, once however often it is named', async () => {
    const file = path.join(tmp, 'single.log');
    const inputs = await resolveInputs([file, file]);
    expect(inputs.chains).toEqual([[{ path: file, size: 3, gzip: false, inDirectory: false }]]);
  });

  it('throws an InputError for a missing path or default directory', async () => {
    await expect(resolveInputs([path.join(tmp, 'nope')])).rejects.toThrow(
      /^no such file or directory: /,
    );
    const before = process.env.OTEL_LOGKIT_LOG_DIR;
    process.env.OTEL_LOGKIT_LOG_DIR = path.join(tmp, 'missing');
    try {
      await expect(resolveInputs([])).rejects.toThrow(InputError);
      await expect(resolveInputs([])).rejects.toThrow(/set OTEL_LOGKIT_LOG_DIR/);
    } finally {
      if (before === undefined) delete process.env.OTEL_LOGKIT_LOG_DIR;
      else process.env.OTEL_LOGKIT_LOG_DIR = before;
    }
  });
});
