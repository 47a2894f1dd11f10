import { isThenable } from '../internal/objects.js';
import { cpuMark, processCpuUtilization, processMemoryBytes } from '../metrics/processUsage.js';
import {
  SpanStatusCode,
  ValueType,
  context,
  trace,
  type Attributes,
  type Histogram,
  type MeterProvider,
  type Span,
} from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_TYPE,
  ERROR_TYPE_VALUE_OTHER,
} from '@opentelemetry/semantic-conventions';
import { reportOnce } from '../internal/reportOnce.js';
import { errorToAttributes } from '../logger/exceptionAttributes.js';
import { BUILTIN_LEVELS, type BuiltinLevelName } from '../logger/levels.js';
import { toAttributes } from '../logger/toAnyValue.js';
import type { LoggingHandle } from '../LoggingHandle.js';
import { getLoggingHandle } from '../liveHandle.js';
import { ATTRS, DURATION_BUCKETS, EVENTS, METRICS, SCOPE } from './names.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_USER_ID,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  GEN_AI_TOKEN_USAGE_BUCKETS,
} from './semconv.js';
import {
  SecurityMonitor,
  type SecurityAlert,
  type SecurityMonitorOptions,
} from './SecurityMonitor.js';
import { summarise } from './summarise.js';
import { redactedException, redactTextForOutput } from '../processors/redaction/outputRedaction.js';

/** Extra attributes of a helper call, converted like a log call's. */
export type HelperAttributes = Readonly<Record<string, unknown>>;

/** A user interaction (one request of a user and the app's answer). */
export interface UserInteraction {
  /** What the user asked; redacted, then truncated to 500 characters. */
  readonly input: string;
  /** The answer; redacted, summarised (JSON for non-strings), then truncated to 500 characters. */
  readonly response?: unknown;
  /** The tools called while answering: their names (or objects with a `name`). */
  readonly toolCalls?: ReadonlyArray<string | { readonly name: string }>;
  readonly success: boolean;
  readonly durationMs: number;
  /** The failure, recorded as `exception.*`. */
  readonly error?: unknown;
}

/** One tool execution. */
export interface ToolExecution {
  /** `gen_ai.tool.name`. */
  readonly name: string;
  /** The server providing the tool (e.g. an MCP server). */
  readonly server?: string;
  /** The arguments; redacted, summarised as JSON, then truncated to 500 characters. */
  readonly parameters?: unknown;
  /** The result; redacted, summarised as JSON, then truncated to 500 characters. */
  readonly result?: unknown;
  readonly success: boolean;
  readonly durationMs: number;
  readonly error?: unknown;
}

/** One model call. */
export interface LlmCall {
  /** `gen_ai.provider.name`, e.g. `openai`, `anthropic`, `aws.bedrock`. */
  readonly provider: string;
  /** `gen_ai.request.model`. */
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly durationMs: number;
  readonly success: boolean;
  readonly streaming?: boolean;
  readonly error?: unknown;
  /** `gen_ai.operation.name`; default `chat`. */
  readonly operation?: string;
}

/** A security-relevant event: an access decision, a login, a permission change. */
export interface SecurityEvent {
  /** What happened, e.g. `login`, `access`, `permission_change`. */
  readonly type: string;
  readonly resource?: string;
  readonly action?: string;
  /** Whether it was allowed; denied events are recorded at WARN. */
  readonly allowed: boolean;
  readonly reason?: string;
  /** `user.id`. */
  readonly user?: string;
  /** `client.address`. */
  readonly address?: string;
}

/** A running timer; see {@link PerformanceHelpers.timer}. */
export interface PerformanceTimer {
  /**
   * Ends the span, records the duration and the record. Returns the duration
   * in ms. A second call does nothing and returns the first duration.
   */
  stop(attributes?: HelperAttributes): number;
}

export interface UserHelpers {
  interaction(interaction: UserInteraction): void;
}

export interface SystemHelpers {
  startup(component: string, details?: HelperAttributes): void;
  shutdown(component: string, details?: HelperAttributes): void;
  error(component: string, error: unknown, details?: HelperAttributes): void;
  warning(component: string, message: string, details?: HelperAttributes): void;
  /** A configuration change, e.g. `{ key: 'pool.size', from: 10, to: 20 }`. */
  configChange(component: string, change: HelperAttributes): void;
}

export interface ToolHelpers {
  execution(execution: ToolExecution): void;
}

export interface LlmHelpers {
  call(call: LlmCall): void;
}

export interface SecurityHelpers {
  event(event: SecurityEvent): void;
  /** Raises one `security.alert` record when a brute-force or rate-abuse threshold is reached. */
  readonly monitor: SecurityMonitor;
}

export interface PerformanceHelpers {
  /**
   * Runs `fn` in a span named `name` (active while it runs, so its records and
   * child spans are correlated), then records the `logkit.operation.duration`
   * histogram (seconds, by `logkit.operation.name` and `error.type` on
   * failure) and a `performance` record with `duration_ms`,
   * `logkit.performance.memory_mb` (RSS at the end, MiB: the runtime
   * metric `process.memory.usage` / 2^20) and
   * `logkit.performance.cpu_percent` (semconv `process.cpu.utilization` × 100
   * over the measured time: user + system CPU time over wall time × CPUs, so
   * 0–100; the whole process's, so it includes concurrent work). Both are read
   * as the runtime metrics read them (src/metrics/processUsage.ts), so the two
   * never disagree. Returns what `fn` returns (a promise is
   * measured until it settles); rethrows what it throws.
   */
  measure<T>(name: string, fn: () => T, attributes?: HelperAttributes): T;
  /**
   * Starts a span and a clock; measured as by {@link measure} when `stop()` is
   * called. The span is not made active (no scope spans the caller's code), but
   * the record emitted at `stop()` carries its trace context.
   */
  timer(name: string, attributes?: HelperAttributes): PerformanceTimer;
}

/** What {@link createCategoryHelpers} returns. Every method never throws (except `measure` rethrowing `fn`'s error). */
export interface CategoryHelpers {
  readonly user: UserHelpers;
  readonly system: SystemHelpers;
  readonly tool: ToolHelpers;
  readonly llm: LlmHelpers;
  readonly security: SecurityHelpers;
  readonly performance: PerformanceHelpers;
}

/** Options of {@link createCategoryHelpers}. */
export interface CategoryHelpersOptions {
  /** Thresholds (and, for tests, the clock) of `security.monitor`. */
  readonly security?: SecurityMonitorOptions;
}

/** What the helpers need of a handle. */
interface HandleLike {
  getLogger(name: string, options?: { category?: string }): { emit(record: LogRecord): void };
  readonly meterProvider: MeterProvider;
}

type Level = BuiltinLevelName;

function guard(kind: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    reportOnce(`categories.${kind}`, `the ${kind} helper failed; nothing was recorded`, error);
  }
}

/**
 * A user value as text for a body or attribute: a string as is, anything else
 * through `String()`, or its JSON form when that throws (a null-prototype
 * object, a Proxy). Never throws.
 */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return summarise(value);
  }
}

/**
 * A user value used as a metric attribute as well as a record attribute (a
 * tool name, a provider, a model): metrics pass no pipeline step, so it is
 * redacted here, with the registration's rules.
 */
function label(value: unknown): string {
  return redactTextForOutput(text(value));
}

/** A tool call's `name`, or undefined when it cannot be read. */
function nameOf(call: unknown): unknown {
  try {
    return (call as { name?: unknown } | undefined)?.name;
  } catch {
    return undefined;
  }
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function errorType(error: unknown): string {
  if (error === undefined) return ERROR_TYPE_VALUE_OTHER;
  return errorToAttributes(error)[ATTR_EXCEPTION_TYPE] ?? ERROR_TYPE_VALUE_OTHER;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Typed helpers for the seed's categories (user, system, tool, llm, security,
 * performance). Each call emits one record with an event name,
 * semantic-convention attributes and its `logkit.category`, and records the
 * category's metrics. Instruments are created here, once.
 *
 * @param handle - the registration; default {@link getLoggingHandle}().
 * @throws Error when no handle is given and none is registered (a setup mistake).
 */
export function createCategoryHelpers<L extends string = never>(
  handle?: LoggingHandle<L>,
  options: CategoryHelpersOptions = {},
): CategoryHelpers {
  const h: HandleLike | undefined = handle ?? getLoggingHandle();
  if (!h) {
    throw new Error(
      'otel-logkit: createCategoryHelpers() needs a LoggingHandle: call registerLogging() first or pass its handle',
    );
  }
  return buildHelpers(h, options);
}

function buildHelpers(h: HandleLike, options: CategoryHelpersOptions): CategoryHelpers {
  const loggerFor = (category: string) => h.getLogger(SCOPE, { category });
  const loggers = {
    user: loggerFor('user'),
    system: loggerFor('system'),
    tool: loggerFor('tool'),
    llm: loggerFor('llm'),
    security: loggerFor('security'),
    performance: loggerFor('performance'),
  };
  const emit = (
    logger: { emit(record: LogRecord): void },
    eventName: string,
    level: Level,
    body: string,
    attributes: Record<string, unknown>,
  ): void => {
    const { severityNumber, severityText } = BUILTIN_LEVELS[level];
    logger.emit({
      eventName,
      severityNumber,
      severityText,
      body,
      attributes: toAttributes(attributes),
    });
  };

  const meter = h.meterProvider.getMeter(SCOPE);
  const tokenUsage = meter.createHistogram(METRICS.tokenUsage.name, {
    unit: METRICS.tokenUsage.unit,
    description: 'Number of input and output tokens used.',
    valueType: ValueType.INT,
    advice: { explicitBucketBoundaries: GEN_AI_TOKEN_USAGE_BUCKETS },
  });
  const operationDuration = meter.createHistogram(METRICS.operationDuration.name, {
    unit: METRICS.operationDuration.unit,
    description: 'GenAI operation duration.',
    advice: { explicitBucketBoundaries: GEN_AI_DURATION_BUCKETS },
  });
  const toolDuration = meter.createHistogram(METRICS.toolDuration.name, {
    unit: METRICS.toolDuration.unit,
    description: 'Duration of tool executions.',
    advice: { explicitBucketBoundaries: GEN_AI_DURATION_BUCKETS },
  });
  const performanceDuration = meter.createHistogram(METRICS.performanceDuration.name, {
    unit: METRICS.performanceDuration.unit,
    description: 'Duration of operations measured by otel-logkit performance helpers.',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });

  const user: UserHelpers = {
    interaction: (i) =>
      guard('user', () => {
        const failed = !i.success || i.error !== undefined;
        const attributes: Record<string, unknown> = {
          [ATTRS.userInput]: summarise(i.input ?? ''),
          [ATTRS.success]: i.success === true,
          [ATTRS.durationMs]: i.durationMs,
        };
        if (i.response !== undefined) attributes[ATTRS.userResponse] = summarise(i.response);
        if (i.toolCalls !== undefined) {
          attributes[ATTRS.userToolCalls] = Array.from(i.toolCalls, (call) =>
            typeof call === 'string' ? call : text(nameOf(call)),
          );
        }
        if (i.error !== undefined) Object.assign(attributes, errorToAttributes(i.error));
        emit(
          loggers.user,
          EVENTS.userInteraction,
          failed ? 'error' : 'info',
          failed ? 'user interaction failed' : 'user interaction',
          attributes,
        );
      }),
  };

  const systemRecord = (
    eventName: string,
    level: Level,
    component: string,
    body: () => string,
    extra: () => Record<string, unknown>,
    details: HelperAttributes | undefined,
  ) =>
    // Body and attributes are made inside the guard: a component that cannot
    // be printed must not throw into the caller.
    guard('system', () => {
      const attributes: Record<string, unknown> = { [ATTRS.component]: component, ...extra() };
      if (details !== undefined) attributes[ATTRS.details] = details;
      emit(loggers.system, eventName, level, body(), attributes);
    });
  const system: SystemHelpers = {
    startup: (component, details) =>
      systemRecord(
        EVENTS.systemStartup,
        'info',
        component,
        () => `${text(component)} started`,
        () => ({}),
        details,
      ),
    shutdown: (component, details) =>
      systemRecord(
        EVENTS.systemShutdown,
        'info',
        component,
        () => `${text(component)} stopped`,
        () => ({}),
        details,
      ),
    error: (component, error, details) =>
      systemRecord(
        EVENTS.systemError,
        'error',
        component,
        () => `${text(component)} error`,
        () => errorToAttributes(error),
        details,
      ),
    warning: (component, message, details) =>
      systemRecord(
        EVENTS.systemWarning,
        'warn',
        component,
        () => text(message),
        () => ({}),
        details,
      ),
    configChange: (component, change) =>
      systemRecord(
        EVENTS.systemConfigChange,
        'info',
        component,
        () => `${text(component)} configuration changed`,
        () => ({ [ATTRS.configChange]: change }),
        undefined,
      ),
  };

  const tool: ToolHelpers = {
    execution: (t) =>
      guard('tool', () => {
        const failed = !t.success || t.error !== undefined;
        const metricAttributes: Attributes = {
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
          [ATTR_GEN_AI_TOOL_NAME]: label(t.name),
        };
        if (failed) metricAttributes[ATTR_ERROR_TYPE] = errorType(t.error);
        const attributes: Record<string, unknown> = {
          ...metricAttributes,
          [ATTRS.success]: t.success === true,
          [ATTRS.durationMs]: t.durationMs,
        };
        if (t.server !== undefined) attributes[ATTRS.toolServer] = t.server;
        if (t.parameters !== undefined) {
          attributes[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = summarise(t.parameters);
        }
        if (t.result !== undefined) attributes[ATTR_GEN_AI_TOOL_CALL_RESULT] = summarise(t.result);
        if (t.error !== undefined) Object.assign(attributes, errorToAttributes(t.error));
        emit(
          loggers.tool,
          EVENTS.toolExecution,
          failed ? 'error' : 'info',
          `${GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL} ${text(t.name)}${failed ? ' failed' : ''}`,
          attributes,
        );
        if (finite(t.durationMs) && t.durationMs >= 0) {
          toolDuration.record(t.durationMs / 1000, metricAttributes);
        }
      }),
  };

  const llm: LlmHelpers = {
    call: (c) =>
      guard('llm', () => {
        const failed = !c.success || c.error !== undefined;
        const metricAttributes: Attributes = {
          [ATTR_GEN_AI_OPERATION_NAME]: c.operation ?? GEN_AI_OPERATION_NAME_VALUE_CHAT,
          [ATTR_GEN_AI_PROVIDER_NAME]: label(c.provider),
          [ATTR_GEN_AI_REQUEST_MODEL]: label(c.model),
        };
        const durationAttributes: Attributes = failed
          ? { ...metricAttributes, [ATTR_ERROR_TYPE]: errorType(c.error) }
          : metricAttributes;
        const attributes: Record<string, unknown> = {
          ...durationAttributes,
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: c.inputTokens,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: c.outputTokens,
          [ATTRS.success]: c.success === true,
          [ATTRS.durationMs]: c.durationMs,
        };
        if (c.streaming !== undefined) attributes[ATTRS.llmStreaming] = c.streaming;
        if (c.error !== undefined) Object.assign(attributes, errorToAttributes(c.error));
        emit(
          loggers.llm,
          EVENTS.llmCall,
          failed ? 'error' : 'info',
          `${text(metricAttributes[ATTR_GEN_AI_OPERATION_NAME])} ${text(c.model)}${failed ? ' failed' : ''}`,
          attributes,
        );
        if (finite(c.inputTokens) && c.inputTokens >= 0) {
          tokenUsage.record(Math.round(c.inputTokens), {
            ...metricAttributes,
            [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_VALUE_INPUT,
          });
        }
        if (finite(c.outputTokens) && c.outputTokens >= 0) {
          tokenUsage.record(Math.round(c.outputTokens), {
            ...metricAttributes,
            [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
          });
        }
        if (finite(c.durationMs) && c.durationMs >= 0) {
          operationDuration.record(c.durationMs / 1000, durationAttributes);
        }
      }),
  };

  const onAlert = (alert: SecurityAlert) =>
    guard('security', () => {
      const attributes: Record<string, unknown> = {
        [ATTRS.alertType]: alert.type,
        [ATTRS.alertCount]: alert.count,
        [ATTRS.alertWindowMs]: alert.windowMillis,
      };
      if (alert.user !== undefined) attributes[ATTR_USER_ID] = alert.user;
      if (alert.address !== undefined) attributes[ATTR_CLIENT_ADDRESS] = alert.address;
      const who = alert.type === 'brute_force' ? `user ${alert.user}` : `address ${alert.address}`;
      const what = alert.type === 'brute_force' ? 'failed logins' : 'rate-limit violations';
      emit(
        loggers.security,
        EVENTS.securityAlert,
        'error',
        `${alert.type}: ${alert.count} ${what} for ${who} within ${alert.windowMillis} ms`,
        attributes,
      );
    });
  const monitor = new SecurityMonitor(onAlert, options.security);
  const security: SecurityHelpers = {
    event: (e) =>
      guard('security', () => {
        const attributes: Record<string, unknown> = {
          [ATTRS.securityType]: e.type,
          [ATTRS.securityAllowed]: e.allowed === true,
        };
        if (e.resource !== undefined) attributes[ATTRS.securityResource] = e.resource;
        if (e.action !== undefined) attributes[ATTRS.securityAction] = e.action;
        if (e.reason !== undefined) attributes[ATTRS.securityReason] = e.reason;
        if (e.user !== undefined) attributes[ATTR_USER_ID] = e.user;
        if (e.address !== undefined) attributes[ATTR_CLIENT_ADDRESS] = e.address;
        const target = [e.action, e.resource]
          .filter((s) => s !== undefined)
          .map(text)
          .join(' ');
        emit(
          loggers.security,
          EVENTS.securityEvent,
          e.allowed === true ? 'info' : 'warn',
          `${text(e.type)}${target ? ` ${target}` : ''} ${e.allowed === true ? 'allowed' : 'denied'}`,
          attributes,
        );
      }),
    monitor,
  };

  const performance = createPerformanceHelpers(
    (level, body, attributes) =>
      emit(loggers.performance, EVENTS.performanceMeasure, level, body, attributes),
    performanceDuration,
  );

  return { user, system, tool, llm, security, performance };
}

interface Measurement {
  readonly span: Span | undefined;
  finish(error: unknown, failed: boolean, attributes: HelperAttributes | undefined): number;
}

function createPerformanceHelpers(
  emit: (level: Level, body: string, attributes: Record<string, unknown>) => void,
  histogram: Histogram,
): PerformanceHelpers {
  const start = (rawName: string, base: HelperAttributes | undefined): Measurement | undefined => {
    try {
      // The span name, a span attribute and a metric attribute: redacted here.
      const name = label(rawName);
      const span = trace.getTracer(SCOPE).startSpan(name, {
        attributes: { [ATTRS.operationName]: name },
      });
      const t0 = globalThis.performance.now();
      const cpu0 = cpuMark();
      let done: number | undefined;
      return {
        span,
        finish(error, failed, attributes) {
          if (done !== undefined) return done;
          const durationMs = globalThis.performance.now() - t0;
          done = durationMs;
          guard('performance', () => {
            const metricAttributes: Attributes = { [ATTRS.operationName]: name };
            if (failed) metricAttributes[ATTR_ERROR_TYPE] = errorType(error);
            // Converted first: spreading a getter that throws or a Proxy would throw.
            const record: Record<string, unknown> = {
              ...(base === undefined ? {} : toAttributes(base)),
              ...(attributes === undefined ? {} : toAttributes(attributes)),
              ...metricAttributes,
              [ATTRS.success]: !failed,
              [ATTRS.durationMs]: round(durationMs, 3),
              [ATTRS.memoryMb]: round(processMemoryBytes() / (1024 * 1024), 2),
              [ATTRS.cpuPercent]: round(processCpuUtilization(cpu0) * 100, 1),
            };
            if (failed) Object.assign(record, errorToAttributes(error));
            context.with(trace.setSpan(context.active(), span), () =>
              emit(
                failed ? 'error' : 'info',
                failed
                  ? `${name} failed after ${durationMs.toFixed(1)} ms`
                  : `${name} took ${durationMs.toFixed(1)} ms`,
                record,
              ),
            );
            histogram.record(durationMs / 1000, metricAttributes);
            if (failed) {
              // Span events and statuses are outputs too: redacted like records.
              if (error instanceof Error) span.recordException(redactedException(error));
              span.setAttribute(ATTR_ERROR_TYPE, String(metricAttributes[ATTR_ERROR_TYPE]));
              span.setStatus({
                code: SpanStatusCode.ERROR,
                message:
                  error instanceof Error ? redactTextForOutput(String(error.message)) : undefined,
              });
            }
          });
          try {
            span.end();
          } catch (e) {
            reportOnce('categories.performance.span', 'a performance span could not end', e);
          }
          return durationMs;
        },
      };
    } catch (error) {
      reportOnce(
        'categories.performance',
        'the performance helper failed; nothing was recorded',
        error,
      );
      return undefined;
    }
  };

  return {
    measure<T>(name: string, fn: () => T, attributes?: HelperAttributes): T {
      const m = start(name, attributes);
      if (!m) return fn();
      let result: T;
      try {
        result = m.span ? context.with(trace.setSpan(context.active(), m.span), fn) : fn();
      } catch (error) {
        m.finish(error, true, undefined);
        throw error;
      }
      if (isThenable(result)) {
        return Promise.resolve(result).then(
          (value) => {
            m.finish(undefined, false, undefined);
            return value;
          },
          (error: unknown) => {
            m.finish(error, true, undefined);
            throw error;
          },
        ) as T;
      }
      m.finish(undefined, false, undefined);
      return result;
    },
    timer(name: string, attributes?: HelperAttributes): PerformanceTimer {
      const m = start(name, attributes);
      let stopped: number | undefined;
      const t0 = globalThis.performance.now();
      return {
        stop(extra?: HelperAttributes): number {
          if (stopped !== undefined) return stopped;
          stopped = m ? m.finish(undefined, false, extra) : globalThis.performance.now() - t0;
          return stopped;
        },
      };
    },
  };
}
