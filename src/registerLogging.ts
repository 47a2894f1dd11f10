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
} from '@opentelemetry/api-logs';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { ATTR_LOGKIT_CATEGORY } from './attributes.js';
import { buildResource } from './config/buildResource.js';
import type {
  LoggingOptions,
  LogsExporterName,
  MetricsExporterName,
} from './config/LoggingOptions.js';
import { resolveConfig, resolveMinSeverity, type ResolvedConfig } from './config/resolveConfig.js';
import { FileLogRecordExporter } from './exporters/FileLogRecordExporter.js';
import { FileMetricExporter } from './exporters/FileMetricExporter.js';
import { createOtlpLogExporter, createOtlpMetricExporter } from './exporters/otlpExporters.js';
import { PrettyConsoleLogRecordExporter } from './exporters/PrettyConsoleLogRecordExporter.js';
import { installExitHooks } from './lifecycle/exitHooks.js';
import {
  LogkitLogger,
  type GetLoggerOptions,
  type Logger,
  type LoggerShared,
} from './logger/Logger.js';
import type { LoggingHandle } from './LoggingHandle.js';
import { DropCounts } from './processors/DropCounts.js';
import { createEnrichStep } from './processors/enrich/EnrichStep.js';
import { createLimitsStep } from './processors/limits/LimitsStep.js';
import {
  PipelineLogRecordProcessor,
  type Destination,
} from './processors/PipelineLogRecordProcessor.js';
import type { PipelineStep } from './processors/PipelineStep.js';
import { createRedactionStep } from './processors/redaction/RedactionStep.js';
import { compileRouteRule } from './processors/routing/RouteRule.js';
import {
  createSamplingStep,
  createTraceEndSpanProcessor,
} from './processors/sampling/SamplingStep.js';
import { toPipelineStep } from './processors/userSteps.js';
import { toAttributes } from './logger/toAnyValue.js';
import { LoggingConfigError } from './config/LoggingConfigError.js';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { LogMetrics } from './metrics/LogMetrics.js';
import { DestinationMonitor } from './processors/DestinationMonitor.js';
import {
  ensureContextManager,
  ensurePropagator,
  hasMeterProvider,
} from './tracing/globalRegistration.js';
import { setupTracing } from './tracing/setupTracing.js';

/** The live registration; a second registerLogging call returns it. */
let current: LoggingHandle<string> | undefined;

/**
 * Sets up logging for the process, once, at startup: resolves options against
 * the `OTEL_*` environment variables, builds the Resource, registers the
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
 * @throws {@link LoggingConfigError} when an option or env var is invalid; the
 *   message names it and its value. Nothing fails later at log time.
 */
export function registerLogging<L extends string = never>(
  serviceNameOrOptions?: string | LoggingOptions<L>,
): LoggingHandle<L> {
  if (current) {
    diag.warn('otel-logkit: registerLogging() was called again; returning the first handle');
    return current;
  }
  const options: LoggingOptions<L> =
    typeof serviceNameOrOptions === 'string'
      ? { serviceName: serviceNameOrOptions }
      : (serviceNameOrOptions ?? {});
  const config = resolveConfig(options);
  if (config.diagLogLevel !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), {
      logLevel: DiagLogLevel[config.diagLogLevel],
      suppressOverrideMessage: true,
    });
  }
  const handle = config.disabled ? createDisabledHandle<L>(config) : createHandle<L>(config);
  current = handle;
  return handle;
}

/**
 * The handle of the live registration, or undefined before
 * {@link registerLogging} and after its `shutdown()`. For code that cannot be
 * handed the handle (decorators, bridges set up at import time).
 */
export function getLoggingHandle(): LoggingHandle<string> | undefined {
  return current;
}

function createExporter(name: LogsExporterName, config: ResolvedConfig): LogRecordExporter {
  switch (name) {
    case 'console':
      return new PrettyConsoleLogRecordExporter({ colors: config.colors });
    case 'file':
      return new FileLogRecordExporter({
        dir: config.logDir,
        maxFileBytes: config.maxFileBytes,
        maxBackups: config.maxBackups,
      });
    default:
      return createOtlpLogExporter(config.logs);
  }
}

/**
 * The exporting processor of one destination, watched by `monitor`. The
 * console is immediate, one line per record, as a developer watching expects;
 * the others are batched with the BatchLogRecordProcessor settings.
 */
function createLogProcessor(
  exporter: LogRecordExporter,
  config: ResolvedConfig,
  monitor: DestinationMonitor,
  immediate = false,
): LogRecordProcessor {
  const options = {
    exporter: monitor.wrap(exporter),
    selfObsMeterProvider: monitor.meterProvider(),
  };
  return immediate
    ? new SimpleLogRecordProcessor(options)
    : new BatchLogRecordProcessor({ ...options, ...config.batch });
}

/** The steps before routing, built and validated once. */
function createSteps(config: ResolvedConfig) {
  let sampling: ReturnType<typeof createSamplingStep> | undefined;
  const steps: PipelineStep[] = config.steps
    .map((spec, index) => {
      switch (spec) {
        case 'enrich':
          return createEnrichStep({
            attributes: toAttributes(config.staticAttributes),
            baggageKeys: config.baggageKeys,
          });
        case 'redact':
          return config.redaction === false ? undefined : createRedactionStep(config.redaction);
        case 'limit':
          return createLimitsStep(config.limits);
        case 'sample':
          return (sampling = createSamplingStep(config.sampling, config.levels));
        default:
          return toPipelineStep(spec, index);
      }
    })
    .filter((step): step is PipelineStep => step !== undefined);
  return { steps, sampling };
}

/**
 * The destinations: one per log exporter, the audit files, the user's named
 * destinations and extra processors, each with its compiled routing rule.
 * @throws {@link LoggingConfigError} for a routing rule naming no destination.
 */
function createDestinations(
  config: ResolvedConfig,
  counts: DropCounts,
): { destinations: Destination[]; monitors: DestinationMonitor[] } {
  const monitors: DestinationMonitor[] = [];
  const monitor = (name: string) => {
    const m = new DestinationMonitor(name, counts);
    monitors.push(m);
    return m;
  };
  const rule = (name: string) => {
    const entry = config.routing.get(name);
    return compileRouteRule(entry?.rule, entry?.minSeverity);
  };
  const destinations: Destination[] = config.logsExporters.map((name) => ({
    name,
    processor: createLogProcessor(
      createExporter(name, config),
      config,
      monitor(name),
      name === 'console',
    ),
    accepts: rule(name),
  }));
  if (config.audit) {
    const auditCategory = compileRouteRule(
      { include: { category: config.audit.categories } },
      undefined,
    );
    const userRule = rule('audit');
    const exporter = new FileLogRecordExporter({
      dir: config.audit.dir,
      maxFileBytes: config.maxFileBytes,
      maxBackups: config.maxBackups,
    });
    destinations.push({
      name: 'audit',
      processor: createLogProcessor(exporter, config, monitor('audit')),
      accepts: (record) => auditCategory(record) && userRule(record),
    });
  }
  for (const [name, exporter] of Object.entries(config.destinations)) {
    destinations.push({
      name,
      processor: createLogProcessor(exporter, config, monitor(name)),
      accepts: rule(name),
    });
  }
  config.logRecordProcessors.forEach((processor, index) => {
    destinations.push({ name: `logRecordProcessors[${index}]`, processor, accepts: () => true });
  });
  const known = new Set(['console', 'file', 'otlp', 'audit', ...Object.keys(config.destinations)]);
  for (const name of config.routing.keys()) {
    if (!known.has(name)) {
      throw new LoggingConfigError(
        `option routing.${name}`,
        name,
        `a destination (${[...known].join(', ')})`,
      );
    }
    if (!destinations.some((d) => d.name === name)) {
      diag.debug(`otel-logkit: routing rule for ${name}, which is not enabled, has no effect`);
    }
  }
  return { destinations, monitors };
}

function createMetricExporter(
  name: MetricsExporterName,
  config: ResolvedConfig,
): PushMetricExporter {
  switch (name) {
    case 'console':
      return new ConsoleMetricExporter();
    case 'file':
      return new FileMetricExporter({
        dir: config.logDir,
        maxFileBytes: config.maxFileBytes,
        maxBackups: config.maxBackups,
      });
    default:
      return createOtlpMetricExporter(config.metrics);
  }
}

function settle(work: Array<Promise<unknown> | undefined>): Promise<void> {
  return Promise.allSettled(work.map((w) => w ?? Promise.resolve())).then((results) => {
    for (const result of results) {
      if (result.status === 'rejected')
        diag.error('otel-logkit: flush or shutdown failed', result.reason);
    }
  });
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
  const { steps, sampling } = createSteps(config);
  const { destinations, monitors } = createDestinations(config, counts);

  const resource = buildResource(config.resourceAttributes);
  ensureContextManager();
  ensurePropagator();
  const tracerProvider = setupTracing(
    config,
    resource,
    sampling ? [createTraceEndSpanProcessor(sampling)] : [],
  );

  const readers: IMetricReader[] = [
    ...config.metricReaders,
    ...config.metricsExporters.map(
      (name) =>
        new PeriodicExportingMetricReader({
          exporter: createMetricExporter(name, config),
          exportIntervalMillis: config.metricExportIntervalMillis,
          exportTimeoutMillis: config.metricExportTimeoutMillis,
        }),
    ),
  ];
  if (config.prometheus) readers.push(new PrometheusExporter({ ...config.prometheus }));
  const meterProvider = new MeterProvider({ resource, readers });
  const logMetrics = new LogMetrics(
    meterProvider.getMeter('otel-logkit'),
    counts,
    config.metricRules,
  );
  const pipeline = new PipelineLogRecordProcessor({
    steps,
    destinations,
    counts,
    observe: (record, ctx) => logMetrics.observe(record, ctx),
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

  const ownsLogs = logs.setGlobalLoggerProvider(loggerProvider) === loggerProvider;
  if (!ownsLogs) {
    diag.warn(
      "otel-logkit: a global LoggerProvider was already registered; plain Logs API loggers keep using it, otel-logkit loggers use otel-logkit's",
    );
  }
  const ownsMetrics = !hasMeterProvider() && metrics.setGlobalMeterProvider(meterProvider);
  if (!ownsMetrics)
    diag.warn('otel-logkit: a global MeterProvider was already registered; keeping it');

  const getLogger = loggerFactory<L>(config, (name, version) =>
    loggerProvider.getLogger(name, version),
  );
  const internalLogger = getLogger('otel-logkit', { category: 'system' });

  // Flushes and the shutdown run one after another: the SDK's
  // BatchLogRecordProcessor returns at once from a flush that overlaps another
  // one, so a shutdown racing a flush (an exit hook's and the app's) would
  // close the exporters before the first flush's records reached them.
  let lastFlush: Promise<void> = Promise.resolve();
  const forceFlush = (): Promise<void> => {
    lastFlush = lastFlush.then(() =>
      settle([
        loggerProvider.forceFlush(),
        meterProvider.forceFlush(),
        tracerProvider?.forceFlush(),
      ]),
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
      await settle([tracerProvider?.shutdown()]);
      // Flush before the provider shuts down: steps emit their last records
      // (rate-limit summaries) through it, and a shut-down provider drops them.
      await settle([loggerProvider.forceFlush()]);
      await settle([loggerProvider.shutdown()]);
      await settle([meterProvider.shutdown()]);
      if (ownsLogs) logs.disable();
      if (ownsMetrics) metrics.disable();
      if (tracerProvider) trace.disable();
      if (current === (handle as unknown)) current = undefined;
    })();
    return shutdownPromise;
  };

  const handle: LoggingHandle<L> = {
    getLogger,
    loggerProvider,
    meterProvider,
    forceFlush,
    shutdown,
    stats: () => counts.snapshot(),
    health: () => {
      const list = monitors.map((m) => m.health());
      return { healthy: list.every((d) => d.consecutiveFailures === 0), destinations: list };
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

/** `OTEL_SDK_DISABLED`: loggers that drop everything, and nothing registered. */
function createDisabledHandle<L extends string>(config: ResolvedConfig): LoggingHandle<L> {
  const noopLogger = createNoopLogger();
  const loggerProvider: ApiLoggerProvider = { getLogger: () => noopLogger };
  const meterProvider: ApiMeterProvider = { getMeter: () => createNoopMeter() };
  const silent: ResolvedConfig = { ...config, minSeverity: Number.POSITIVE_INFINITY };
  let handle: LoggingHandle<L> | undefined = undefined;
  handle = {
    getLogger: loggerFactory<L>(silent, () => noopLogger),
    loggerProvider,
    meterProvider,
    forceFlush: () => Promise.resolve(),
    stats: () => new DropCounts().snapshot(),
    health: () => ({ healthy: true, destinations: [] }),
    shutdown: () => {
      if (current === (handle as unknown)) current = undefined;
      return Promise.resolve();
    },
  };
  diag.debug('otel-logkit: disabled by OTEL_SDK_DISABLED / the disabled option');
  return handle;
}
