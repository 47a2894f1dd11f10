import { SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type {
  LogRecordExporter,
  LogRecordProcessor,
  ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import { join } from 'node:path';
import { AuditChainLogRecordProcessor } from '../audit/index.js';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import { FileLinesSender } from '../exporters/FileLinesSender.js';
import { fileLinesEncoder } from '../exporters/spool/FileLinesEncoder.js';
import { selectLogsExporter } from '../exporters/selectExporter.js';
import { LogRecordExporterSender } from '../exporters/LogRecordExporterSender.js';
import { getLogsEncoder, type LogsEncoder } from '../exporters/spool/LogsEncoder.js';
import type { BatchSender } from './DeliveringLogRecordProcessor.js';
import { toAttributes } from '../logger/toAnyValue.js';
import { DeliveringLogRecordProcessor } from './DeliveringLogRecordProcessor.js';
import { DestinationMonitor } from './DestinationMonitor.js';
import type { DropCounts } from './DropCounts.js';
import { createEnrichStep } from './enrich/EnrichStep.js';
import { createLimitsStep } from './limits/LimitsStep.js';
import type { Destination } from './PipelineLogRecordProcessor.js';
import type { PipelineStep } from './PipelineStep.js';
import { redactionStepFrom, REDACTION_STEP_NAME } from './redaction/RedactionStep.js';
import { compileRouteRule } from './routing/RouteRule.js';
import { samplingStepFrom } from './sampling/SamplingStep.js';
import { toPipelineStep } from './userSteps.js';

/**
 * The processor of an immediate destination (the console), watched by
 * `monitor`: one line per record at once, as a developer watching expects.
 */
function createImmediateProcessor(
  exporter: LogRecordExporter,
  monitor: DestinationMonitor,
): LogRecordProcessor {
  return new SimpleLogRecordProcessor({
    exporter: monitor.wrap(exporter),
    selfObsMeterProvider: monitor.meterProvider(),
  });
}

/**
 * A destination with zero-loss delivery (memory budget, then a spool; see
 * {@link DeliveringLogRecordProcessor}).
 */
function createDeliveringProcessor(
  config: ResolvedConfig,
  monitor: DestinationMonitor,
  { encoder, sender, spoolDir }: { encoder: LogsEncoder; sender: BatchSender; spoolDir?: string },
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
 * A user destination (`destinations`): the same delivery, its batches kept as
 * OTLP/JSON bytes (memory budget, then the spool in
 * `<spoolDir>/destinations/<name>`) and decoded back into records for the
 * user's exporter ({@link LogRecordExporterSender}). The exporter is flushed
 * and shut down after the delivery path.
 */
function createUserDestinationProcessor(
  name: string,
  exporter: LogRecordExporter,
  config: ResolvedConfig,
  monitor: DestinationMonitor,
): LogRecordProcessor {
  const json = getLogsEncoder('http/json');
  const delivering = createDeliveringProcessor(config, monitor, {
    // No queue of encoded records: records wait as objects and go to the
    // exporter as they are; OTLP/JSON only for what must be spooled.
    encoder: {
      encoding: json.encoding,
      contentType: json.contentType,
      encode: (records) => json.encode(records),
    },
    sender: new LogRecordExporterSender(exporter, config.batch.exportTimeoutMillis),
    // The name is the user's: escaped so it stays one path segment.
    spoolDir:
      config.delivery.spool &&
      join(
        config.delivery.spool.dir,
        'destinations',
        encodeURIComponent(name).replace(/\./g, '%2E'),
      ),
  });
  return {
    onEmit: (record, context) => delivering.onEmit(record, context),
    forceFlush: async () => {
      await delivering.forceFlush();
      await exporter.forceFlush?.();
    },
    shutdown: async () => {
      await delivering.shutdown();
      await exporter.shutdown();
    },
  };
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
  let sampling: ReturnType<typeof samplingStepFrom> | undefined;
  const steps: PipelineStep[] = config.steps
    .map((spec, index) => {
      switch (spec) {
        case 'enrich':
          return createEnrichStep({
            attributes: toAttributes(config.staticAttributes),
            baggageKeys: config.baggageKeys,
          });
        case 'redact':
          return config.redaction === false ? undefined : redactionStepFrom(config.redaction);
        case 'limit':
          return createLimitsStep(config.limits);
        case 'sample':
          return (sampling = samplingStepFrom(config.sampling, { exempt: auditRecord(config) }));
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
  const destinations: Destination[] = [];
  for (const name of config.logsExporters) {
    const selected = selectLogsExporter(name, config);
    if (!selected) continue;
    destinations.push({
      name,
      processor:
        selected.kind === 'delivered'
          ? createDeliveringProcessor(config, monitor(name), selected)
          : createImmediateProcessor(selected.exporter, monitor(name)),
      accepts: rule(name),
    });
  }
  for (const [name, exporter] of Object.entries(config.destinations)) {
    destinations.push({
      name,
      processor: createUserDestinationProcessor(name, exporter, config, monitor(name)),
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
    // The delivery path into the audit files, its spool `<spoolDir>/audit`,
    // which the chain reads too when it resumes.
    const spoolDir = config.delivery.spool && join(config.delivery.spool.dir, 'audit');
    const delegate = createDeliveringProcessor(config, monitor('audit'), {
      encoder: fileLinesEncoder,
      sender: new FileLinesSender({
        dir: config.audit.dir,
        maxFileBytes: config.maxFileBytes,
        maxBackups: config.maxBackups,
      }),
      spoolDir,
    });
    destinations.push({
      name: 'audit',
      processor: new AuditChainLogRecordProcessor({
        dir: config.audit.dir,
        spoolDir,
        key: config.audit.key,
        delegate,
      }),
      accepts: (record) => auditCategory(record) && userRule(record),
    });
  }
  return { destinations, monitors };
}
