import type { Attributes } from '@opentelemetry/api';
import type { LogRecordExporter, LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { LevelInput } from '../logger/levels.js';
import type { LogMetricRule } from '../metrics/LogMetricRule.js';
import type { LogStep } from '../processors/PipelineStep.js';
import type { RedactionOptions } from '../processors/redaction/RedactionOptions.js';
import type { RouteRule } from '../processors/routing/RouteRule.js';
import type { SamplingOptions } from '../processors/sampling/SamplingOptions.js';
import type { DeliveryOptions } from './DeliveryOptions.js';
import type { LimitsOptions } from '../processors/limits/LimitsOptions.js';
import type { AuditOptions } from '../audit/AuditOptions.js';

export type { LimitsOptions } from '../processors/limits/LimitsOptions.js';
export type { AuditOptions } from '../audit/AuditOptions.js';

/** The built-in pipeline steps; `route` is always last. */
export type BuiltinStepName = 'enrich' | 'redact' | 'limit' | 'sample' | 'route';

/**
 * Where log records go. `otlp` exports over OTLP/HTTP; `console` prints one
 * readable line per record; `file` writes rotating OTLP-JSON files under
 * {@link LoggingOptions.logDir}; `none` exports nothing. Mirrors
 * `OTEL_LOGS_EXPORTER` (comma-separated), whose values the SDK environment
 * variable spec defines (`otlp`, `console`, `none`); `file` is ours.
 */
export type LogsExporterName = 'otlp' | 'console' | 'file' | 'none';

/** Where metrics go; mirrors `OTEL_METRICS_EXPORTER`. `file` writes `<logDir>/metrics.jsonl`. */
export type MetricsExporterName = 'otlp' | 'console' | 'file' | 'none';

/** Where spans of a TracerProvider that otel-logkit registers go; mirrors `OTEL_TRACES_EXPORTER`. */
export type TracesExporterName = 'otlp' | 'console' | 'none';

/**
 * OTLP transport and encoding; mirrors `OTEL_EXPORTER_OTLP_PROTOCOL` and its
 * per-signal variants: OTLP/HTTP with protobuf or JSON bodies
 * (`@opentelemetry/exporter-*-otlp-proto` / `-otlp-http`), or OTLP/gRPC
 * (`@opentelemetry/exporter-*-otlp-grpc`), as the OTLP exporter spec names them.
 */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** OTLP request compression; mirrors `OTEL_EXPORTER_OTLP_COMPRESSION` and its per-signal variants. */
export type OtlpCompression = 'gzip' | 'none';

/**
 * TLS files of the OTLP exporters (PEM), read once at setup. They apply to
 * `https://` endpoints (for gRPC, an `http://` endpoint means no TLS).
 */
export interface OtlpTlsOptions {
  /** Trusted root certificates for the server's certificate. `OTEL_EXPORTER_OTLP_CERTIFICATE`. */
  readonly certificateFile?: string;
  /** Client certificate chain, for mTLS, with {@link clientKeyFile}. `OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE`. */
  readonly clientCertificateFile?: string;
  /** Client private key, for mTLS. `OTEL_EXPORTER_OTLP_CLIENT_KEY`. */
  readonly clientKeyFile?: string;
}

/**
 * OTLP settings of one signal, over the common ones
 * ({@link LoggingOptions.protocol}, `compression`, `otlpTimeoutMillis`, `tls`).
 * Each mirrors the signal's variable, e.g. `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL`.
 */
export interface OtlpSignalOptions {
  /** `OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL`. */
  readonly protocol?: OtlpProtocol;
  /** `OTEL_EXPORTER_OTLP_<SIGNAL>_COMPRESSION`. */
  readonly compression?: OtlpCompression;
  /** ms. `OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT`. */
  readonly timeoutMillis?: number;
  /** `OTEL_EXPORTER_OTLP_<SIGNAL>_CERTIFICATE`, `_CLIENT_CERTIFICATE`, `_CLIENT_KEY`. */
  readonly tls?: OtlpTlsOptions;
}

/** The OTel diag logger's level; mirrors `OTEL_LOG_LEVEL`. */
export type DiagLevelName = 'NONE' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'VERBOSE' | 'ALL';

/**
 * BatchLogRecordProcessor settings; each mirrors an `OTEL_BLRP_*` variable.
 * All are milliseconds or record counts, whole numbers.
 */
export interface BatchOptions {
  /** Delay between two exports, ms. `OTEL_BLRP_SCHEDULE_DELAY`; default 1000. */
  readonly scheduledDelayMillis?: number;
  /** Time one export may take, ms. `OTEL_BLRP_EXPORT_TIMEOUT`; default 30000. */
  readonly exportTimeoutMillis?: number;
  /**
   * `OTEL_BLRP_MAX_QUEUE_SIZE`; default 2048. Validated but not used: every
   * otel-logkit destination holds `delivery.memoryBudget` records in memory,
   * then spools them.
   */
  readonly maxQueueSize?: number;
  /** Records per export, at most `maxQueueSize`. `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE`; default 512. */
  readonly maxExportBatchSize?: number;
}

/**
 * Options of {@link registerLogging}. Every field is optional; each says the
 * environment variable it mirrors and its default. Precedence, as in the OTel
 * SDK: an option given here wins over the environment variable, which wins over
 * the default (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
 *
 * @typeParam L - names of user-defined levels given in {@link LoggingOptions.levels}.
 */
export interface LoggingOptions<L extends string = never> {
  /** `service.name` of the Resource. `OTEL_SERVICE_NAME`; default `unknown_service:node`. */
  readonly serviceName?: string;
  /** `service.version` of the Resource. Also read from `OTEL_RESOURCE_ATTRIBUTES`; no default. */
  readonly serviceVersion?: string;
  /**
   * `deployment.environment.name` of the Resource. Also read from
   * `OTEL_RESOURCE_ATTRIBUTES`, then from `NODE_ENV`; no default.
   */
  readonly environment?: string;
  /** Extra Resource attributes, over those of `OTEL_RESOURCE_ATTRIBUTES`. */
  readonly resourceAttributes?: Attributes;

  /**
   * Minimum level a logger emits: a level name (`trace` … `emergency`, or a
   * user-defined one), a SeverityNumber 1–24, or `silent`.
   * `OTEL_LOGKIT_LEVEL`; default `info`. Loggers may override it.
   */
  readonly level?: LevelInput;
  /**
   * User-defined levels: name → SeverityNumber (1–24). Each becomes a method on
   * every logger, with severityText the upper-cased name. Names must be
   * identifiers that do not clash with logger methods.
   */
  readonly levels?: Readonly<Record<L, number>>;

  /**
   * Log exporters. `OTEL_LOGS_EXPORTER`; default `otlp` when an OTLP endpoint
   * is configured (option or env), else the embedded default `console,file`.
   */
  readonly logsExporter?: LogsExporterName | readonly LogsExporterName[];
  /**
   * Metric exporters. `OTEL_METRICS_EXPORTER`; default `otlp` when an OTLP
   * endpoint is configured, else `none`.
   */
  readonly metricsExporter?: MetricsExporterName | readonly MetricsExporterName[];

  /**
   * Base OTLP/HTTP URL; `/v1/logs`, `/v1/metrics`, `/v1/traces` are appended.
   * `OTEL_EXPORTER_OTLP_ENDPOINT`; default `http://localhost:4318` when an
   * `otlp` exporter is chosen.
   */
  readonly endpoint?: string;
  /** Full URL for logs, used as is. `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`. */
  readonly logsEndpoint?: string;
  /** Full URL for metrics, used as is. `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`. */
  readonly metricsEndpoint?: string;
  /** Full URL for traces, used as is. `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
  readonly tracesEndpoint?: string;
  /** Headers on every OTLP request. `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, URL-encoded values). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers for logs, over {@link headers}. `OTEL_EXPORTER_OTLP_LOGS_HEADERS`. */
  readonly logsHeaders?: Readonly<Record<string, string>>;
  /** Headers for metrics, over {@link headers}. `OTEL_EXPORTER_OTLP_METRICS_HEADERS`. */
  readonly metricsHeaders?: Readonly<Record<string, string>>;
  /** Headers for traces, over {@link headers}. `OTEL_EXPORTER_OTLP_TRACES_HEADERS`. */
  readonly tracesHeaders?: Readonly<Record<string, string>>;
  /**
   * OTLP transport and encoding. `OTEL_EXPORTER_OTLP_PROTOCOL` (and
   * `OTEL_EXPORTER_OTLP_{LOGS,METRICS,TRACES}_PROTOCOL`); default `http/protobuf`.
   * With `grpc` the base endpoint is used as is and defaults to `http://localhost:4317`.
   */
  readonly protocol?: OtlpProtocol;
  /** Compression of OTLP requests. `OTEL_EXPORTER_OTLP_COMPRESSION` (and per signal); default `none`. */
  readonly compression?: OtlpCompression;
  /** Time one OTLP request may take, ms. `OTEL_EXPORTER_OTLP_TIMEOUT` (and per signal); default 10000. */
  readonly otlpTimeoutMillis?: number;
  /** TLS files of the OTLP exporters; see {@link OtlpTlsOptions}. */
  readonly tls?: OtlpTlsOptions;
  /** OTLP settings for logs only, over the common ones. */
  readonly logsOtlp?: OtlpSignalOptions;
  /** OTLP settings for metrics only, over the common ones. */
  readonly metricsOtlp?: OtlpSignalOptions;
  /** OTLP settings for traces only, over the common ones. */
  readonly tracesOtlp?: OtlpSignalOptions;

  /** Batching of exported log records; see {@link BatchOptions}. */
  readonly batch?: BatchOptions;
  /** Interval between metric exports, ms. `OTEL_METRIC_EXPORT_INTERVAL`; default 60000. */
  readonly metricExportIntervalMillis?: number;
  /** Time one metric export may take, ms. `OTEL_METRIC_EXPORT_TIMEOUT`; default 30000. */
  readonly metricExportTimeoutMillis?: number;

  /** Directory of the file exporter. `OTEL_LOGKIT_LOG_DIR`; default `./logs` (resolved against the cwd). */
  readonly logDir?: string;
  /** Size at which a log file rotates, bytes. `OTEL_LOGKIT_MAX_FILE_BYTES`; default 10485760 (10 MiB). */
  readonly maxFileBytes?: number;
  /** Gzip-compressed backups kept per file. `OTEL_LOGKIT_MAX_BACKUPS`; default 5. */
  readonly maxBackups?: number;
  /** Colours in the console exporter. `NO_COLOR` / `FORCE_COLOR`; default: only on a TTY. */
  readonly colors?: boolean;

  /**
   * Register a TracerProvider that exports spans over OTLP when none is
   * registered yet, so records get trace and span ids in an app with no
   * tracing of its own. An existing TracerProvider is never replaced.
   * `OTEL_LOGKIT_TRACES` (`true`/`false`); default false.
   */
  readonly traces?: boolean;
  /**
   * Register otel-logkit's providers, context manager and propagator as the
   * OpenTelemetry API's globals, each only when none is registered yet: the
   * LoggerProvider (`logs` of `@opentelemetry/api` 1.10, so plain
   * `logs.getLogger().emit()` and OTel's log-library instrumentations go through
   * the pipeline), the MeterProvider, the TracerProvider of {@link traces}, an
   * AsyncLocalStorage context manager and the W3C propagators. Set it to false
   * when an SDK started after otel-logkit owns the globals (the NodeSDK of the
   * README's recipe) and feeds the pipeline through
   * {@link LoggingHandle.logRecordProcessor}. The older `@opentelemetry/api-logs`
   * global, which the NodeSDK 3.x does not register, is registered either way
   * when that package is installed and the global is free.
   * `OTEL_LOGKIT_REGISTER_GLOBALS` (`true`/`false`); default true.
   */
  readonly registerGlobals?: boolean;
  /** Span exporter of the TracerProvider registered by {@link traces}. `OTEL_TRACES_EXPORTER`; default `otlp`. */
  readonly tracesExporter?: TracesExporterName;

  /**
   * Flush on SIGTERM, SIGINT, `beforeExit` and uncaught exceptions, within
   * {@link shutdownTimeoutMillis}, then let the process end as it would have.
   * `OTEL_LOGKIT_EXIT_HOOKS`; default true.
   */
  readonly handleProcessExit?: boolean;
  /** Deadline of a flush or shutdown started by the exit hooks, ms. `OTEL_LOGKIT_SHUTDOWN_TIMEOUT`; default 5000. */
  readonly shutdownTimeoutMillis?: number;
  /** Zero-loss delivery of OTLP logs: memory budget, spool on disk; see {@link DeliveryOptions}. */
  readonly delivery?: DeliveryOptions;

  /**
   * An OpenTelemetry configuration file (YAML, `file_format` 1.x) to read the
   * settings from; see the README's "Configuration file". `OTEL_CONFIG_FILE`;
   * default none. With a file, the other `OTEL_*` environment variables are
   * ignored except where the file substitutes them (`${env:NAME}`), as the
   * spec asks; options given here still win over the file.
   */
  readonly configFile?: string;

  /**
   * Turn everything off: loggers become no-ops. `OTEL_SDK_DISABLED` (only a
   * case-insensitive `true` disables; another value is taken as false with a
   * diag warning); default false.
   */
  readonly disabled?: boolean;
  /**
   * Level of the OTel diag logger (otel-logkit's and the SDK's own messages),
   * printed to the console. `OTEL_LOG_LEVEL`; default: diag is left as it is.
   */
  readonly diagLogLevel?: DiagLevelName;

  /**
   * The pipeline's steps, in order: built-in names, plain functions
   * `(record, context) => record | null`, or LogRecordProcessors (which may
   * change a record but not drop it). Default `['enrich', 'redact', 'limit',
   * 'sample', 'route']`; `route` may only come last and is added if missing.
   */
  readonly steps?: readonly (BuiltinStepName | LogStep | LogRecordProcessor)[];
  /** Attributes added to every record (the enrich step); a call's own attributes win. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /**
   * OTel Baggage entries copied onto records (the enrich step): a list of keys,
   * `true` for all, `false` for none. Default `user.id`, `session.id`, `request.id`.
   */
  readonly baggageKeys?: readonly string[] | boolean;
  /** Truncation limits; see {@link LimitsOptions}. */
  readonly limits?: LimitsOptions;
  /** Redaction, on by default with the default keys and patterns; `false` turns it off. */
  readonly redaction?: RedactionOptions | false;
  /** Sampling; by default only the severity floor (WARN and above always kept) with ratio 1. */
  readonly sampling?: SamplingOptions;
  /**
   * Per-destination routing rules, by destination name (`console`, `file`,
   * `otlp`, `audit`, or a key of {@link destinations}).
   */
  readonly routing?: Readonly<Record<string, RouteRule>>;
  /**
   * Extra named destinations, each exporter behind the delivery path (memory
   * budget, then the spool `<spoolDir>/destinations/<name>`; its records come
   * back decoded from OTLP/JSON): see the README's "Delivery guarantees".
   */
  readonly destinations?: Readonly<Record<string, LogRecordExporter>>;
  /** Route security and audit records to their own files as well; default off. */
  readonly audit?: boolean | AuditOptions;
  /**
   * Extra LogRecordProcessors that receive every record surviving the
   * pipeline's steps, like a destination with no routing rule.
   */
  readonly logRecordProcessors?: readonly LogRecordProcessor[];
  /** Extra MetricReaders (for example a test reader). */
  readonly metricReaders?: readonly IMetricReader[];
  /**
   * Record the process's runtime metrics whenever metrics are exported (a
   * metrics exporter, {@link metricReaders} or {@link prometheus}): event loop
   * delay and utilisation, V8 heap and GC (`nodejs.*`, `v8js.*`, from
   * `@opentelemetry/instrumentation-runtime-node`) and process CPU and memory
   * (`process.cpu.time`, `process.cpu.utilization`, `process.memory.usage`,
   * from `@opentelemetry/host-metrics`), on otel-logkit's MeterProvider.
   * `OTEL_LOGKIT_RUNTIME_METRICS`; default true.
   */
  readonly runtimeMetrics?: boolean;
  /**
   * Metrics derived from log records, beside the built-in `log.record.count`
   * and `logkit.log.record.dropped`; see {@link LogMetricRule}.
   */
  readonly metricRules?: readonly LogMetricRule[];
  /**
   * An in-process Prometheus pull endpoint (`@opentelemetry/exporter-prometheus`)
   * for users who run no Collector: `true` for the exporter's defaults
   * (port 9464, path `/metrics`), or `{ port, host, endpoint }`. Default off.
   */
  readonly prometheus?:
    boolean | { readonly port?: number; readonly host?: string; readonly endpoint?: string };
}
