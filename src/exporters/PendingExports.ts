import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { reportOnce } from '../internal/reportOnce.js';

/**
 * The export bookkeeping of an asynchronous exporter: runs each export's
 * work, calls its result callback exactly once (SUCCESS, or FAILED with the
 * error), tracks what is in flight for `forceFlush`, and refuses exports after
 * `shutdown`. Nothing here throws or rejects.
 */
export class PendingExports {
  // Exports whose callback has not run yet; none of these promises rejects.
  private readonly pending = new Set<Promise<void>>();
  private shuttingDown: Promise<void> | undefined;

  /** @param name - the exporter's name, for messages and report-once keys. */
  constructor(private readonly name: string) {}

  /**
   * Runs `work`, which resolves to the error that failed the export or to
   * undefined, and then calls `resultCallback`. After {@link shutdown} the
   * work is not run and the export fails.
   */
  run(
    work: () => Promise<Error | undefined>,
    resultCallback: (result: ExportResult) => void,
  ): void {
    if (this.shuttingDown) {
      this.callBack(resultCallback, new Error(`otel-logkit: ${this.name} is shut down`));
      return;
    }
    const done = work().then((error) => this.callBack(resultCallback, error));
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  /** Resolves once every export started before the call has called back. */
  async flush(): Promise<void> {
    await Promise.all(this.pending);
  }

  /** Flushes, then runs `close` once; idempotent, never rejects. */
  shutdown(close: () => Promise<void>): Promise<void> {
    this.shuttingDown ??= this.flush()
      .then(close)
      .catch((error: unknown) =>
        reportOnce(`${this.name}:close`, `${this.name} failed to close`, error),
      );
    return this.shuttingDown;
  }

  private callBack(resultCallback: (result: ExportResult) => void, error: Error | undefined): void {
    try {
      resultCallback(
        error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS },
      );
    } catch (failure) {
      // The callback belongs to the SDK or the caller; its failure must not
      // become an unhandled rejection in the application.
      reportOnce(`${this.name}:callback`, 'an export result callback threw', failure);
    }
  }
}

/** An Error for any thrown value, even one whose `toString` throws. */
export function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  try {
    return new Error(String(error));
  } catch {
    return new Error('unprintable error value');
  }
}
