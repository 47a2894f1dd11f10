import {
  DiagConsoleLogger,
  DiagLogLevel,
  createNoopMeter,
  diag,
  metrics,
  trace,
  type MeterProvider as ApiMeterProvider,
} from '@opentelemetry/api';
import {
  createNoopLogger,
  logs,
  type LoggerProvider as ApiLoggerProvider,
} from '@opentelemetry/api';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
} from '@opentelemetry/sdk-metrics';
import { ATTR_LOGKIT_CATEGORY } from './attributes.js';
import { buildResource } from './config/buildResource.js';
import type { LoggingOptions } from './config/LoggingOptions.js';
import { resolveConfig, type ResolvedConfig } from './config/resolveConfig.js';
import { settleAll } from './internal/settleAll.js';
import { resolveMinSeverity } from './logger/levels.js';
import { toAttributes } from './logger/toAnyValue.js';
import { disabledEventStream, eventStreamFactory } from './logger/EventStream.js';
import { safeLoggerProvider } from './logger/safeEmit.js';
import { selectMetricExporter } from './exporters/selectExporter.js';
import { installExitHooks } from './lifecycle/exitHooks.js';
import {
  LogkitLogger,
  type GetLoggerOptions,
  type Logger,
  type LoggerShared,
} from './logger/Logger.js';
import type { LoggingHandle } from './LoggingHandle.js';
import { clearLiveHandle, getLoggingHandle, setLiveHandle } from './liveHandle.js';
import type { DestinationHealth } from './processors/DestinationMonitor.js';
import { DropCounts } from './processors/DropCounts.js';
import { PipelineLogRecordProcessor } from './processors/PipelineLogRecordProcessor.js';
import { createTraceEndSpanProcessor } from './processors/sampling/SamplingStep.js';
import { createDestinations, createSteps } from './processors/createStepsAndDestinations.js';
import { redactTextForOutput, setOutputRedaction } from './processors/redaction/outputRedaction.js';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { observeDelivery } from './metrics/DeliveryMetrics.js';
import { LogMetrics } from './metrics/LogMetrics.js';
import { startRuntimeMetrics } from './metrics/RuntimeMetrics.js';
import { METRIC_PIPELINE_STEP_DURATION, STEP_DURATION_BUCKETS } from './metrics/names.js';
import {
  ensureContextManager,
  ensurePropagator,
  hasLoggerProvider,
  hasMeterProvider,
  registerLegacyLoggerProvider,
} from './tracing/globalRegistration.js';
import { redactingMeterProvider } from './metrics/RedactingMeterProvider.js';
import { setupTracing, spanRedaction } from './tracing/setupTracing.js';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Sets up logging for the process, once, at startup: resolves options against
 * the `OTEL_*` environment variables (or the OpenTelemetry configuration file
 * of `OTEL_CONFIG_FILE`, which then replaces them), builds the Resource, registers the
 * global LoggerProvider and MeterProvider (an existing global provider is kept
 * and logged at diag.warn), an AsyncLocalStorage context manager and the W3C
 * propagators when none are registered, optionally a TracerProvider (never
 * replacing one), and the exit hooks.
 *
 * With no OTLP endpoint configured, records go to the embedded default: a
 * readable console and rotating OTLP-JSON files under `./logs`.
 *
 * A second call warns through diag and returns the first handle; after
 * `handle.shutdown()` a new registration may be made.
 *
 * @param serviceNameOrOptions - the `service.name`, or {@link LoggingOptions}.
 * @returns a {@link LoggingHandle}.
 * @throws {@link LoggingConfigError} when an option, an `OTEL_LOGKIT_*` env var
 *   or a value in the configuration file (`OTEL_CONFIG_FILE`) is invalid; the
 *   message names it (and the file) and its value. An invalid value of a
 *   variable of the OTel spec is ignored with a `diag.warn` instead, as the
 *   spec asks. Nothing fails later at log time.
 */
export function registerLogging<L extends string = never>(
  serviceNameOrOptions?: string | LoggingOptions<L>,
): LoggingHandle<L> {
  // The live registration: a second call returns it.
  const live = getLoggingHandle();
  if (live) {
    diag.warn('otel-logkit: registerLogging() was called again; returning the first handle');
    return live;
  }
  const options: LoggingOptions<L> =
    typeof serviceNameOrOptions === 'string'
      ? { serviceName: serviceNameOrOptions }
      : (serviceNameOrOptions ?? {});
  const config = resolveConfig(options);
  // The diag logger is a global too: with registerGlobals false the SDK that owns
  // the globals sets it (from the same OTEL_LOG_LEVEL).
  if (config.diagLogLevel !== undefined && config.registerGlobals) {
    diag.setLogger(new DiagConsoleLogger(), {
      logLevel: DiagLogLevel[config.diagLogLevel],
      suppressOverrideMessage: true,
    });
  }
  // After the diag logger of OTEL_LOG_LEVEL is set, so that it shows them.
  // Redacted with the default rules (the registration's are not set yet): a
  // warning quotes the bad value, and a header or endpoint may hold a secret.
  for (const warning of config.warnings) diag.warn(redactTextForOutput(warning));
  for (const note of config.notes) diag.debug(redactTextForOutput(note));
  let handle: LoggingHandle<L>;
  try {
    handle = config.disabled ? createDisabledHandle<L>(config) : createHandle<L>(config);
  } catch (error) {
    // Name the configuration file's key when the bad value came from there.
    throw config.renameError(error);
  }
  setLiveHandle(handle);
  return handle;
}

function loggerFactory<L extends string>(
  config: ResolvedConfig,
  otelLoggerFor: (name: string, version?: string) => ReturnType<ApiLoggerProvider['getLogger']>,
): (name: string, options?: GetLoggerOptions) => Logger<L> {
  const shared: LoggerShared = {
    levels: config.levels,
    resolveMinSeverity: (level, source) =>
      resolveMinSeverity({ value: level, source }, config.levels),
  };
  return (name, options) => {
    const minSeverity =
      options?.level === undefined
        ? config.minSeverity
        : shared.resolveMinSeverity(
            options.level,
            `getLogger(${JSON.stringify(name)}) option level`,
          );
    const bound = toAttributes({
      ...options?.attributes,
      ...(options?.category === undefined ? {} : { [ATTR_LOGKIT_CATEGORY]: options.category }),
    });
    return new LogkitLogger<L>(
      name,
      otelLoggerFor(name, options?.version),
      shared,
      bound,
      minSeverity,
    ) as Logger<L>;
  };
}

function createHandle<L extends string>(config: ResolvedConfig): LoggingHandle<L> {
  // Everything that validates (steps, routing) is built before anything is
  // registered, so a bad option throws with nothing half set up.
  const counts = new DropCounts();
  const { steps, sampling, observeAt } = createSteps(config);
  const { destinations, monitors } = createDestinations(config, counts);
  setOutputRedaction(config.redaction);

  const resource = buildResource(config.resourceAttributes, config.redaction, {
    // With a configuration file the spec has OTEL_RESOURCE_ATTRIBUTES and
    // OTEL_SERVICE_NAME ignored: the file's `resource` says it all.
    fromEnv: config.configFile === undefined,
  });
  if (config.registerGlobals) {
    ensureContextManager();
    ensurePropagator();
  }
  const spanProcessor = spanRedaction(config);
  const tracerProvider = setupTracing(
    config,
    resource,
    spanProcessor,
    sampling ? [createTraceEndSpanProcessor(sampling)] : [],
  );

  const readers: IMetricReader[] = [
    ...config.metricReaders,
    ...config.metricsExporters.flatMap((name) => {
      const exporter = selectMetricExporter(name, config);
      return exporter
        ? [
            new PeriodicExportingMetricReader({
              exporter,
              exportIntervalMillis: config.metricExportIntervalMillis,
              exportTimeoutMillis: config.metricExportTimeoutMillis,
            }),
          ]
        : [];
    }),
  ];
  if (config.prometheus) readers.push(new PrometheusExporter({ ...config.prometheus }));
  const meterProvider = new MeterProvider({ resource, readers });
  // Runtime metrics only when something reads metrics: with no reader they
  // would cost event-loop and GC monitoring for nothing.
  const stopRuntimeMetrics =
    config.runtimeMetrics && readers.length > 0 ? startRuntimeMetrics(meterProvider) : undefined;
  const logMetrics = new LogMetrics(
    meterProvider.getMeter('otel-logkit'),
    counts,
    config.metricRules,
    redactTextForOutput,
  );
  observeDelivery(meterProvider.getMeter('otel-logkit'), () => monitors.map((m) => m.health()));
  const pipeline = new PipelineLogRecordProcessor({
    steps,
    destinations,
    counts,
    observe: (record) => logMetrics.observeCount(record),
    observeRedacted: (record, ctx) => logMetrics.observeRules(record, ctx),
    observeAt,
    stepDuration: meterProvider
      .getMeter('otel-logkit')
      .createHistogram(METRIC_PIPELINE_STEP_DURATION, {
        unit: 's',
        description: 'Time one pipeline step took for one record, over sampled records.',
        // Steps take microseconds: the default buckets (from 5 ms) would put every point in the first.
        advice: { explicitBucketBoundaries: [...STEP_DURATION_BUCKETS] },
      }),
  });

  const loggerProvider = new LoggerProvider({
    resource,
    processors: [pipeline],
    // The limit step truncates with a marker; the SDK's own limits (which it
    // would also read from OTEL_LOGRECORD_*) would cut silently before it.
    logRecordLimits: {
      attributeCountLimit: Number.MAX_SAFE_INTEGER,
      attributeValueLengthLimit: Number.POSITIVE_INFINITY,
    },
  });
  pipeline.setEmitter(loggerProvider.getLogger('otel-logkit'));

  // The globals get a wrapper that converts values before the SDK reads them
  // (a throwing getter in a plain emit() must not throw into the app).
  const globalLoggerProvider = safeLoggerProvider(loggerProvider);
  const ownsLogs =
    config.registerGlobals &&
    !hasLoggerProvider() &&
    logs.setGlobalLoggerProvider(globalLoggerProvider);
  if (config.registerGlobals && !ownsLogs) {
    diag.warn(
      "otel-logkit: a global LoggerProvider was already registered; plain Logs API loggers keep using it, otel-logkit loggers use otel-logkit's. To send its records through otel-logkit's pipeline, give that provider handle.logRecordProcessor (the NodeSDK's logRecordProcessors)",
    );
  }
  // The older api-logs global is registered either way when it is free: the
  // NodeSDK 3.x does not register it, and libraries still emit through it.
  const unregisterLegacyLogs = registerLegacyLoggerProvider(globalLoggerProvider);
  // Your code's and other instrumentations' metrics get redacted attributes;
  // otel-logkit's own instruments (above) redact theirs already.
  const publicMeterProvider: ApiMeterProvider =
    config.redaction === false
      ? meterProvider
      : redactingMeterProvider(meterProvider, config.redaction);
  const ownsMetrics =
    config.registerGlobals &&
    !hasMeterProvider() &&
    metrics.setGlobalMeterProvider(publicMeterProvider);
  if (config.registerGlobals && !ownsMetrics)
    diag.warn('otel-logkit: a global MeterProvider was already registered; keeping it');

  const getLogger = loggerFactory<L>(config, (name, version) =>
    loggerProvider.getLogger(name, version),
  );
  const internalLogger = getLogger('otel-logkit', { category: 'system' });

  // Flushes and the shutdown run one after another: the SDK's
  // BatchLogRecordProcessor (sdk-logs 0.223, still 3.1.1) returns at once from a flush that overlaps another
  // one, so a shutdown racing a flush (an exit hook's and the app's) would
  // close the exporters before the first flush's records reached them.
  let lastFlush: Promise<void> = Promise.resolve();
  const forceFlush = (): Promise<void> => {
    lastFlush = lastFlush.then(() =>
      settleAll(
        [loggerProvider.forceFlush(), meterProvider.forceFlush(), tracerProvider?.forceFlush()],
        'registration:flush',
      ),
    );
    return lastFlush;
  };

  let shutdownPromise: Promise<void> | undefined;
  let uninstallHooks: (() => void) | undefined;
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      uninstallHooks?.();
      await lastFlush;
      // Spans first: records of the last spans are already queued; metrics
      // last, so counts of the final records are in their last export.
      await settleAll([tracerProvider?.shutdown()], 'registration:shutdown');
      // Flush before the provider shuts down: steps emit their last records
      // (rate-limit summaries) through it, and a shut-down provider drops them.
      await settleAll([loggerProvider.forceFlush()], 'registration:shutdown');
      await settleAll([loggerProvider.shutdown()], 'registration:shutdown');
      stopRuntimeMetrics?.();
      await settleAll([meterProvider.shutdown()], 'registration:shutdown');
      if (ownsLogs) logs.disable();
      unregisterLegacyLogs?.();
      if (ownsMetrics) metrics.disable();
      if (tracerProvider) trace.disable();
      if (getLoggingHandle() === (handle as unknown)) setOutputRedaction(undefined);
      clearLiveHandle(handle);
    })();
    return shutdownPromise;
  };

  const handle: LoggingHandle<L> = {
    getLogger,
    eventStream: eventStreamFactory((name) => loggerProvider.getLogger(name)),
    // The safe wrapper, as the globals get: a direct getLogger().emit() with
    // hostile values must not throw into the app either.
    loggerProvider: globalLoggerProvider,
    logRecordProcessor: {
      onEmit: (record, ctx) => pipeline.onEmit(record, ctx),
      forceFlush,
      shutdown,
    },
    meterProvider: publicMeterProvider,
    spanProcessor,
    forceFlush,
    shutdown,
    stats: () => ({ ...counts.snapshot(), steps: pipeline.stepStats() }),
    health: () => {
      const list = monitors.map((m) => m.health());
      return { healthy: list.every((d) => isHealthy(d, config)), destinations: list };
    },
  };

  if (config.handleProcessExit) {
    uninstallHooks = installExitHooks(
      {
        forceFlush,
        shutdown,
        takeDirty: () => pipeline.takeDirty(),
        recordUncaught: (error, origin) =>
          internalLogger.fatal(
            origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception',
            error,
          ),
      },
      config.shutdownTimeoutMillis,
    );
  }
  diag.debug(
    `otel-logkit: logs → ${config.logsExporters.join(',') || 'none'}, metrics → ${
      config.metricsExporters.join(',') || 'none'
    }`,
  );
  return handle;
}

/** A destination dropped a record within this window, ms: unhealthy. */
const RECENT_DROP_MILLIS = 30_000;

function isHealthy(d: DestinationHealth, config: ResolvedConfig): boolean {
  if (d.consecutiveFailures !== 0) return false;
  if (d.lastDropAt !== undefined && Date.now() - d.lastDropAt < RECENT_DROP_MILLIS) return false;
  return !d.spool || d.spool.oldestAgeMillis <= config.delivery.unhealthyAfterMillis;
}

/** `OTEL_SDK_DISABLED`: loggers that drop everything, and nothing registered. */
function createDisabledHandle<L extends string>(config: ResolvedConfig): LoggingHandle<L> {
  const noopLogger = createNoopLogger();
  const loggerProvider: ApiLoggerProvider = { getLogger: () => noopLogger };
  const meterProvider: ApiMeterProvider = { getMeter: () => createNoopMeter() };
  const silent: ResolvedConfig = { ...config, minSeverity: Number.POSITIVE_INFINITY };
  let handle: LoggingHandle<L> | undefined = undefined;
  handle = {
    getLogger: loggerFactory<L>(silent, () => noopLogger),
    eventStream: disabledEventStream,
    loggerProvider,
    logRecordProcessor: {
      onEmit: () => undefined,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    },
    meterProvider,
    spanProcessor: new NoopSpanProcessor(),
    forceFlush: () => Promise.resolve(),
    stats: () => ({ ...new DropCounts().snapshot(), steps: [] }),
    health: () => ({ healthy: true, destinations: [] }),
    shutdown: () => {
      clearLiveHandle(handle);
      return Promise.resolve();
    },
  };
  diag.debug('otel-logkit: disabled by OTEL_SDK_DISABLED / the disabled option');
  return handle;
}
