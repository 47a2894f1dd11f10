import { BatchLogRecordProcessor, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import { join } from 'node:path';
import { AuditChainLogRecordProcessor } from '../audit/index.js';
import type { LogsExporterName } from '../config/LoggingOptions.js';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import { FileLogRecordExporter } from '../exporters/FileLogRecordExporter.js';
import { OtlpHttpSender } from '../exporters/OtlpHttpSender.js';
import { createOtlpLogExporter } from '../exporters/otlpExporters.js';
import { FileLinesSender } from '../exporters/FileLinesSender.js';
import { fileLinesEncoder } from '../exporters/spool/FileLinesEncoder.js';
import { getLogsEncoder, type LogsEncoder } from '../exporters/spool/LogsEncoder.js';
import type { BatchSender } from './DeliveringLogRecordProcessor.js';
import { PrettyConsoleLogRecordExporter } from '../exporters/PrettyConsoleLogRecordExporter.js';
import { toAttributes } from '../logger/toAnyValue.js';
import { DeliveringLogRecordProcessor } from './DeliveringLogRecordProcessor.js';
import { DestinationMonitor } from './DestinationMonitor.js';
import type { DropCounts } from './DropCounts.js';
import { createEnrichStep } from './enrich/EnrichStep.js';
import { createLimitsStep } from './limits/LimitsStep.js';
import type { Destination } from './PipelineLogRecordProcessor.js';
import type { PipelineStep } from './PipelineStep.js';
import { createRedactionStep, REDACTION_STEP_NAME } from './redaction/RedactionStep.js';
import { compileRouteRule } from './routing/RouteRule.js';
import { createSamplingStep } from './sampling/SamplingStep.js';
import { toPipelineStep } from './userSteps.js';

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

/**
 * A destination with zero-loss delivery (memory budget, then a spool; see
 * {@link DeliveringLogRecordProcessor}).
 */
function createDeliveringProcessor(
  config: ResolvedConfig,
  monitor: DestinationMonitor,
  encoder: LogsEncoder,
  sender: BatchSender,
  spoolDir: string | undefined,
): LogRecordProcessor {
  const processor = new DeliveringLogRecordProcessor({
    encoder,
    sender,
    spool:
      config.delivery.spool && spoolDir !== undefined
        ? { dir: spoolDir, maxBytes: config.delivery.spool.maxBytes, encoding: encoder.encoding }
        : undefined,
    observer: monitor,
    memoryBudget: config.delivery.memoryBudget,
    maxBatchSize: config.batch.maxExportBatchSize,
    scheduledDelayMillis: config.batch.scheduledDelayMillis,
    shutdownDeadlineMillis: config.delivery.deadlineMillis,
  });
  monitor.watchDelivery({
    spool: () => processor.spoolStats(),
    queue: () => ({ size: processor.memorySize(), capacity: config.delivery.memoryBudget }),
  });
  return processor;
}

/**
 * The OTLP/HTTP destination: otel-logkit's own OTLP encoding and OTLP/HTTP
 * sender, the spool in `delivery.spoolDir`.
 */
function createOtlpProcessor(
  config: ResolvedConfig,
  monitor: DestinationMonitor,
): LogRecordProcessor {
  return createDeliveringProcessor(
    config,
    monitor,
    getLogsEncoder(config.logs.protocol === 'http/json' ? 'http/json' : 'http/protobuf'),
    new OtlpHttpSender({
      url: config.logs.url,
      headers: config.logs.headers,
      timeoutMillis: config.logs.timeoutMillis,
      compression: config.logs.compression === 'gzip' ? 'gzip' : 'none',
      tls: config.logs.tls,
    }),
    config.delivery.spool?.dir,
  );
}

/**
 * The `file` destination: the same delivery, its batches appended to the
 * rotating category files; a burst past the memory budget waits in the
 * spool's `files` subdirectory instead of being dropped.
 */
function createFileProcessor(
  config: ResolvedConfig,
  monitor: DestinationMonitor,
): LogRecordProcessor {
  return createDeliveringProcessor(
    config,
    monitor,
    fileLinesEncoder,
    new FileLinesSender({
      dir: config.logDir,
      maxFileBytes: config.maxFileBytes,
      maxBackups: config.maxBackups,
    }),
    config.delivery.spool && join(config.delivery.spool.dir, 'files'),
  );
}

/**
 * The records of the audit route (its categories), which sampling, rate
 * limiting and buffering never drop or hold: undefined without audit.
 */
function auditRecord(
  config: ResolvedConfig,
): ((record: ReadWriteLogRecord) => boolean) | undefined {
  if (!config.audit) return undefined;
  return compileRouteRule({ include: { category: config.audit.categories } }, undefined);
}

/**
 * The steps before routing, built and validated once, and where records are
 * read for metrics (`observeAt`: after the later of `enrich` and `redact`).
 */
export function createSteps(config: ResolvedConfig) {
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
          return (sampling = createSamplingStep(config.sampling, config.levels, {
            exempt: auditRecord(config),
          }));
        default:
          return toPipelineStep(spec, index);
      }
    })
    .filter((step): step is PipelineStep => step !== undefined);
  // Records are read for metrics once everything that adds values (enrich)
  // and the redaction have run, and before anything that cuts or drops them
  // (limit, sample): see PipelineOptions.observeAt.
  let observeAt = 0;
  steps.forEach((step, index) => {
    if (step.name === 'enrich' || step.name === REDACTION_STEP_NAME) observeAt = index + 1;
  });
  return { steps, sampling, observeAt };
}

/**
 * The destinations: one per log exporter, the audit files, the user's named
 * destinations and extra processors, each with its compiled routing rule
 * (checked against the destinations when the config was resolved).
 */
export function createDestinations(
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
    processor:
      // gRPC keeps the SDK's exporter (behind the batch processor, no spool):
      // the spool's sender speaks OTLP/HTTP only.
      name === 'otlp' && config.logs.protocol !== 'grpc'
        ? createOtlpProcessor(config, monitor(name))
        : name === 'file'
          ? createFileProcessor(config, monitor(name))
          : createLogProcessor(
              createExporter(name, config),
              config,
              monitor(name),
              name === 'console',
            ),
    accepts: rule(name),
  }));
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
  // Last, so no destination after it changes a record once it is chained.
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
      processor: new AuditChainLogRecordProcessor({
        dir: config.audit.dir,
        key: config.audit.key,
        delegate: createLogProcessor(exporter, config, monitor('audit')),
      }),
      accepts: (record) => auditCategory(record) && userRule(record),
    });
  }
  return { destinations, monitors };
}
