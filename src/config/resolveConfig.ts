import type { Attributes } from '@opentelemetry/api';
import type { LogRecordExporter, LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import { resolveLevels, resolveMinSeverity, type LevelDefinition } from '../logger/levels.js';
import { loadConfigFile, mergeConfigFile, renameFileError } from './configFile.js';
import { resolveDelivery, type ResolvedDelivery } from './DeliveryOptions.js';
import { resolveAudit, type ResolvedAudit } from '../audit/AuditOptions.js';
import { resolveOtlp, type ResolvedOtlpSignal } from '../exporters/OtlpOptions.js';
import {
  atMost,
  boolean,
  collectWarnings,
  directory,
  fail,
  integer,
  list,
  oneOf,
  pick,
  type Env,
} from './validate.js';
import type { LogMetricRule } from '../metrics/LogMetricRule.js';
import { resolvePrometheus, type ResolvedPrometheus } from '../metrics/PrometheusOptions.js';
import { resolveSteps, type ResolvedSteps } from '../processors/StepsOptions.js';
import {
  resolveRedactionOptions,
  type ResolvedRedactionOptions,
} from '../processors/redaction/RedactionOptions.js';
import { resolveRouting, type ResolvedRoute } from '../processors/routing/RoutingOptions.js';
import {
  resolveSamplingOptions,
  type ResolvedSampling,
} from '../processors/sampling/SamplingOptions.js';
import { resolveLimits, type ResolvedLimits } from '../processors/limits/LimitsOptions.js';
import type {
  DiagLevelName,
  LoggingOptions,
  LogsExporterName,
  MetricsExporterName,
  TracesExporterName,
} from './LoggingOptions.js';
import { DEFAULT_LOG_DIR, DEFAULT_MAX_BACKUPS, DEFAULT_MAX_BYTES } from '../logFiles.js';
import { resolveMetricRules } from '../metrics/LogMetricRule.js';

// Where otlpExporters.ts and tests have always found them.
export type { ResolvedOtlpSignal, ResolvedOtlpTls } from '../exporters/OtlpOptions.js';

/** Everything {@link registerLogging} needs, validated, with defaults filled in. */
export interface ResolvedConfig {
  /** The OpenTelemetry configuration file the settings came from (`OTEL_CONFIG_FILE`), if any. */
  readonly configFile: string | undefined;
  /**
   * A {@link LoggingConfigError} about an option that came from the
   * configuration file, renamed to the file's key; other errors unchanged.
   * For validation that happens after resolution (steps, routing, ...).
   */
  readonly renameError: (error: unknown) => unknown;
  /**
   * Problems with values the OTel spec says to ignore (an unknown protocol in
   * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SDK_DISABLED=1`, a non-numeric
   * `OTEL_BLRP_MAX_QUEUE_SIZE`, ...): each was ignored, and {@link registerLogging}
   * reports it through `diag.warn`.
   */
  readonly warnings: readonly string[];
  /** Decisions worth a `diag.debug` line (a routing rule for a destination that is off). */
  readonly notes: readonly string[];
  readonly disabled: boolean;
  readonly diagLogLevel: DiagLevelName | undefined;
  /** Only the Resource attributes given by options or `OTEL_SERVICE_NAME` / `NODE_ENV`; detectors add the rest. */
  readonly resourceAttributes: Attributes;
  readonly levels: ReadonlyMap<string, LevelDefinition>;
  /** Minimum SeverityNumber; `Infinity` for `silent`. */
  readonly minSeverity: number;
  readonly logsExporters: readonly LogsExporterName[];
  readonly metricsExporters: readonly MetricsExporterName[];
  readonly tracesExporter: TracesExporterName;
  readonly logs: ResolvedOtlpSignal;
  readonly metrics: ResolvedOtlpSignal;
  readonly traces: ResolvedOtlpSignal;
  readonly batch: {
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
  readonly metricExportIntervalMillis: number;
  readonly metricExportTimeoutMillis: number;
  readonly logDir: string;
  readonly maxFileBytes: number;
  readonly maxBackups: number;
  readonly colors: boolean | undefined;
  readonly registerGlobals: boolean;
  readonly registerTracerProvider: boolean;
  readonly handleProcessExit: boolean;
  readonly shutdownTimeoutMillis: number;
  readonly delivery: ResolvedDelivery;
  readonly logRecordProcessors: readonly LogRecordProcessor[];
  readonly metricReaders: readonly IMetricReader[];
  /** Record runtime and process metrics when metrics are exported. */
  readonly runtimeMetrics: boolean;
  readonly metricRules: readonly LogMetricRule[];
  readonly prometheus: ResolvedPrometheus | undefined;
  /** The steps before `route`, in order. */
  readonly steps: ResolvedSteps;
  readonly staticAttributes: Readonly<Record<string, unknown>>;
  readonly baggageKeys: readonly string[] | boolean | undefined;
  readonly limits: ResolvedLimits;
  /** The redaction rules, validated and compiled once; `false`: none. */
  readonly redaction: ResolvedRedactionOptions | false;
  readonly sampling: ResolvedSampling;
  /**
   * Routing rules by destination, with `minLevel` resolved to a
   * SeverityNumber; each names a destination that exists.
   */
  readonly routing: ReadonlyMap<string, ResolvedRoute>;
  readonly destinations: Readonly<Record<string, LogRecordExporter>>;
  readonly audit: ResolvedAudit | undefined;
}

const LOGS_EXPORTERS = ['otlp', 'console', 'file', 'none'] as const;
const METRICS_EXPORTERS = ['otlp', 'console', 'file', 'none'] as const;
const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
const DIAG_LEVELS = ['NONE', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'VERBOSE', 'ALL'] as const;
/**
 * Resolves {@link LoggingOptions} against the environment and defaults, and
 * validates every value. Reads only `env`, the configuration file it names
 * (`OTEL_CONFIG_FILE` or the `configFile` option: then options over the file,
 * and `env` ignored, as the spec asks) and the TLS files; no other side effect.
 * Invalid values of the OTel spec's variables are ignored and listed in
 * {@link ResolvedConfig.warnings}.
 *
 * @throws {@link LoggingConfigError} naming the first bad option, `OTEL_LOGKIT_*`
 *   variable or file key, and its value.
 */
export function resolveConfig<L extends string>(
  options: LoggingOptions<L>,
  env: Env = process.env,
): ResolvedConfig {
  if (typeof options !== 'object' || options === null) fail('options', options, 'an object');
  const file = pick(options.configFile, 'configFile', env, 'OTEL_CONFIG_FILE');
  if (!file) {
    return { ...resolveOptions(options, env), configFile: undefined, renameError: (e) => e };
  }
  if (typeof file.value !== 'string' || !file.value) fail(file.source, file.value, 'a file path');
  const layer = loadConfigFile(file.value, file.source);
  const merged = mergeConfigFile(layer, options);
  const renameError = (error: unknown) => renameFileError(error, layer.file, merged.origins);
  try {
    // The spec: with a configuration file, the other environment variables
    // are ignored; the file substitutes those it wants (`${env:NAME}`).
    const config = resolveOptions(merged.options, {});
    return {
      ...config,
      warnings: [...layer.warnings, ...config.warnings],
      configFile: layer.file,
      renameError,
    };
  } catch (error) {
    throw renameError(error);
  }
}

function resolveOptions<L extends string>(
  options: LoggingOptions<L>,
  env: Env,
): Omit<ResolvedConfig, 'configFile' | 'renameError'> {
  const { value, warnings } = collectWarnings(() => resolveSettings(options, env));
  return { ...value, warnings };
}

function resolveSettings<L extends string>(
  options: LoggingOptions<L>,
  env: Env,
): Omit<ResolvedConfig, 'configFile' | 'renameError' | 'warnings'> {
  const resourceAttributes: Attributes = { ...options.resourceAttributes };
  const serviceName = pick(options.serviceName, 'serviceName', env, 'OTEL_SERVICE_NAME');
  if (serviceName) {
    if (typeof serviceName.value !== 'string' || !serviceName.value) {
      fail(serviceName.source, serviceName.value, 'a non-empty string');
    }
    resourceAttributes['service.name'] = serviceName.value;
  }
  if (options.serviceVersion !== undefined) {
    resourceAttributes['service.version'] = options.serviceVersion;
  }
  // NODE_ENV is a fallback only: OTEL_RESOURCE_ATTRIBUTES, read by the
  // Resource env detector, is the standard place and must win over it.
  const environment =
    options.environment ??
    (env.OTEL_RESOURCE_ATTRIBUTES?.includes('deployment.environment.name=')
      ? undefined
      : env.NODE_ENV?.trim() || undefined);
  if (environment !== undefined) resourceAttributes['deployment.environment.name'] = environment;

  const levels = resolveLevels(options.levels);
  const minSeverity = resolveMinSeverity(
    pick(options.level, 'level', env, 'OTEL_LOGKIT_LEVEL'),
    levels,
  );

  const otlp = resolveOtlp(options, env);
  const { logs, metrics, traces } = otlp;

  const batch = options.batch ?? {};
  const maxQueueSize = integer(
    pick(batch.maxQueueSize, 'batch.maxQueueSize', env, 'OTEL_BLRP_MAX_QUEUE_SIZE'),
    2048,
    { min: 1 },
  );
  const maxExportBatchSize = atMost(
    pick(
      batch.maxExportBatchSize,
      'batch.maxExportBatchSize',
      env,
      'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
    ),
    512,
    { min: 1, max: maxQueueSize, expected: `at most maxQueueSize (${maxQueueSize}); using that` },
  );

  const metricExportIntervalMillis = integer(
    pick(
      options.metricExportIntervalMillis,
      'metricExportIntervalMillis',
      env,
      'OTEL_METRIC_EXPORT_INTERVAL',
    ),
    60_000,
    { min: 1 },
  );
  // The SDK's PeriodicExportingMetricReader refuses a timeout above the interval.
  const metricExportTimeoutMillis = atMost(
    pick(
      options.metricExportTimeoutMillis,
      'metricExportTimeoutMillis',
      env,
      'OTEL_METRIC_EXPORT_TIMEOUT',
    ),
    30_000,
    {
      min: 1,
      max: metricExportIntervalMillis,
      expected: `at most the metric export interval (${metricExportIntervalMillis} ms); using that`,
    },
  );

  const logDir = directory(
    pick(options.logDir, 'logDir', env, 'OTEL_LOGKIT_LOG_DIR'),
    DEFAULT_LOG_DIR,
  );
  const shutdownTimeoutMillis = integer(
    pick(
      options.shutdownTimeoutMillis,
      'shutdownTimeoutMillis',
      env,
      'OTEL_LOGKIT_SHUTDOWN_TIMEOUT',
    ),
    5000,
    { min: 1 },
  );

  const logsExporters = list(
    pick(options.logsExporter, 'logsExporter', env, 'OTEL_LOGS_EXPORTER'),
    LOGS_EXPORTERS,
    otlp.explicit.logs ? ['otlp'] : ['console', 'file'],
  );
  const destinations = options.destinations ?? {};
  const audit = resolveAudit(options.audit, logDir, env);
  const routing = resolveRouting(options.routing, levels, {
    known: [...new Set(['console', 'file', 'otlp', 'audit', ...Object.keys(destinations)])],
    enabled: [...logsExporters, ...(audit ? ['audit'] : []), ...Object.keys(destinations)],
  });

  return {
    disabled: boolean(pick(options.disabled, 'disabled', env, 'OTEL_SDK_DISABLED'), false),
    // Unset: diag is left as it is. An unknown value: the spec's default,
    // INFO (as the NodeSDK does), so that the warning about it shows.
    diagLogLevel: (() => {
      const picked = pick(options.diagLogLevel, 'diagLogLevel', env, 'OTEL_LOG_LEVEL');
      return picked ? oneOf(picked, DIAG_LEVELS, 'INFO', (s) => s.toUpperCase()) : undefined;
    })(),
    resourceAttributes,
    levels,
    minSeverity,
    logsExporters,
    metricsExporters: list(
      pick(options.metricsExporter, 'metricsExporter', env, 'OTEL_METRICS_EXPORTER'),
      METRICS_EXPORTERS,
      otlp.explicit.metrics ? ['otlp'] : [],
    ),
    // As for logs and metrics: OTLP when an endpoint is set. With none, the
    // embedded default keeps spans local (their ids still go on records)
    // rather than retrying a collector that is not there on every export.
    tracesExporter: oneOf(
      pick(options.tracesExporter, 'tracesExporter', env, 'OTEL_TRACES_EXPORTER'),
      TRACES_EXPORTERS,
      otlp.explicit.traces ? 'otlp' : 'none',
    ),
    logs,
    metrics,
    traces,
    batch: {
      scheduledDelayMillis: integer(
        pick(
          batch.scheduledDelayMillis,
          'batch.scheduledDelayMillis',
          env,
          'OTEL_BLRP_SCHEDULE_DELAY',
        ),
        1000,
      ),
      exportTimeoutMillis: integer(
        pick(
          batch.exportTimeoutMillis,
          'batch.exportTimeoutMillis',
          env,
          'OTEL_BLRP_EXPORT_TIMEOUT',
        ),
        30_000,
        { min: 1 },
      ),
      maxQueueSize,
      maxExportBatchSize,
    },
    metricExportIntervalMillis,
    metricExportTimeoutMillis,
    logDir,
    maxFileBytes: integer(
      pick(options.maxFileBytes, 'maxFileBytes', env, 'OTEL_LOGKIT_MAX_FILE_BYTES'),
      DEFAULT_MAX_BYTES,
      { min: 1024 },
    ),
    maxBackups: integer(
      pick(options.maxBackups, 'maxBackups', env, 'OTEL_LOGKIT_MAX_BACKUPS'),
      DEFAULT_MAX_BACKUPS,
    ),
    colors: options.colors,
    registerGlobals: boolean(
      pick(options.registerGlobals, 'registerGlobals', env, 'OTEL_LOGKIT_REGISTER_GLOBALS'),
      true,
    ),
    registerTracerProvider: boolean(
      pick(options.traces, 'traces', env, 'OTEL_LOGKIT_TRACES'),
      false,
    ),
    handleProcessExit: boolean(
      pick(options.handleProcessExit, 'handleProcessExit', env, 'OTEL_LOGKIT_EXIT_HOOKS'),
      true,
    ),
    shutdownTimeoutMillis,
    delivery: resolveDelivery(options.delivery, logDir, shutdownTimeoutMillis, env),
    logRecordProcessors: [...(options.logRecordProcessors ?? [])],
    metricReaders: [...(options.metricReaders ?? [])],
    runtimeMetrics: boolean(
      pick(options.runtimeMetrics, 'runtimeMetrics', env, 'OTEL_LOGKIT_RUNTIME_METRICS'),
      true,
    ),
    metricRules: resolveMetricRules(options.metricRules),
    prometheus: resolvePrometheus(options.prometheus),
    steps: resolveSteps(options.steps),
    staticAttributes: options.attributes ?? {},
    baggageKeys: options.baggageKeys,
    limits: resolveLimits(options.limits, env),
    redaction: options.redaction === false ? false : resolveRedactionOptions(options.redaction),
    sampling: resolveSamplingOptions(options.sampling, levels),
    routing: routing.routes,
    notes: routing.notes,
    destinations,
    audit,
  };
}
