import { diag } from '@opentelemetry/api';
import type { InMemoryLogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach } from 'vitest';
import type { LoggingHandle, LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { captureLogs, type CapturedLogs } from '../../src/testing/index.js';

/** What {@link useCaptureLogs} gives a test file. */
export interface CaptureTestContext {
  /** The handle of the test's registration, if it made one. */
  readonly handle: LoggingHandle | undefined;
  /** Registers through `captureLogs` (the file's defaults, then `options`); shut down after the test. */
  readonly register: (options?: LoggingOptions) => LoggingHandle;
  /** Takes a registration made otherwise: it becomes {@link handle} and is shut down after the test. */
  readonly adopt: (handle: LoggingHandle) => LoggingHandle;
  /**
   * The records exported so far: the capture's, or (after a flush) those of
   * `exporter`, another destination of the registration.
   */
  readonly records: (exporter?: InMemoryLogRecordExporter) => Promise<ReadableLogRecord[]>;
}

/**
 * The hooks of a test file registering through the `otel-logkit/testing`
 * entry point: report-once state reset before each test; the registration
 * shut down and diag disabled after it.
 */
export function useCaptureLogs(defaults: LoggingOptions = {}): CaptureTestContext {
  let handle: LoggingHandle | undefined;
  let capture: CapturedLogs | undefined;
  beforeEach(() => {
    resetReportOnce();
  });
  afterEach(async () => {
    await capture?.shutdown();
    await handle?.shutdown();
    capture = undefined;
    handle = undefined;
    diag.disable();
  });
  return {
    get handle() {
      return handle;
    },
    register: (options = {}) => {
      capture = captureLogs({ ...defaults, ...options });
      handle = capture.handle;
      return handle;
    },
    adopt: (h) => {
      handle = h;
      return h;
    },
    records: async (exporter) => {
      if (exporter) {
        await handle?.forceFlush();
        return exporter.getFinishedLogRecords();
      }
      if (!capture) throw new Error('records() without exporter needs register() first');
      return (await capture.records()).map((r) => r.raw);
    },
  };
}
