import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERR_WRITER_CLOSED, RotatingFileWriter } from '../../src/exporters/RotatingFileWriter.js';
import { DEFAULT_MAX_BACKUPS, DEFAULT_MAX_BYTES } from '../../src/logFiles.js';

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'logkit-writer-'));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A 10-byte line: `line-NNNN\n`. */
function line(n: number): string {
  return `line-${String(n).padStart(4, '0')}\n`;
}

function gunzip(path: string): string {
  return gunzipSync(readFileSync(path)).toString('utf8');
}

describe('RotatingFileWriter', () => {
  it('uses the documented defaults', () => {
    const writer = new RotatingFileWriter({ path: join(tmp, 'a.jsonl') });
    expect(writer.maxBytes).toBe(10 * 1024 * 1024);
    expect(DEFAULT_MAX_BYTES).toBe(10 * 1024 * 1024);
    expect(writer.maxBackups).toBe(5);
    expect(DEFAULT_MAX_BACKUPS).toBe(5);
  });

  it('creates nothing until the first write', async () => {
    const dir = join(tmp, 'lazy');
    const writer = new RotatingFileWriter({ path: join(dir, 'app.jsonl') });
    expect(() => statSync(dir)).toThrow();
    await writer.write(line(1));
    expect(readFileSync(join(dir, 'app.jsonl'), 'utf8')).toBe(line(1));
    await writer.close();
  });

  it('appends writes in call order without awaiting between them', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path });
    const writes = Array.from({ length: 50 }, (_, i) => writer.write(line(i)));
    await writer.flush();
    await Promise.all(writes);
    expect(readFileSync(path, 'utf8')).toBe(Array.from({ length: 50 }, (_, i) => line(i)).join(''));
    await writer.close();
  });

  it('appends bytes as they are, strings as UTF-8, in call order, rotating on the byte count', async () => {
    const path = join(tmp, 'bytes.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 24, maxBackups: 2 });
    const view = Buffer.from('xxline-béta\nyy').subarray(2, 13); // `line-béta\n`, 11 bytes
    await Promise.all([writer.write(view), writer.write('é\n'), writer.write(view)]);
    // 11 + 3 bytes, then 11 more would pass 24: rotated before the second view.
    expect(readFileSync(path, 'utf8')).toBe('line-béta\n');
    expect(gunzip(`${path}.1.gz`)).toBe('line-béta\né\n');
    await writer.close();
  });

  it('creates the directory with mode 0o700 and the file with mode 0o600', async () => {
    const dir = join(tmp, 'a', 'b');
    const path = join(dir, 'app.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 20 });
    await writer.write(line(1));
    await writer.write(line(2));
    await writer.write(line(3)); // rotates
    await writer.close();
    expect(statSync(join(tmp, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(`${path}.1.gz`).mode & 0o777).toBe(0o600);
  });

  it('leaves the mode of an existing directory alone', async () => {
    const dir = join(tmp, 'existing');
    mkdirSync(dir, { mode: 0o755 });
    const writer = new RotatingFileWriter({ path: join(dir, 'app.jsonl') });
    await writer.write(line(1));
    await writer.close();
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });

  it('rotates before a write that would pass maxBytes, into gzip backups', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 30, maxBackups: 5 });
    // 10 bytes each: three fit exactly, the fourth rotates.
    for (let i = 1; i <= 3; i++) await writer.write(line(i));
    expect(readdirSync(tmp)).toEqual(['app.jsonl']);
    expect(statSync(path).size).toBe(30);
    await writer.write(line(4));
    await writer.close();

    expect(readdirSync(tmp).sort()).toEqual(['app.jsonl', 'app.jsonl.1.gz']);
    expect(gunzip(`${path}.1.gz`)).toBe(line(1) + line(2) + line(3));
    expect(readFileSync(path, 'utf8')).toBe(line(4));
  });

  it('keeps at most maxBackups, newest as .1, dropping the oldest', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 20, maxBackups: 3 });
    // Two lines per file: files hold (1,2) (3,4) (5,6) (7,8) (9,10) (11).
    for (let i = 1; i <= 11; i++) await writer.write(line(i));
    await writer.close();

    expect(readdirSync(tmp).sort()).toEqual([
      'app.jsonl',
      'app.jsonl.1.gz',
      'app.jsonl.2.gz',
      'app.jsonl.3.gz',
    ]);
    expect(readFileSync(path, 'utf8')).toBe(line(11));
    expect(gunzip(`${path}.1.gz`)).toBe(line(9) + line(10));
    expect(gunzip(`${path}.2.gz`)).toBe(line(7) + line(8));
    expect(gunzip(`${path}.3.gz`)).toBe(line(5) + line(6));
  });

  it('rotates correctly when the writes are queued without awaiting', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 20, maxBackups: 2 });
    const writes = Array.from({ length: 5 }, (_, i) => writer.write(line(i + 1)));
    await Promise.all(writes);
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(line(5));
    expect(gunzip(`${path}.1.gz`)).toBe(line(3) + line(4));
    expect(gunzip(`${path}.2.gz`)).toBe(line(1) + line(2));
  });

  it('discards the content on rotation when maxBackups is 0', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 20, maxBackups: 0 });
    for (let i = 1; i <= 3; i++) await writer.write(line(i));
    await writer.close();
    expect(readdirSync(tmp)).toEqual(['app.jsonl']);
    expect(readFileSync(path, 'utf8')).toBe(line(3));
  });

  it('writes a line larger than maxBytes whole, into a fresh file', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 15 });
    const big = `${'x'.repeat(40)}\n`;
    await writer.write(line(1));
    await writer.write(big);
    await writer.write(line(2));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(line(2));
    expect(gunzip(`${path}.1.gz`)).toBe(big);
    expect(gunzip(`${path}.2.gz`)).toBe(line(1));
  });

  it('counts bytes, not UTF-16 characters', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path, maxBytes: 10 });
    await writer.write('ééé\n'); // 7 bytes, 4 characters
    await writer.write('éé\n'); // 5 bytes: 12 > 10, rotates
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe('éé\n');
    expect(gunzip(`${path}.1.gz`)).toBe('ééé\n');
  });

  it('continues the size of an existing file after a restart', async () => {
    const path = join(tmp, 'app.jsonl');
    const first = new RotatingFileWriter({ path, maxBytes: 30 });
    await first.write(line(1));
    await first.write(line(2));
    await first.close();

    const second = new RotatingFileWriter({ path, maxBytes: 30 });
    await second.write(line(3)); // 30 bytes: still fits
    expect(readdirSync(tmp)).toEqual(['app.jsonl']);
    await second.write(line(4)); // 40 > 30: rotates
    await second.close();
    expect(gunzip(`${path}.1.gz`)).toBe(line(1) + line(2) + line(3));
    expect(readFileSync(path, 'utf8')).toBe(line(4));
  });

  it('rotates on the first write when a file left by an earlier run is already full', async () => {
    const path = join(tmp, 'app.jsonl');
    writeFileSync(path, 'x'.repeat(100));
    const writer = new RotatingFileWriter({ path, maxBytes: 50 });
    await writer.write(line(1));
    await writer.close();
    expect(gunzip(`${path}.1.gz`)).toBe('x'.repeat(100));
    expect(readFileSync(path, 'utf8')).toBe(line(1));
  });

  it('rejects the returned promise on an I/O error, without throwing', async () => {
    const blocker = join(tmp, 'not-a-dir');
    writeFileSync(blocker, '');
    const writer = new RotatingFileWriter({ path: join(blocker, 'logs', 'app.jsonl') });
    let promise: Promise<void> | undefined;
    expect(() => {
      promise = writer.write(line(1));
    }).not.toThrow();
    await expect(promise).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    // The queue survives a failed write.
    await expect(writer.write(line(2))).rejects.toBeInstanceOf(Error);
    await expect(writer.flush()).resolves.toBeUndefined();
    await expect(writer.close()).resolves.toBeUndefined();
  });

  // Node's own recursive mkdir never settles on these paths: the child gives
  // ENOENT while the parent gives EEXIST.
  it('rejects (rather than hangs) when a parent exists but cannot hold the directory', async () => {
    const dangling = join(tmp, 'dangling');
    symlinkSync(join(tmp, 'missing-target'), dangling);
    const viaSymlink = new RotatingFileWriter({ path: join(dangling, 'logs', 'app.jsonl') });
    await expect(viaSymlink.write(line(1))).rejects.toMatchObject({ code: 'ENOENT' });

    const underProc = new RotatingFileWriter({ path: '/proc/otel-logkit-test/logs/app.jsonl' });
    await expect(underProc.write(line(1))).rejects.toBeInstanceOf(Error);
  }, 5_000);

  it('recovers on the next write once the cause of an error is gone', async () => {
    const blocker = join(tmp, 'logs');
    writeFileSync(blocker, '');
    const path = join(blocker, 'app.jsonl');
    const writer = new RotatingFileWriter({ path });
    await expect(writer.write(line(1))).rejects.toMatchObject({
      code: expect.stringMatching(/^(EEXIST|ENOTDIR)$/),
    });
    unlinkSync(blocker);
    await writer.write(line(2));
    await writer.close();
    expect(readFileSync(path, 'utf8')).toBe(line(2));
  });

  it('close flushes queued writes, is idempotent, and later writes reject', async () => {
    const path = join(tmp, 'app.jsonl');
    const writer = new RotatingFileWriter({ path });
    const w1 = writer.write(line(1));
    const w2 = writer.write(line(2));
    const c1 = writer.close();
    const c2 = writer.close();
    expect(c2).toBe(c1);
    await c1;
    await Promise.all([w1, w2]);
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2));

    let late: Promise<void> | undefined;
    expect(() => {
      late = writer.write(line(3));
    }).not.toThrow();
    await expect(late).rejects.toMatchObject({
      code: ERR_WRITER_CLOSED,
      message: expect.stringContaining('closed'),
    });
    await expect(writer.close()).resolves.toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2));
  });

  it('close without any write creates nothing', async () => {
    const dir = join(tmp, 'never');
    const writer = new RotatingFileWriter({ path: join(dir, 'app.jsonl') });
    await writer.close();
    expect(() => statSync(dir)).toThrow();
  });
});
