import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  mergeHeadersConfig,
  mergeResourceAttributesConfig,
  parseConfigFile,
  type ConfigurationModel,
  type LogRecordExporterConfigModel,
  type OtlpGrpcExporterConfigModel,
  type OtlpHttpExporterConfigModel,
} from '@opentelemetry/configuration';
import { parseDocument, parse as parseYaml } from 'yaml';
import { LoggingConfigError } from './LoggingConfigError.js';
import type {
  DiagLevelName,
  LoggingOptions,
  LogsExporterName,
  MetricsExporterName,
} from './LoggingOptions.js';

/**
 * The top-level key of an OpenTelemetry configuration file that holds
 * otel-logkit's own settings: {@link LoggingOptions} by their option names
 * (`level`, `redaction`, `sampling`, `routing`, `logDir`, `audit`, ...). The
 * schema (file_format 1.x) accepts extra top-level keys, and
 * `@opentelemetry/configuration` passes them through.
 */
export const CONFIG_FILE_KEY = 'otel_logkit';

/**
 * Options a file may not set: they take code (functions, exporter and
 * processor instances) or would point at another file.
 */
const CODE_ONLY_OPTIONS = new Set([
  'configFile',
  'destinations',
  'logRecordProcessors',
  'metricReaders',
]);

/** Every option of {@link LoggingOptions} a file may set under {@link CONFIG_FILE_KEY}. */
const FILE_OPTIONS = new Set<string>([
  'serviceName',
  'serviceVersion',
  'environment',
  'resourceAttributes',
  'level',
  'levels',
  'logsExporter',
  'metricsExporter',
  'endpoint',
  'logsEndpoint',
  'metricsEndpoint',
  'tracesEndpoint',
  'headers',
  'logsHeaders',
  'metricsHeaders',
  'tracesHeaders',
  'protocol',
  'compression',
  'otlpTimeoutMillis',
  'tls',
  'logsOtlp',
  'metricsOtlp',
  'tracesOtlp',
  'batch',
  'metricExportIntervalMillis',
  'metricExportTimeoutMillis',
  'logDir',
  'maxFileBytes',
  'maxBackups',
  'colors',
  'traces',
  'tracesExporter',
  'handleProcessExit',
  'runtimeMetrics',
  'shutdownTimeoutMillis',
  'disabled',
  'diagLogLevel',
  'steps',
  'attributes',
  'baggageKeys',
  'limits',
  'redaction',
  'sampling',
  'routing',
  'audit',
  'metricRules',
  'prometheus',
]);

/** Options merged key by key with the file's, rather than replaced, when given in code. */
const MERGED_OPTIONS = new Set([
  'resourceAttributes',
  'attributes',
  'batch',
  'limits',
  'tls',
  'logsOtlp',
  'metricsOtlp',
  'tracesOtlp',
]);

/** What a configuration file contributes; see {@link loadConfigFile}. */
export interface ConfigFileLayer {
  /** The file, as given. */
  readonly file: string;
  /** The options the file defines, in {@link LoggingOptions}' shape. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Option path (`batch.maxQueueSize`) → the key in the file it came from, for errors. */
  readonly origins: ReadonlyMap<string, string>;
  /** Parts of the file that otel-logkit does not apply, to report through diag. */
  readonly warnings: readonly string[];
}

type Layer = {
  options: Record<string, unknown>;
  origins: Map<string, string>;
  warnings: string[];
  file: string;
};

function setOption(layer: Layer, optionPath: string, value: unknown, fileKey: string): void {
  const parts = optionPath.split('.');
  let target = layer.options;
  for (const part of parts.slice(0, -1)) {
    target = (target[part] ??= {}) as Record<string, unknown>;
  }
  target[parts.at(-1)!] = value;
  layer.origins.set(optionPath, fileKey);
}

function invalid(layer: Layer, key: string, value: unknown, expected: string): never {
  throw new LoggingConfigError(`${layer.file}: ${key}`, value, expected);
}

/**
 * The exporters of one provider's processors or readers: `console`, or the one
 * OTLP exporter otel-logkit supports per signal (a second one is an error
 * naming both keys).
 */
function exporterList(layer: Layer, signal: 'log' | 'metric') {
  const exporters: ('console' | 'otlp')[] = [];
  let otlpAt: string | undefined;
  return {
    exporters,
    /** Records the exporter at `key`; true when it is the OTLP one (then configure it). */
    add(kind: string, key: string): boolean {
      if (kind === 'console') {
        exporters.push('console');
        return false;
      }
      if (otlpAt !== undefined) {
        invalid(layer, key, kind, `one OTLP ${signal} exporter (there is one at ${otlpAt})`);
      }
      otlpAt = key;
      exporters.push('otlp');
      return true;
    },
  };
}

/** The single key of a `{ kind: {...} }` entry (a processor, an exporter, a reader). */
function kindOf(layer: Layer, entry: unknown, key: string, allowed: readonly string[]): string {
  const keys =
    entry !== null && typeof entry === 'object'
      ? Object.keys(entry).filter((k) => (entry as Record<string, unknown>)[k] !== undefined)
      : [];
  if (keys.length !== 1 || !allowed.includes(keys[0]!)) {
    invalid(layer, key, entry, `one of ${allowed.join(', ')} (what otel-logkit supports)`);
  }
  return keys[0]!;
}

const DIAG_FROM_SEVERITY: Record<string, DiagLevelName> = {
  trace: 'VERBOSE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
};

const LOG_EXPORTER_KINDS = ['otlp_http', 'otlp_grpc', 'console'] as const;

/**
 * The OTLP settings of one `otlp_http` / `otlp_grpc` exporter as options of
 * one signal (`logs`, `metrics`, `traces`). The file's endpoint is used as is,
 * as the schema says (for HTTP it includes the signal's path).
 */
function otlpExporter(
  layer: Layer,
  signal: 'logs' | 'metrics' | 'traces',
  kind: 'otlp_http' | 'otlp_grpc',
  exporter: OtlpHttpExporterConfigModel | OtlpGrpcExporterConfigModel,
  key: string,
): void {
  const e = exporter ?? {};
  const defaults = {
    otlp_http: `http://localhost:4318/v1/${signal}`,
    otlp_grpc: 'http://localhost:4317',
  };
  setOption(layer, `${signal}Endpoint`, e.endpoint ?? defaults[kind], `${key}.endpoint`);
  const headers = mergeHeadersConfig(e.headers, e.headers_list);
  if (headers) setOption(layer, `${signal}Headers`, headers, `${key}.headers`);
  const own = `${signal}Otlp`;
  const encoding = kind === 'otlp_http' ? (e as OtlpHttpExporterConfigModel)?.encoding : null;
  setOption(
    layer,
    `${own}.protocol`,
    kind === 'otlp_grpc' ? 'grpc' : encoding === 'json' ? 'http/json' : 'http/protobuf',
    kind === 'otlp_http' ? `${key}.encoding` : key,
  );
  if (e.compression != null)
    setOption(layer, `${own}.compression`, e.compression, `${key}.compression`);
  if (e.timeout != null) setOption(layer, `${own}.timeoutMillis`, e.timeout, `${key}.timeout`);
  const tls = e.tls ?? {};
  const files = [
    ['ca_file', 'certificateFile'],
    ['cert_file', 'clientCertificateFile'],
    ['key_file', 'clientKeyFile'],
  ] as const;
  for (const [fileKey, option] of files) {
    const value = tls[fileKey];
    if (value != null) {
      // Relative to the configuration file, not the process's cwd.
      const resolved = path.resolve(path.dirname(layer.file), value);
      setOption(layer, `${own}.tls.${option}`, resolved, `${key}.tls.${fileKey}`);
    }
  }
  if (kind === 'otlp_grpc' && (tls as { insecure?: boolean | null }).insecure === true) {
    layer.warnings.push(
      `${layer.file}: ${key}.tls.insecure is not needed: an http:// endpoint is plaintext, https:// is TLS`,
    );
  }
}

/** `logger_provider`: its processors become log exporters, batch settings and the logs' OTLP settings. */
function loggerProvider(layer: Layer, model: ConfigurationModel): LogsExporterName[] | undefined {
  const provider = model.logger_provider;
  if (provider == null) return undefined;
  const list = exporterList(layer, 'log');
  (provider.processors ?? []).forEach((processor, i) => {
    const key = `logger_provider.processors[${i}]`;
    const kind = kindOf(layer, processor, key, ['batch', 'simple']) as 'batch' | 'simple';
    const settings = processor[kind]!;
    const exporter: LogRecordExporterConfigModel = settings.exporter;
    const exporterKey = `${key}.${kind}.exporter`;
    const exporterKind = kindOf(layer, exporter, exporterKey, LOG_EXPORTER_KINDS);
    if (!list.add(exporterKind, exporterKey)) return;
    otlpExporter(
      layer,
      'logs',
      exporterKind as 'otlp_http' | 'otlp_grpc',
      exporter[exporterKind] as OtlpHttpExporterConfigModel,
      `${exporterKey}.${exporterKind}`,
    );
    if (kind === 'simple') {
      layer.warnings.push(
        `${layer.file}: ${key}.simple: otel-logkit batches OTLP exports; using a batch processor with the default settings`,
      );
      return;
    }
    const batch = processor.batch!;
    const fields = [
      ['schedule_delay', 'scheduledDelayMillis'],
      ['export_timeout', 'exportTimeoutMillis'],
      ['max_queue_size', 'maxQueueSize'],
      ['max_export_batch_size', 'maxExportBatchSize'],
    ] as const;
    for (const [fileKey, option] of fields) {
      if (batch[fileKey] != null) {
        setOption(layer, `batch.${option}`, batch[fileKey], `${key}.batch.${fileKey}`);
      }
    }
  });
  const limits = provider.limits ?? {};
  if (limits.attribute_value_length_limit != null) {
    setOption(
      layer,
      'limits.attributeValueLength',
      limits.attribute_value_length_limit,
      'logger_provider.limits.attribute_value_length_limit',
    );
  }
  if (limits.attribute_count_limit != null) {
    setOption(
      layer,
      'limits.attributeCount',
      limits.attribute_count_limit,
      'logger_provider.limits.attribute_count_limit',
    );
  }
  return list.exporters;
}

/** `meter_provider.readers`: periodic OTLP / console readers and a Prometheus pull reader. */
function meterProvider(layer: Layer, model: ConfigurationModel): MetricsExporterName[] | undefined {
  const provider = model.meter_provider;
  if (provider == null) return undefined;
  const list = exporterList(layer, 'metric');
  (provider.readers ?? []).forEach((reader, i) => {
    const key = `meter_provider.readers[${i}]`;
    const kind = kindOf(layer, reader, key, ['periodic', 'pull']);
    if (kind === 'pull') {
      const exporterKey = `${key}.pull.exporter`;
      kindOf(layer, reader.pull!.exporter, exporterKey, ['prometheus/development']);
      const prometheus = reader.pull!.exporter['prometheus/development'] ?? {};
      const options: Record<string, unknown> = {};
      if (prometheus.host != null) options.host = prometheus.host;
      if (prometheus.port != null) options.port = prometheus.port;
      setOption(layer, 'prometheus', options, `${exporterKey}.prometheus/development`);
      return;
    }
    const periodic = reader.periodic!;
    if (periodic.interval != null) {
      setOption(layer, 'metricExportIntervalMillis', periodic.interval, `${key}.periodic.interval`);
    }
    if (periodic.timeout != null) {
      setOption(layer, 'metricExportTimeoutMillis', periodic.timeout, `${key}.periodic.timeout`);
    }
    const exporterKey = `${key}.periodic.exporter`;
    const exporterKind = kindOf(layer, periodic.exporter, exporterKey, LOG_EXPORTER_KINDS);
    if (!list.add(exporterKind, exporterKey)) return;
    const exporter = periodic.exporter[exporterKind] as OtlpHttpExporterConfigModel & {
      temporality_preference?: string | null;
    };
    otlpExporter(
      layer,
      'metrics',
      exporterKind as 'otlp_http' | 'otlp_grpc',
      exporter,
      `${exporterKey}.${exporterKind}`,
    );
    const temporality = exporter?.temporality_preference;
    if (temporality != null && temporality !== 'cumulative') {
      layer.warnings.push(
        `${layer.file}: ${exporterKey}.${exporterKind}.temporality_preference ${temporality} is not supported; exporting cumulative`,
      );
    }
  });
  if (provider.views?.length) {
    layer.warnings.push(`${layer.file}: meter_provider.views are not applied by otel-logkit`);
  }
  return list.exporters;
}

/** `tracer_provider`: the span exporter of the TracerProvider otel-logkit registers (`traces`). */
function tracerProvider(layer: Layer, model: ConfigurationModel): void {
  const provider = model.tracer_provider;
  if (provider == null) return;
  const processors = provider.processors ?? [];
  if (processors.length > 1) {
    invalid(layer, 'tracer_provider.processors', processors.length, 'one span processor');
  }
  setOption(layer, 'traces', true, 'tracer_provider');
  if (processors.length === 0) {
    setOption(layer, 'tracesExporter', 'none', 'tracer_provider.processors');
    return;
  }
  const key = 'tracer_provider.processors[0]';
  const kind = kindOf(layer, processors[0], key, ['batch', 'simple']) as 'batch' | 'simple';
  const exporterKey = `${key}.${kind}.exporter`;
  const exporter = processors[0]![kind]!.exporter;
  const exporterKind = kindOf(layer, exporter, exporterKey, LOG_EXPORTER_KINDS);
  if (exporterKind === 'console') {
    setOption(layer, 'tracesExporter', 'console', exporterKey);
    return;
  }
  setOption(layer, 'tracesExporter', 'otlp', exporterKey);
  otlpExporter(
    layer,
    'traces',
    exporterKind as 'otlp_http' | 'otlp_grpc',
    exporter[exporterKind] as OtlpHttpExporterConfigModel,
    `${exporterKey}.${exporterKind}`,
  );
  for (const ignored of ['sampler', 'limits', 'id_generator'] as const) {
    if (provider[ignored] != null) {
      layer.warnings.push(
        `${layer.file}: tracer_provider.${ignored} is not applied by otel-logkit`,
      );
    }
  }
}

/** The model's standard sections as {@link LoggingOptions}. */
function fromModel(layer: Layer, model: ConfigurationModel): void {
  if (model.disabled != null) setOption(layer, 'disabled', model.disabled === true, 'disabled');
  if (model.log_level != null) {
    const level = DIAG_FROM_SEVERITY[String(model.log_level).replace(/\d$/, '')];
    if (level) setOption(layer, 'diagLogLevel', level, 'log_level');
  }
  const resource = model.resource;
  if (resource != null) {
    const attributes = mergeResourceAttributesConfig(resource.attributes, resource.attributes_list);
    if (attributes?.length) {
      const out: Record<string, unknown> = {};
      for (const { name, value } of attributes) if (value !== null) out[name] = value;
      setOption(layer, 'resourceAttributes', out, 'resource.attributes');
    }
    if (resource['detection/development'] != null) {
      layer.warnings.push(
        `${layer.file}: resource.detection/development is not applied; otel-logkit runs its own detectors (host, os, process, service instance)`,
      );
    }
  }
  const limits = model.attribute_limits ?? {};
  if (limits.attribute_value_length_limit != null) {
    setOption(
      layer,
      'limits.attributeValueLength',
      limits.attribute_value_length_limit,
      'attribute_limits.attribute_value_length_limit',
    );
  }
  if (limits.attribute_count_limit != null) {
    setOption(
      layer,
      'limits.attributeCount',
      limits.attribute_count_limit,
      'attribute_limits.attribute_count_limit',
    );
  }
  const logs = loggerProvider(layer, model);
  if (logs) {
    setOption(layer, 'logsExporter', logs.length ? logs : 'none', 'logger_provider.processors');
  }
  const metrics = meterProvider(layer, model);
  if (metrics) {
    setOption(
      layer,
      'metricsExporter',
      metrics.length ? metrics : 'none',
      'meter_provider.readers',
    );
  }
  tracerProvider(layer, model);
  for (const ignored of ['propagator', 'instrumentation/development']) {
    if (model[ignored] != null) {
      layer.warnings.push(`${layer.file}: ${ignored} is not applied by otel-logkit`);
    }
  }
}

/** The {@link CONFIG_FILE_KEY} section: otel-logkit's own options, over what the model gave. */
function ownSection(layer: Layer, section: unknown): void {
  if (section == null) return;
  if (typeof section !== 'object' || Array.isArray(section)) {
    invalid(layer, CONFIG_FILE_KEY, section, 'a mapping of registerLogging option names');
  }
  for (const [key, given] of Object.entries(section as Record<string, unknown>)) {
    let value = given;
    const at = `${CONFIG_FILE_KEY}.${key}`;
    if (CODE_ONLY_OPTIONS.has(key))
      invalid(layer, at, value, 'an option a file can hold (this one takes code)');
    if (!FILE_OPTIONS.has(key)) invalid(layer, at, value, 'an option of registerLogging');
    if (key === 'logsExporter' && layer.options.logsExporter !== undefined) {
      // The standard exporters of logger_provider, plus ours (`file`).
      const fromModel = [layer.options.logsExporter].flat().filter((n) => n !== 'none');
      setOption(layer, key, [...fromModel, ...[value].flat()], at);
      continue;
    }
    if (key === 'redaction') value = withRegExps(layer, value);
    // Remove what the model gave for this option: ours is the more specific.
    for (const origin of [...layer.origins.keys()]) {
      if (origin === key || origin.startsWith(`${key}.`)) layer.origins.delete(origin);
    }
    setOption(layer, key, value, at);
  }
}

/**
 * `redaction.patterns` with each custom pattern's `pattern` given as a string
 * (YAML has no RegExp) compiled: the file's `pattern: "tok_[0-9a-f]{16}"`.
 */
function withRegExps(layer: Layer, redaction: unknown): unknown {
  if (!isPlainObject(redaction) || !Array.isArray(redaction.patterns)) return redaction;
  const patterns = (redaction.patterns as unknown[]).map((entry, i) => {
    if (!isPlainObject(entry) || typeof entry.pattern !== 'string') return entry;
    try {
      return { ...entry, pattern: new RegExp(entry.pattern) };
    } catch (error) {
      return invalid(
        layer,
        `${CONFIG_FILE_KEY}.redaction.patterns[${i}].pattern`,
        entry.pattern,
        `a regular expression (${String(error)})`,
      );
    }
  });
  return { ...redaction, patterns };
}

/** `/a/0/b` (a JSON pointer from the schema validator) → `a[0].b`. */
function keyFromPointer(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** The value at a JSON pointer of the file, as written (before substitution). */
function valueAt(text: string, pointer: string): unknown {
  try {
    let value: unknown = parseYaml(text);
    for (const part of pointer.split('/').slice(1)) {
      value = (value as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/')];
    }
    return value;
  } catch {
    return undefined;
  }
}

/**
 * Reads an OpenTelemetry configuration file (`OTEL_CONFIG_FILE`): parsed,
 * env-substituted (`${VAR}`, `${env:VAR:-default}`) and validated against the
 * schema by `@opentelemetry/configuration`, then turned into
 * {@link LoggingOptions}: `disabled`, `log_level`, `resource`,
 * `attribute_limits`, `logger_provider` (processors, exporters, limits),
 * `meter_provider.readers`, `tracer_provider` (its exporter) and the
 * {@link CONFIG_FILE_KEY} section.
 *
 * @param source - what named the file (`OTEL_CONFIG_FILE`, `option configFile`).
 * @throws {@link LoggingConfigError} naming the file and the bad key.
 */
export function loadConfigFile(file: string, source: string): ConfigFileLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new LoggingConfigError(source, file, `a readable file (${code})`);
  }
  // @opentelemetry/configuration keeps going past YAML syntax errors (the
  // schema then reports a confusing key, or nothing): report them here.
  const syntax = parseDocument(text, { version: '1.2' }).errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0].line;
    throw new LoggingConfigError(
      line === undefined ? file : `${file}:${line}`,
      syntax.code,
      `valid YAML (${syntax.message.split('\n')[0]})`,
    );
  }
  let model: ConfigurationModel;
  try {
    model = parseConfigFile(file);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // "Invalid OpenTelemetry config file: <file>: /a/0/b must be ..." (or one
    // such line per error, indented): the first error.
    const details = message.startsWith('Invalid OpenTelemetry config file:')
      ? message.slice(message.indexOf(`${file}: `) + file.length + 2)
      : undefined;
    const first = details
      ?.split('\n')
      .map((l) => l.trim())
      .find(Boolean);
    const detail = first === undefined ? null : /^(\/\S*)? ?(.+)$/.exec(first);
    if (detail) {
      const pointer = detail[1] ?? '';
      throw new LoggingConfigError(
        `${file}: ${keyFromPointer(pointer) || '(top level)'}`,
        valueAt(text, pointer),
        `a value that ${detail[2]} (the OpenTelemetry configuration schema)`,
      );
    }
    throw new LoggingConfigError(
      source,
      file,
      `an OpenTelemetry configuration file: ${message.replace(`${file}: `, '')}`,
    );
  }
  const layer: Layer = { options: {}, origins: new Map(), warnings: [], file };
  fromModel(layer, model);
  ownSection(layer, model[CONFIG_FILE_KEY]);
  return layer;
}

/**
 * The options to resolve: those given in code over the file's. A few
 * object-valued options ({@link MERGED_OPTIONS}) are merged key by key.
 * Returns the origins of the values that stayed the file's.
 */
export function mergeConfigFile<L extends string>(
  layer: ConfigFileLayer,
  options: LoggingOptions<L>,
): { options: LoggingOptions<L>; origins: Map<string, string> } {
  const merged: Record<string, unknown> = { ...layer.options };
  const origins = new Map(layer.origins);
  const dropOrigins = (prefix: string) => {
    for (const origin of [...origins.keys()]) {
      if (origin === prefix || origin.startsWith(`${prefix}.`)) origins.delete(origin);
    }
  };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const fromFile = merged[key];
    if (MERGED_OPTIONS.has(key) && isPlainObject(fromFile) && isPlainObject(value)) {
      merged[key] = { ...fromFile, ...value };
      for (const sub of Object.keys(value)) dropOrigins(`${key}.${sub}`);
    } else {
      merged[key] = value;
      dropOrigins(key);
    }
  }
  return { options: merged, origins };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A {@link LoggingConfigError} about an option whose value came from the
 * file, renamed to the file's key (`/etc/app/otel.yaml: otel_logkit.level`);
 * any other error as it is.
 */
export function renameFileError(
  error: unknown,
  file: string,
  origins: ReadonlyMap<string, string>,
): unknown {
  if (!(error instanceof LoggingConfigError) || !error.source.startsWith('option ')) return error;
  const optionPath = error.source.slice('option '.length);
  let best: string | undefined;
  for (const origin of origins.keys()) {
    const matches =
      optionPath === origin ||
      optionPath.startsWith(`${origin}.`) ||
      optionPath.startsWith(`${origin}[`);
    if (matches && (best === undefined || origin.length > best.length)) best = origin;
  }
  if (best !== undefined) {
    return new LoggingConfigError(
      `${file}: ${origins.get(best)}${optionPath.slice(best.length)}`,
      error.value,
      error.expected,
    );
  }
  // An error about an object whose members came from the file
  // (`logsOtlp.tls` of `….tls.ca_file`): the file key of the same parent.
  for (const [origin, fileKey] of origins) {
    if (!origin.startsWith(`${optionPath}.`)) continue;
    const depth = origin.slice(optionPath.length + 1).split('.').length;
    const parent = fileKey.split('.').slice(0, -depth).join('.');
    if (parent) return new LoggingConfigError(`${file}: ${parent}`, error.value, error.expected);
  }
  return error;
}
