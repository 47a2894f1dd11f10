import { diag } from '@opentelemetry/api';
import type { InMemoryLogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach } from 'vitest';
import type { LoggingHandle, LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { captureLogs, type CapturedLogs } from '../../src/testing/index.js';

/** What {@link useCaptureLogs} gives a test file. */
export interface CaptureTestContext {
  /** The handle of the test's registration, if it made one. */
  readonly handle: LoggingHandle<string> | undefined;
  /** Registers through `captureLogs` (the file's defaults, then `options`); shut down after the test. */
  readonly register: <L extends string = never>(options?: LoggingOptions<L>) => LoggingHandle<L>;
  /** Takes a registration made otherwise: it becomes {@link handle} and is shut down after the test. */
  readonly adopt: <L extends string = never>(handle: LoggingHandle<L>) => LoggingHandle<L>;
  /**
   * The records exported so far: the capture's, or (after a flush) those of
   * `exporter`, another destination of the registration. None before a
   * registration.
   */
  readonly records: (exporter?: InMemoryLogRecordExporter) => Promise<ReadableLogRecord[]>;
}

/**
 * The hooks of a test file registering through the `otel-logkit/testing`
 * entry point: report-once state reset before each test; the registration
 * shut down and diag disabled after it.
 */
export function useCaptureLogs(defaults: LoggingOptions = {}): CaptureTestContext {
  let handle: LoggingHandle<string> | undefined;
  let capture: CapturedLogs<string> | undefined;
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
    register: <L extends string = never>(options: LoggingOptions<L> = {}) => {
      const c = captureLogs<L>({ ...(defaults as LoggingOptions<L>), ...options });
      capture = c;
      handle = c.handle;
      return c.handle;
    },
    adopt: <L extends string = never>(h: LoggingHandle<L>) => {
      handle = h;
      return h;
    },
    records: async (exporter) => {
      if (exporter) {
        await handle?.forceFlush();
        return exporter.getFinishedLogRecords();
      }
      return (await capture?.records())?.map((r) => r.raw) ?? [];
    },
  };
}
