import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlpReceiver.js';

/** What {@link useOtlpReceiver} gives a test file. */
export interface OtlpTestContext {
  /** The loopback receiver, started before the file's tests. */
  readonly receiver: OtlpReceiver;
  /** The handle of the test's registration, if it made one. */
  readonly handle: LoggingHandle | undefined;
  /**
   * Registers against the receiver: `endpoint` set to it, exit hooks off, a
   * TracerProvider of otel-logkit's, metrics exported only on flush, a spool
   * in a temporary directory; shut down after the test.
   */
  register<L extends string = never>(options?: LoggingOptions<L>): LoggingHandle<L>;
}

/**
 * Sets up the hooks every OTLP test file needs: a receiver for the file, and
 * after each test the registration shut down, the receiver cleared and
 * answering 200, diag and report-once state reset.
 */
export function useOtlpReceiver(defaults: LoggingOptions = {}): OtlpTestContext {
  let receiver: OtlpReceiver | undefined;
  let handle: LoggingHandle | undefined;
  const spoolDirs: string[] = [];
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });
  afterEach(async () => {
    await handle?.shutdown();
    handle = undefined;
    for (const dir of spoolDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    receiver?.clear();
    receiver?.setStatus(200);
    diag.disable();
    resetReportOnce();
  });
  return {
    get receiver() {
      if (!receiver) throw new Error('the receiver starts in beforeAll');
      return receiver;
    },
    get handle() {
      return handle;
    },
    register<L extends string = never>(options: LoggingOptions<L> = {}): LoggingHandle<L> {
      // A spool of the test's own: what a failing endpoint leaves must not be
      // replayed into another test's receiver.
      const spoolDir = mkdtempSync(join(tmpdir(), 'logkit-otlp-test-'));
      spoolDirs.push(spoolDir);
      const registered = registerLogging<L>({
        delivery: { spoolDir },
        serviceName: 'otlp-test',
        endpoint: this.receiver.url,
        traces: true,
        handleProcessExit: false,
        metricExportIntervalMillis: 60_000,
        ...(defaults as LoggingOptions<L>),
        ...options,
      });
      handle = registered;
      return registered;
    },
  };
}
