export { getLoggingHandle } from './liveHandle.js';
export { registerLogging } from './registerLogging.js';
export type { LoggingHandle, LoggingHealth } from './LoggingHandle.js';
export type { DestinationHealth, SpoolHealth } from './processors/DestinationMonitor.js';
export type { DeliveryOptions } from './config/DeliveryOptions.js';
export type { LogMetricRule } from './metrics/LogMetricRule.js';
export {
  ATTR_CATEGORY as METRIC_ATTR_CATEGORY,
  ATTR_DROP_REASON,
  ATTR_EVENT_NAME,
  ATTR_SEVERITY_TEXT,
  METRIC_LOG_RECORD_COUNT,
  METRIC_LOG_RECORD_DROPPED,
} from './metrics/names.js';
export type {
  AuditOptions,
  BatchOptions,
  BuiltinStepName,
  DiagLevelName,
  LimitsOptions,
  LoggingOptions,
  LogsExporterName,
  MetricsExporterName,
  OtlpCompression,
  OtlpProtocol,
  OtlpSignalOptions,
  OtlpTlsOptions,
  TracesExporterName,
} from './config/LoggingOptions.js';
export { LoggingConfigError } from './config/LoggingConfigError.js';
export { LogkitLogger } from './logger/Logger.js';
export type {
  GetLoggerOptions,
  Lazy,
  LogCallAttributes,
  Logger,
  LogMethod,
} from './logger/Logger.js';
export { BUILTIN_LEVELS } from './logger/levels.js';
export type { BuiltinLevelName, LevelDefinition, LevelInput } from './logger/levels.js';
export { withContext } from './logger/withContext.js';
export { toAnyValue } from './logger/toAnyValue.js';
export { ATTR_LOGKIT_CATEGORY, CATEGORIES } from './attributes.js';
export type { Category } from './attributes.js';
export { FileLogRecordExporter } from './exporters/FileLogRecordExporter.js';
export { PrettyConsoleLogRecordExporter } from './exporters/PrettyConsoleLogRecordExporter.js';
export type { LoggingStats } from './processors/DropCounts.js';
export type { StepStats } from './processors/StepTimings.js';
export type { EventStream } from './logger/EventStream.js';
export type {
  DropReason,
  LogStep,
  PipelineStep,
  StepHost,
  StepResult,
} from './processors/PipelineStep.js';
export type { RoutePattern, RouteRule } from './processors/routing/RouteRule.js';
export type {
  BuiltinPatternName,
  CustomPattern,
  RedactionMode,
  RedactionOptions,
} from './processors/redaction/RedactionOptions.js';
export type { SamplingOptions } from './processors/sampling/SamplingOptions.js';
export {
  CATEGORY_ATTRIBUTES,
  CATEGORY_EVENTS,
  CATEGORY_METRICS,
  createCategoryHelpers,
  logged,
  SecurityMonitor,
  timed,
} from './categories/index.js';
export type {
  CategoryHelpers,
  CategoryHelpersOptions,
  HelperAttributes,
  LlmCall,
  LlmHelpers,
  LoggedOptions,
  PerformanceHelpers,
  PerformanceTimer,
  SecurityAlert,
  SecurityEvent,
  SecurityHelpers,
  SecurityMonitorOptions,
  SecurityThresholds,
  SystemHelpers,
  Threshold,
  ToolExecution,
  ToolHelpers,
  UserHelpers,
  UserInteraction,
} from './categories/index.js';
export {
  AuditChainLogRecordProcessor,
  ERR_AUDIT_KEY_REQUIRED,
  verifyAuditChain,
} from './audit/index.js';
export type {
  AuditChainHead,
  AuditChainOptions,
  AuditProblem,
  AuditProblemKind,
  AuditVerification,
  VerifyAuditChainOptions,
} from './audit/index.js';
export {
  createHttpInstrumentation,
  EVENT_HTTP_ACCESS,
  EVENT_HTTP_ERROR,
  HTTP_CATEGORY,
  HTTP_DURATION_BUCKETS,
} from './instrumentation/http/index.js';
export type {
  ExpressLikeErrorMiddleware,
  ExpressLikeMiddleware,
  FastifyLikePlugin,
  HttpHandler,
  HttpInstrumentation,
  HttpInstrumentationOptions,
} from './instrumentation/http/index.js';
export {
  captureConsole,
  pinoDestination,
  winstonTransport,
} from './instrumentation/bridges/index.js';
export type {
  BridgeOptions,
  CaptureConsoleOptions,
  ConsoleMethod,
  PinoDestination,
  PinoDestinationOptions,
  WinstonTransportBaseOptions,
  WinstonTransportClass,
  WinstonTransportInstance,
  WinstonTransportOptions,
} from './instrumentation/bridges/index.js';
