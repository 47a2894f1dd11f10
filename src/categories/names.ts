/**
 * Every event name, metric name and `logkit.*` attribute key the category
 * helpers emit, in one place.
 */
import { ATTR_DURATION_MS, ATTR_SUCCESS } from '../attributes.js';
import { HTTP_DURATION_BUCKETS } from '../metrics/names.js';
import {
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from './semconv.js';

/** Event names (`LogRecord.eventName`). */
export const EVENTS = {
  userInteraction: 'logkit.user.interaction',
  systemStartup: 'logkit.system.startup',
  systemShutdown: 'logkit.system.shutdown',
  systemError: 'logkit.system.error',
  systemWarning: 'logkit.system.warning',
  systemConfigChange: 'logkit.system.config_change',
  toolExecution: 'logkit.tool.execution',
  llmCall: 'logkit.llm.call',
  securityEvent: 'logkit.security.event',
  securityAlert: 'security.alert',
  performanceMeasure: 'logkit.performance.measure',
  methodCall: 'logkit.method.call',
  methodReturn: 'logkit.method.return',
  methodError: 'logkit.method.error',
} as const;

/** Metric names, with their units. */
export const METRICS = {
  /** GenAI semconv (Development): histogram of tokens by `gen_ai.token.type`. */
  tokenUsage: { name: METRIC_GEN_AI_CLIENT_TOKEN_USAGE, unit: '{token}' },
  /** GenAI semconv (Development): histogram of LLM call durations. */
  operationDuration: { name: METRIC_GEN_AI_CLIENT_OPERATION_DURATION, unit: 's' },
  /**
   * Histogram of tool execution durations, named as issue 4 names it. Not a
   * semconv metric (semconv 1.45 defines none for tool execution; its
   * `execute_tool` operation appears only as a span). The `gen_ai.` prefix is
   * reserved for semconv, so this name may clash with a future definition.
   */
  toolDuration: { name: 'gen_ai.execute_tool.duration', unit: 's' },
  /**
   * Histogram of `performance.measure` / `timer` / `@timed` durations. Semconv
   * has no general-purpose operation duration metric (its durations are per
   * domain: `http.server.request.duration`, `db.client.operation.duration`,
   * `gen_ai.client.operation.duration`, `faas.invoke_duration`), so ours is
   * under `logkit.`, following the `*.duration` in seconds pattern.
   */
  performanceDuration: { name: 'logkit.operation.duration', unit: 's' },
} as const;

/**
 * Bucket boundaries (seconds) of `logkit.operation.duration`: the ones semconv
 * advises for `http.server.request.duration`
 * (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/), which
 * start at 5 ms where the GenAI ones start at 10 ms.
 */
export const DURATION_BUCKETS = [...HTTP_DURATION_BUCKETS];

/** `logkit.*` attribute keys (not semantic conventions, so namespaced). */
export const ATTRS = {
  success: ATTR_SUCCESS,
  durationMs: ATTR_DURATION_MS,
  userInput: 'logkit.user.input',
  userResponse: 'logkit.user.response',
  userToolCalls: 'logkit.user.tool_calls',
  component: 'logkit.system.component',
  details: 'logkit.details',
  configChange: 'logkit.system.config_change',
  toolServer: 'logkit.tool.server',
  llmStreaming: 'logkit.llm.streaming',
  securityType: 'logkit.security.type',
  securityResource: 'logkit.security.resource',
  securityAction: 'logkit.security.action',
  securityAllowed: 'logkit.security.allowed',
  securityReason: 'logkit.security.reason',
  alertType: 'logkit.security.alert.type',
  alertCount: 'logkit.security.alert.count',
  alertWindowMs: 'logkit.security.alert.window_ms',
  operationName: 'logkit.operation.name',
  memoryMb: 'logkit.performance.memory_mb',
  cpuPercent: 'logkit.performance.cpu_percent',
  methodArguments: 'logkit.method.arguments',
  methodResult: 'logkit.method.result',
} as const;

/** Maximum length of summarised text (user response, tool parameters and result). */
export const SUMMARY_MAX_CHARS = 500;

/** The instrumentation scope name of the helpers' loggers, meter and tracer. */
export const SCOPE = 'otel-logkit';
