import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LoggingOptions } from '../config/LoggingOptions.js';
import type { LoggingHandle } from '../LoggingHandle.js';
import { getLoggingHandle } from '../liveHandle.js';
import { registerLogging } from '../registerLogging.js';

/**
 * One record as otel-logkit would export it: after the pipeline's steps
 * (enrichment, redaction, limits, sampling), as plain data to assert on.
 */
export interface CapturedLogRecord {
  /** The body (a string for `log.info('message')`). */
  readonly body: unknown;
  /** `INFO`, `WARN`, ... or a user-defined level name. */
  readonly severityText: string | undefined;
  /** The OTel SeverityNumber (1-24). */
  readonly severityNumber: number | undefined;
  /** The record's attributes, redacted and limited as exported. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The OTel `eventName`, when set. */
  readonly eventName: string | undefined;
  /** The InstrumentationScope name: the logger's name. */
  readonly scope: string;
  /** Lowercase hex trace id of the span the record was emitted in, if any. */
  readonly traceId: string | undefined;
  /** Lowercase hex span id of the span the record was emitted in, if any. */
  readonly spanId: string | undefined;
  /** Milliseconds since the epoch. */
  readonly timeMs: number;
  /** The record as the SDK holds it, for anything not copied above. */
  readonly raw: ReadableLogRecord;
}

/** What {@link captureLogs} returns. */
export interface CapturedLogs<L extends string = never> {
  /** The registration's handle: `getLogger`, `stats()`, `health()`, ... */
  readonly handle: LoggingHandle<L>;
  /**
   * Flushes (records wait in no queue, but steps such as buffering may hold
   * some), then returns every record exported so far, in order.
   */
  records(): Promise<CapturedLogRecord[]>;
  /** Forgets the records captured so far. */
  clear(): void;
  /**
   * Shuts the registration down (the globals it registered are removed), so
   * the next {@link captureLogs} or `registerLogging` starts afresh.
   * Idempotent.
   */
  shutdown(): Promise<void>;
  /** `await using logs = captureLogs()` shuts it down at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Registers otel-logkit for a test (structlog's `capture_logs` is the model):
 * no console, files or OTLP, no exit hooks, and an in-memory destination
 * after the pipeline, so what a test reads is what would be exported, with
 * redaction, limits and sampling applied. Options are those of
 * `registerLogging` and win over these defaults (`serviceName: 'test'`,
 * `logsExporter`, `metricsExporter` and `tracesExporter` `'none'`,
 * `handleProcessExit: false`).
 *
 * ```ts
 * import { captureLogs } from 'otel-logkit/testing';
 *
 * const logs = captureLogs();
 * logs.handle.getLogger('checkout').info('login', { password: 'hunter2' });
 * expect((await logs.records())[0]?.attributes.password).toBe('[REDACTED]');
 * await logs.shutdown();
 * ```
 *
 * @throws Error when otel-logkit is already registered in this process (shut
 *   that registration down first); LoggingConfigError for invalid options.
 */
export function captureLogs<L extends string = never>(
  options: LoggingOptions<L> = {},
): CapturedLogs<L> {
  const exporter = new InMemoryLogRecordExporter();
  const processor = new SimpleLogRecordProcessor({ exporter });
  if (getLoggingHandle() !== undefined) {
    throw new Error(
      'otel-logkit/testing: captureLogs() needs a process with no live registration; shut the other one down first',
    );
  }
  const handle = registerLogging<L>({
    serviceName: 'test',
    logsExporter: 'none',
    metricsExporter: 'none',
    tracesExporter: 'none',
    handleProcessExit: false,
    ...options,
    logRecordProcessors: [...(options.logRecordProcessors ?? []), processor],
  });
  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> => (shutdownPromise ??= handle.shutdown());
  return {
    handle,
    async records() {
      await handle.forceFlush();
      return exporter.getFinishedLogRecords().map(toCaptured);
    },
    clear: () => exporter.reset(),
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

function toCaptured(record: ReadableLogRecord): CapturedLogRecord {
  const [seconds, nanos] = record.hrTime;
  return {
    body: record.body,
    severityText: record.severityText,
    severityNumber: record.severityNumber,
    attributes: { ...record.attributes },
    eventName: record.eventName,
    scope: record.instrumentationScope.name,
    traceId: record.spanContext?.traceId,
    spanId: record.spanContext?.spanId,
    timeMs: seconds * 1000 + nanos / 1e6,
    raw: record,
  };
}
