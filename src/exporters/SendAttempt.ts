import type { SendOutcome } from './OtlpHttpSender.js';

/** What a {@link SendAttempt} does when its time is up or its signal aborts. */
export interface SendAttemptOptions {
  /** The attempt's deadline, in ms. */
  readonly timeoutMillis: number;
  /** Aborts the attempt (the delivery path's shutdown). */
  readonly signal: AbortSignal | undefined;
  /**
   * Called once the deadline passes; it must end the attempt, by
   * {@link SendAttempt.finish} or through the transport's own error.
   */
  readonly onTimeout: (error: Error) => void;
  /** Called when the signal aborts; the same duty as {@link onTimeout}. */
  readonly onAbort: (error: Error) => void;
  /** Runs once, as the attempt settles (release a stream, a reference). */
  readonly onSettle?: () => void;
}

/**
 * One send of a batch: its outcome settles once, whichever comes first of
 * the transport's answer, the deadline and the abort signal. The senders of
 * the delivery path (OTLP/HTTP, OTLP/gRPC, a user's LogRecordExporter) share
 * it; what a timeout or an abort does to the transport stays theirs.
 */
export class SendAttempt {
  private done = false;
  private readonly timer: NodeJS.Timeout;
  private readonly abortListener: () => void;

  constructor(
    private readonly resolve: (outcome: SendOutcome) => void,
    private readonly options: SendAttemptOptions,
    /** Names the transport in the timeout and abort errors, e.g. `OTLP/gRPC export`. */
    what: string,
  ) {
    this.timer = setTimeout(
      () => options.onTimeout(new Error(`${what} timed out after ${options.timeoutMillis} ms`)),
      options.timeoutMillis,
    );
    this.timer.unref();
    this.abortListener = () => options.onAbort(new Error(`${what} aborted`));
    options.signal?.addEventListener('abort', this.abortListener, { once: true });
  }

  /** The signal had aborted before the attempt began: ends it at once. Returns true then. */
  abortedAlready(): boolean {
    if (!this.options.signal?.aborted) return false;
    this.abortListener();
    return true;
  }

  get settled(): boolean {
    return this.done;
  }

  /** Settles the attempt with `outcome`; later calls do nothing. */
  finish(outcome: SendOutcome): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.abortListener);
    this.options.onSettle?.();
    this.resolve(outcome);
  }
}
