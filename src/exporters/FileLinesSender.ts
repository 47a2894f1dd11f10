import { basename, join } from 'node:path';
import { reportOnce } from '../internal/reportOnce.js';
import type { BatchSender } from '../processors/DeliveringLogRecordProcessor.js';
import type { SendOutcome } from './OtlpHttpSender.js';
import { RotatingFileWriter, ioErrorCode } from './RotatingFileWriter.js';
import { splitFileLineBytes } from './spool/FileLinesEncoder.js';

/** Options of {@link FileLinesSender}. */
export interface FileLinesSenderOptions {
  readonly dir: string;
  readonly maxFileBytes?: number;
  readonly maxBackups?: number;
}

/**
 * The "endpoint" of the `file` destination: appends the lines of a
 * {@link fileLinesEncoder} payload to their rotating files under `dir`. An
 * I/O error is a `retry` (the batch stays in the spool and is written again
 * later); never throws or rejects.
 */
export class FileLinesSender implements BatchSender {
  private readonly writers = new Map<string, RotatingFileWriter>();

  constructor(private readonly options: FileLinesSenderOptions) {}

  async send(body: Uint8Array): Promise<SendOutcome> {
    // The lines are views of `body`, which is ours until this send settles:
    // every write has finished by then. (They were decoded to text and
    // encoded back, about a tenth of the file destination's CPU in a profile
    // of bench/export's logkit-file case.)
    const writes: Promise<void>[] = [];
    for (const [file, line] of splitFileLineBytes(body)) {
      writes.push(this.writerFor(file).write(line));
    }
    const results = await Promise.allSettled(writes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (!failed) return { kind: 'ok' };
    const error = failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    const code = ioErrorCode(error);
    reportOnce(
      `file-lines:write:${code}`,
      `could not write log records under ${this.options.dir} (${code}); they wait in the spool and are retried`,
      error,
    );
    return { kind: 'retry', error };
  }

  /** Closes the files once their writes finished. */
  close(): void {
    for (const writer of this.writers.values()) void writer.close().catch(() => undefined);
  }

  private writerFor(file: string): RotatingFileWriter {
    // The name comes from our own encoder; basename() keeps a damaged spool
    // frame from writing outside the directory.
    const name = basename(file);
    let writer = this.writers.get(name);
    if (!writer) {
      writer = new RotatingFileWriter({
        path: join(this.options.dir, name),
        maxBytes: this.options.maxFileBytes,
        maxBackups: this.options.maxBackups,
      });
      this.writers.set(name, writer);
    }
    return writer;
  }
}
