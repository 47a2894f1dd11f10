import { inspect } from 'node:util';
import { reportOnce } from '../internal/reportOnce.js';

/** What the exit hooks need from a registration. */
export interface ExitHookTarget {
  /** Exports what is queued. */
  forceFlush(): Promise<void>;
  /** Flushes and stops everything. */
  shutdown(): Promise<void>;
  /** True when a record was emitted since the previous call. */
  takeDirty(): boolean;
  /** Records an uncaught exception as a FATAL record. */
  recordUncaught(error: unknown, origin: string): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Resolves when `work` settles or `timeoutMs` passes, whichever is first. The
 * timer is unref'ed so it never keeps the process alive on its own.
 */
export function withDeadline(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      reportOnce('exit-deadline', `flush did not finish within ${timeoutMs} ms; exiting anyway`);
      resolve();
    }, timeoutMs);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reportOnce('exit-flush', 'flush at exit failed', error);
        resolve();
      },
    );
  });
}

/**
 * Installs process hooks that flush before the process ends, each bounded by
 * `timeoutMs`, then let it end as it would have without them:
 * - `beforeExit` (the event loop ran dry): flush if anything was emitted since
 *   the last flush; the process then exits with its own exit code.
 * - SIGTERM / SIGINT: when no other listener handles the signal, shut down and
 *   re-raise it, so the process dies of the signal as it would have. When the
 *   application has its own listener, only flush and leave the exit to it.
 * - uncaught exceptions (and unhandled rejections, which Node raises as
 *   such): record a FATAL record; when no other listener handles it, shut
 *   down, print the error as Node does and exit with code 1.
 *
 * Records emitted before a `process.exit()` call that skips these events are
 * flushed only if the application awaits `handle.shutdown()` first.
 *
 * @returns a function removing the hooks.
 */
export function installExitHooks(target: ExitHookTarget, timeoutMs: number): () => void {
  let exiting = false;

  const onBeforeExit = (): void => {
    if (exiting || !target.takeDirty()) return;
    void withDeadline(target.forceFlush(), timeoutMs);
  };

  const signalHandlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    const handler = (): void => {
      const othersHandle = process.listenerCount(signal) > 1;
      if (othersHandle) {
        void withDeadline(target.forceFlush(), timeoutMs);
        return;
      }
      if (exiting) return;
      exiting = true;
      void withDeadline(target.shutdown(), timeoutMs).then(() => {
        uninstall();
        // With our listener gone the default action applies: the process
        // dies of the signal, and its parent sees that, as without us.
        process.kill(process.pid, signal);
      });
    };
    signalHandlers.set(signal, handler);
  }

  const onUncaught = (error: unknown, origin: string): void => {
    try {
      target.recordUncaught(error, origin);
    } catch (failure) {
      reportOnce('uncaught-record', 'could not record the uncaught exception', failure);
    }
    if (process.listenerCount('uncaughtException') > 1) {
      void withDeadline(target.forceFlush(), timeoutMs);
      return;
    }
    if (exiting) return;
    exiting = true;
    void withDeadline(target.shutdown(), timeoutMs).then(() => {
      // What Node prints for an uncaught exception, then its exit code 1.
      process.stderr.write(`${inspect(error)}\n`);
      process.exit(1);
    });
  };

  process.on('beforeExit', onBeforeExit);
  for (const [signal, handler] of signalHandlers) process.on(signal, handler);
  process.on('uncaughtException', onUncaught);

  let installed = true;
  function uninstall(): void {
    if (!installed) return;
    installed = false;
    process.off('beforeExit', onBeforeExit);
    for (const [signal, handler] of signalHandlers) process.off(signal, handler);
    process.off('uncaughtException', onUncaught);
  }
  return uninstall;
}
