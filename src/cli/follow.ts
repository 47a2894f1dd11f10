import { LastN } from './LastN.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { EXIT_OK, errorCode } from './errors.js';
import type { RecordFilter } from './filters.js';
import { LineSplitter, MAX_LINE_BYTES } from './lines.js';
import type { LogRecordView } from './otlp.js';
import { compareNanos } from './otlp.js';
import { Output, warn } from './output.js';
import type { FileStats } from './ScanContext.js';
import { ScanContext } from './ScanContext.js';
import type { ReadLimit } from './readFileRecords.js';
import { readFileRecords, scanInTimeOrder } from './readFileRecords.js';
import type { InputFile, ResolvedInputs } from './resolveInputs.js';
import { isLogFileName } from './resolveInputs.js';
import type { RecordWriter } from './view.js';
import { parseBackupName } from '../logFiles.js';

/** How often followed files are checked for new lines and rotation, ms. */
export const FOLLOW_INTERVAL_MS = 200;

/** `--follow` without `--tail` starts with the last records, as `tail -f` does. */
export const FOLLOW_DEFAULT_TAIL = 10;

const READ_BYTES = 1 << 20;
// Polls a backup whose first line cannot be read yet is retried before it is given up on.
const BACKUP_ATTEMPTS = 25;

/**
 * One followed path: the current file of a rotation chain (`app.jsonl`), or a
 * file named on the command line.
 */
class Follower {
  handle: FileHandle | undefined;
  /** Inode of the open file, to notice when the path points at another file. */
  ino = 0;
  offset = 0;
  splitter = new LineSplitter();
  /** First-line digests of the files read at this path, to recognise their backups. */
  readonly seen = new Set<string>();
  /** Identities ({@link backupKey}) of the `<path>.N.gz` backups already accounted for. */
  readonly knownBackups = new Set<string>();
  readonly backupAttempts = new Map<string, number>();
  /** Inode → bytes read, of files closed here (a rename-rotated copy is not new). */
  readonly closed = new Map<number, number>();
  readonly stats: FileStats;

  constructor(
    readonly input: InputFile,
    context: ScanContext,
  ) {
    this.stats = context.statsFor(input);
  }

  get path(): string {
    return this.input.path;
  }

  /** Opens the path; `atEnd`: start after its last complete line instead of at 0. */
  async open(atEnd: boolean): Promise<boolean> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
    const info = await handle.stat();
    this.handle = handle;
    this.ino = info.ino;
    this.offset = atEnd ? await lineStartBefore(handle, info.size) : 0;
    this.splitter = new LineSplitter();
    return true;
  }

  async close(onLine: (line: string, oversize: boolean) => void): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    await this.remember();
    this.closed.set(this.ino, this.offset);
    this.handle = undefined;
    await handle.close().catch(() => {});
    // The file is complete: a partial last line is a truncated write.
    this.splitter.end(onLine);
    this.splitter = new LineSplitter();
  }

  /** Records the open file's first-line digest, once it has a first line. */
  async remember(): Promise<void> {
    if (!this.handle) return;
    const digest = await firstLineDigestOfHandle(this.handle);
    if (digest) this.seen.add(digest);
  }
}

/**
 * `view --follow`: prints the last `--tail` (default 10) matching records,
 * then new ones as they are appended, until SIGINT or SIGTERM (exit 0).
 *
 * Every 200 ms each followed file is read from where the last read stopped,
 * through a handle kept open. Rotation is noticed when the path points at
 * another inode, or at nothing: the old file is first read to its end through
 * the open handle (our writer gzips it into `.1.gz` only after its last
 * write), then the new one from its start. A backup (`<file>.N.gz`) that
 * appears and is not one of the files already read (told by its first line)
 * is a file created and rotated away between two checks: it is read whole. So
 * no record is lost or printed twice. A file truncated in place is read again
 * from its start; new log files in a followed directory are picked up (not a
 * file renamed away by rotation, which was already read); a partial last line
 * waits for the rest of it.
 */
export async function runFollow(
  inputs: ResolvedInputs,
  filter: RecordFilter,
  options: { tail?: number },
  write: RecordWriter,
): Promise<number> {
  const context = new ScanContext(filter);
  const out = new Output();
  const followers = new Map<string, Follower>();
  const ignored = new Set<string>();
  const limits = new Map<string, ReadLimit>();
  const tail = options.tail ?? FOLLOW_DEFAULT_TAIL;

  // Open the current files before the initial read, so that it and the
  // following meet at the same byte of the same file.
  for (const chain of inputs.chains) {
    for (const file of chain) {
      if (file.gzip) continue;
      const follower = new Follower(file, context);
      followers.set(file.path, follower);
      if (await follower.open(tail === 0)) {
        const info = await follower.handle!.stat();
        if (tail > 0) {
          follower.offset = info.size;
          limits.set(file.path, {
            handle: follower.handle!,
            end: info.size,
            splitter: follower.splitter,
          });
        }
      }
      for (const backup of await listBackups(file.path)) follower.knownBackups.add(backup.key);
    }
  }

  if (tail > 0) {
    const ring = new LastN<LogRecordView>(tail);
    for await (const batch of scanInTimeOrder(inputs.chains, context, limits)) {
      for (const record of batch) ring.push(record);
    }
    let text = '';
    for (const record of ring) text += write(record);
    await out.write(text);
    await out.flush();
  }

  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  while (!stopped) {
    const batch: LogRecordView[] = [];
    for (const dir of inputs.directories) await discover(dir, followers, ignored, context);
    for (const follower of followers.values()) await poll(follower, context, batch);
    if (batch.length > 0) {
      // Stable: records of one file keep their order on equal times.
      batch.sort((a, b) => compareNanos(a.timeNs, b.timeNs));
      let chunk = '';
      for (const record of batch) chunk += write(record);
      const wait = out.write(chunk);
      if (wait) await wait;
      await out.flush();
    }
    if (stopped) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, FOLLOW_INTERVAL_MS);
    });
  }
  await out.flush();
  for (const follower of followers.values()) await follower.handle?.close().catch(() => {});
  const report = context.malformedReport();
  if (report) warn(report);
  return EXIT_OK;
}

// New log files in a followed directory (a category's first record, say).
async function discover(
  dir: string,
  followers: Map<string, Follower>,
  ignored: Set<string>,
  context: ScanContext,
): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    if (!isLogFileName(name) || name.endsWith('.gz')) continue;
    const file = path.join(dir, name);
    if (followers.has(file) || ignored.has(file)) continue;
    let info;
    try {
      info = await stat(file);
    } catch {
      continue;
    }
    if (!info.isFile()) continue;
    // A file renamed away by rotation (the Collector's rotation renames) has
    // the inode of a file already read, and as many bytes as were read of it.
    const alreadyRead = [...followers.values()].some(
      (f) => (f.handle && f.ino === info.ino) || f.closed.get(info.ino) === info.size,
    );
    if (alreadyRead) {
      ignored.add(file);
      continue;
    }
    followers.set(
      file,
      new Follower({ path: file, size: 0, gzip: false, inDirectory: true }, context),
    );
  }
}

async function poll(
  follower: Follower,
  context: ScanContext,
  batch: LogRecordView[],
): Promise<void> {
  const onLine = (line: string, oversize: boolean): void =>
    context.handleLine(line, oversize, follower.stats, batch);
  // Where the path points now, looked up before draining: whatever was
  // written to the old file before it was replaced is then read below.
  let current: { ino: number; size: number } | undefined;
  try {
    const info = await stat(follower.path);
    current = { ino: info.ino, size: info.size };
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') return;
  }
  if (follower.handle) {
    if (current && current.ino === follower.ino && current.size < follower.offset) {
      // Truncated in place: start again from the beginning.
      follower.offset = 0;
      follower.splitter.reset();
    }
    await drain(follower, onLine);
    if (!current || current.ino !== follower.ino) await follower.close(onLine);
  }
  if (!follower.handle && current && (await follower.open(false))) {
    await drain(follower, onLine);
  }
  await readNewBackups(follower, context, batch);
}

async function drain(
  follower: Follower,
  onLine: (line: string, oversize: boolean) => void,
): Promise<void> {
  const handle = follower.handle;
  if (!handle) return;
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, follower.offset));
    } catch {
      return;
    }
    if (bytesRead === 0) return;
    follower.offset += bytesRead;
    follower.splitter.push(buffer.subarray(0, bytesRead), onLine);
  }
}

/**
 * Reads the backups of `follower`'s path that appeared since the last check
 * and hold a file never read here: one created and rotated away between two
 * checks. A backup of a file that was read (its first line is known) is only
 * noted; one still being written (its gzip stream ends early) is looked at
 * again next time.
 */
async function readNewBackups(
  follower: Follower,
  context: ScanContext,
  batch: LogRecordView[],
): Promise<void> {
  const fresh = (await listBackups(follower.path)).filter(
    (backup) => !follower.knownBackups.has(backup.key),
  );
  if (fresh.length === 0) return;
  await follower.remember();
  for (const backup of fresh) {
    const digest = await firstLineDigestOfGzip(backup.path);
    if (digest !== undefined && follower.seen.has(digest)) {
      follower.knownBackups.add(backup.key);
      continue;
    }
    const records = digest === undefined ? undefined : await readWholeGzip(backup, context);
    if (records === undefined) {
      const attempts = (follower.backupAttempts.get(backup.key) ?? 0) + 1;
      follower.backupAttempts.set(backup.key, attempts);
      if (attempts >= BACKUP_ATTEMPTS) follower.knownBackups.add(backup.key);
      continue;
    }
    follower.knownBackups.add(backup.key);
    follower.backupAttempts.delete(backup.key);
    follower.seen.add(digest!);
    for (const record of records) batch.push(record);
  }
}

/**
 * The matching records of a complete gzip backup, or `undefined` when its
 * stream ends early (still being written); its statistics join `context`'s
 * only when it was complete.
 */
async function readWholeGzip(
  backup: Backup,
  context: ScanContext,
): Promise<LogRecordView[] | undefined> {
  const input: InputFile = { path: backup.path, size: backup.size, gzip: true, inDirectory: true };
  const attempt = new ScanContext(context.filter);
  const records: LogRecordView[] = [];
  try {
    for await (const batch of readFileRecords(input, attempt, undefined, true)) {
      for (const record of batch) records.push(record);
    }
  } catch {
    return undefined;
  }
  context.adopt(attempt);
  return records;
}

interface Backup {
  path: string;
  /** Inode, modification time and size: survives renames, not inode reuse. */
  key: string;
  size: number;
}

/** `<file>.N.gz` backups of `file`, oldest (highest N) first. */
async function listBackups(file: string): Promise<Backup[]> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const backups: Array<Backup & { n: number }> = [];
  for (const name of names) {
    const backup = parseBackupName(name);
    if (backup?.base !== base) continue;
    try {
      const info = await stat(path.join(dir, name));
      backups.push({
        path: path.join(dir, name),
        key: `${info.ino}:${info.mtimeMs}:${info.size}`,
        size: info.size,
        n: backup.n,
      });
    } catch {
      // Renamed or removed meanwhile: seen next time.
    }
  }
  return backups.sort((a, b) => b.n - a.n);
}

function digest(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Digest of the first complete line of an open file, or `undefined` when it has none yet. */
async function firstLineDigestOfHandle(handle: FileHandle): Promise<string | undefined> {
  const parts: Buffer[] = [];
  let position = 0;
  const block = Buffer.allocUnsafe(64 * 1024);
  while (position < MAX_LINE_BYTES) {
    const { bytesRead } = await handle.read(block, 0, block.length, position);
    if (bytesRead === 0) return undefined;
    const newline = block.subarray(0, bytesRead).indexOf(0x0a);
    if (newline !== -1) {
      parts.push(Buffer.from(block.subarray(0, newline)));
      return digest(Buffer.concat(parts));
    }
    parts.push(Buffer.from(block.subarray(0, bytesRead)));
    position += bytesRead;
  }
  return undefined;
}

/** Digest of the first line of a gzip file, or `undefined` when it cannot be read (yet). */
async function firstLineDigestOfGzip(file: string): Promise<string | undefined> {
  const raw = createReadStream(file);
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of raw.pipe(gunzip) as AsyncIterable<Buffer>) {
      const newline = chunk.indexOf(0x0a);
      if (newline !== -1) {
        parts.push(chunk.subarray(0, newline));
        return digest(Buffer.concat(parts));
      }
      parts.push(chunk);
      size += chunk.length;
      if (size > MAX_LINE_BYTES) return undefined;
    }
  } catch {
    // Still being written, or damaged.
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
  return undefined;
}

/**
 * The offset just past the last newline before `size`: where to start
 * following without the history, so a line being written is not cut.
 */
async function lineStartBefore(handle: FileHandle, size: number): Promise<number> {
  const block = Buffer.allocUnsafe(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const { bytesRead } = await handle.read(block, 0, end - start, start);
    const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline !== -1) return start + newline + 1;
    end = start;
  }
  return 0;
}
