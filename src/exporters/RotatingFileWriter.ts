import { errorCode } from '../internal/objects.js';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { backupPath, DEFAULT_MAX_BACKUPS, DEFAULT_MAX_BYTES } from '../logFiles.js';

/** Error code of the rejection of a {@link RotatingFileWriter.write} after `close()`. */
export const ERR_WRITER_CLOSED = 'ERR_LOGKIT_WRITER_CLOSED';

/** Options of {@link RotatingFileWriter}. */
export interface RotatingFileWriterOptions {
  /** Path of the current file, e.g. `logs/app.jsonl`; backups are `<path>.1.gz` … `<path>.<maxBackups>.gz`. */
  path: string;
  /**
   * Size limit of the current file in bytes (default {@link DEFAULT_MAX_BYTES}, 10 MiB).
   * A write that would take a non-empty file above it rotates first; a single
   * write larger than the limit still lands, whole, in a fresh file.
   */
  maxBytes?: number;
  /**
   * How many gzip backups to keep (default {@link DEFAULT_MAX_BACKUPS}); `0`
   * discards the current file's content on rotation.
   */
  maxBackups?: number;
}

/**
 * The `code` of a Node I/O error (`'EACCES'`, `'ENOSPC'`, …), or `'UNKNOWN'`
 * for anything without one. Never throws.
 */
export function ioErrorCode(error: unknown): string {
  return errorCode(error) ?? 'UNKNOWN';
}

/**
 * Appends data to one file, rotating it by size into gzip backups.
 *
 * - The directory is created on the first write (recursively, mode `0o700`; an
 *   existing directory keeps its mode) and the file is opened for append with
 *   mode `0o600`, so construction never touches the disk and never throws.
 * - Writes are asynchronous and serialized in call order. I/O errors reject the
 *   returned promise only; none is thrown synchronously. After an error the
 *   file is reopened on the next write, so a transient failure (a full disk, a
 *   deleted directory) does not stop later writes.
 * - Rotation: before a write that would take a non-empty current file above
 *   `maxBytes`, backups shift up (`.1.gz` → `.2.gz`, …; the one beyond
 *   `maxBackups` is deleted), the current file is gzip-compressed into
 *   `<path>.1.gz` (mode `0o600`, so `.1.gz` is always the newest) and removed,
 *   and a new current file is started.
 * - The current size is read with fstat when the file is opened, so a new
 *   writer on an existing file (a restart) continues its count.
 */
export class RotatingFileWriter {
  /** Path of the current file. */
  readonly path: string;
  /** Size limit of the current file, bytes. */
  readonly maxBytes: number;
  /** Number of gzip backups kept. */
  readonly maxBackups: number;

  private handle: FileHandle | undefined;
  private size = 0;
  // Settles (never rejects) once every write queued so far has finished.
  private tail: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(options: RotatingFileWriterOptions) {
    this.path = options.path;
    this.maxBytes = positiveOr(options.maxBytes, DEFAULT_MAX_BYTES);
    this.maxBackups =
      typeof options.maxBackups === 'number' && Number.isFinite(options.maxBackups)
        ? Math.max(0, Math.floor(options.maxBackups))
        : DEFAULT_MAX_BACKUPS;
  }

  /**
   * Queues `data` (a string as UTF-8, or bytes as they are) to be appended
   * after every earlier write. Bytes are read when their turn comes, not
   * copied: the caller keeps them unchanged until the returned promise
   * settles. Resolves once it is written; rejects on an I/O error or after
   * {@link close} (code {@link ERR_WRITER_CLOSED}). Never throws.
   */
  write(data: string | Uint8Array): Promise<void> {
    if (this.closing) {
      const error = new Error(`otel-logkit: write to ${this.path} after the writer was closed`);
      (error as NodeJS.ErrnoException).code = ERR_WRITER_CLOSED;
      return Promise.reject(error);
    }
    const result = this.tail.then(() => this.append(data));
    this.tail = result.then(noop, noop);
    return result;
  }

  /** Resolves (never rejects) once every write queued before the call has finished. */
  flush(): Promise<void> {
    return this.tail;
  }

  /**
   * Waits for queued writes, then closes the file. Idempotent: later calls
   * return the same promise. Rejects only if closing the file handle fails.
   */
  close(): Promise<void> {
    this.closing ??= this.tail.then(async () => {
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    });
    return this.closing;
  }

  private async append(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      let handle = await this.openIfNeeded();
      if (this.size > 0 && this.size + bytes.length > this.maxBytes) {
        await this.rotate();
        handle = await this.openIfNeeded();
      }
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        // A write that makes no progress would otherwise loop here forever.
        if (bytesWritten <= 0) throw new Error(`otel-logkit: no bytes written to ${this.path}`);
        offset += bytesWritten;
        this.size += bytesWritten;
      }
    } catch (error) {
      // The size count or the handle may now be wrong; reopening re-reads both.
      await this.discardHandle();
      throw error;
    }
  }

  private async openIfNeeded(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    await makeDirectory(dirname(this.path));
    const handle = await open(this.path, 'a', 0o600);
    try {
      this.size = (await handle.stat()).size;
    } catch (error) {
      await handle.close().catch(noop);
      throw error;
    }
    this.handle = handle;
    return handle;
  }

  private async discardHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.size = 0;
    await handle?.close().catch(noop);
  }

  private async rotate(): Promise<void> {
    await this.discardHandle();
    if (this.maxBackups > 0) {
      await rm(this.backupPath(this.maxBackups), { force: true });
      for (let index = this.maxBackups - 1; index >= 1; index--) {
        await renameIfExists(this.backupPath(index), this.backupPath(index + 1));
      }
      const target = this.backupPath(1);
      try {
        await pipeline(
          createReadStream(this.path),
          createGzip(),
          createWriteStream(target, { mode: 0o600 }),
        );
      } catch (error) {
        // A truncated archive would later pass for a good backup.
        await rm(target, { force: true }).catch(noop);
        throw error;
      }
    }
    // Removed only after the backup is complete: a crash in between leaves the
    // data twice rather than not at all.
    await rm(this.path, { force: true });
  }

  private backupPath(index: number): string {
    return backupPath(this.path, index);
  }
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * `mkdir -p` with mode 0o700 for each directory it creates; an existing
 * directory keeps the mode its owner chose.
 *
 * Not `mkdir(dir, { recursive: true })`: Node's version never settles (and
 * spins a libuv thread) when a parent exists but cannot hold the child, as
 * under /proc or behind a dangling symlink, where mkdir answers ENOENT and
 * the parent answers EEXIST forever. Here each level is retried only once.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
    return;
  } catch (error) {
    // EEXIST: done; if it is not a directory, opening the file reports ENOTDIR.
    if (ioErrorCode(error) === 'EEXIST') return;
    const parent = dirname(dir);
    if (ioErrorCode(error) !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
  }
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    // Another writer may have created it since the first attempt.
    if (ioErrorCode(error) !== 'EEXIST') throw error;
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if (ioErrorCode(error) !== 'ENOENT') throw error;
  }
}

function noop(): void {}
