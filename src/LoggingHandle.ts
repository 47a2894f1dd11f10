import type { MeterProvider } from '@opentelemetry/api';
import type { LoggerProvider } from '@opentelemetry/api';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { EventStream } from './logger/EventStream.js';
import type { GetLoggerOptions, Logger } from './logger/Logger.js';
import type { DestinationHealth } from './processors/DestinationMonitor.js';
import type { LoggingStats } from './processors/DropCounts.js';

/** What `handle.health()` returns. */
export interface LoggingHealth {
  /**
   * False when any destination's last export failed, dropped a record in the
   * last 30 s, or has a spool whose oldest record waited longer than
   * `delivery.unhealthyAfterMillis`.
   */
  readonly healthy: boolean;
  /** Per destination (`console`, `file`, `otlp`, `audit`, your own). */
  readonly destinations: readonly DestinationHealth[];
}

/**
 * What {@link registerLogging} returns.
 *
 * @typeParam L - user-defined level names.
 */
export interface LoggingHandle<L extends string = never> {
  /**
   * A logger named `name` (its InstrumentationScope name). Cheap; loggers may
   * be created per module or per request.
   * @throws {@link LoggingConfigError} when `options.level` is not a level.
   */
  getLogger(name: string, options?: GetLoggerOptions): Logger<L>;
  /**
   * The event stream `name` (created on first use; the same name gives the
   * same sequence): its `emit(eventName, attributes)` logs a record with the
   * OTel event name, `logkit.stream.name` and `logkit.stream.sequence` (1, 2,
   * 3, … per stream and process), which sampling never drops. See
   * {@link EventStream}.
   * @throws {@link LoggingConfigError} when `name` is not a non-empty string.
   */
  eventStream(name: string): EventStream;
  /** The LoggerProvider all records go through (also the global one, unless another was registered first). */
  readonly loggerProvider: LoggerProvider;
  /**
   * A LogRecordProcessor that hands each record it receives to otel-logkit's
   * pipeline (its steps, then its destinations), for a LoggerProvider that
   * otel-logkit did not create: pass it in the NodeSDK's `logRecordProcessors`
   * so records of the Logs API and of OTel's pino/winston/bunyan
   * instrumentations are redacted, sampled and routed like otel-logkit's own.
   * Its `forceFlush` and `shutdown` are the handle's.
   */
  readonly logRecordProcessor: LogRecordProcessor;
  /**
   * A SpanProcessor that redacts every span with this registration's
   * `redaction` rules (name, attribute values, events, link attributes,
   * status message; see the README's Redaction section), for a
   * TracerProvider otel-logkit did not create: put it first in the NodeSDK's
   * `spanProcessors` (its `onEnding` runs before any exporter sees the
   * span). The TracerProvider otel-logkit registers has it already. A no-op
   * with `redaction: false`.
   */
  readonly spanProcessor: SpanProcessor;
  /**
   * The MeterProvider for metrics (also the global one, unless another was
   * registered first). The attributes of every measurement are redacted with
   * the `redaction` rules before the SDK sees them (see
   * `redactingMeterProvider`); with `redaction: false` it is the SDK's own.
   */
  readonly meterProvider: MeterProvider;
  /**
   * Exports everything emitted so far: log records (to files, console or
   * OTLP) and metrics. Resolves when done, also when an export failed (that is
   * reported through diag); never rejects.
   */
  forceFlush(): Promise<void>;
  /**
   * Flushes, then stops the providers otel-logkit created and removes its
   * process hooks. Everything emitted before it resolves has been exported.
   * Idempotent; never rejects. After it, loggers drop records.
   */
  shutdown(): Promise<void>;
  /**
   * Records received by the pipeline and dropped, by reason (`sampled`,
   * `rate-limited`, `filtered`, `redaction-failed`, `queue-full`,
   * `export-failed`, `spool-full`, `spool-damaged`), and per pipeline step
   * its records and sampled cost (`steps`, see {@link LoggingStats.steps}): a
   * snapshot, cheap to call.
   */
  stats(): LoggingStats;
  /**
   * Per exporter: the last success and failure (epoch ms), consecutive
   * failures, records exported, queue fill (size and capacity), records
   * dropped (queue full, export failed, spool full, spool damaged), the last
   * drop, and for `otlp` and `file` the spool (`SpoolHealth`). A
   * snapshot, cheap to call.
   */
  health(): LoggingHealth;
}
