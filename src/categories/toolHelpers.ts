import type { Attributes, Meter } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { errorToAttributes } from '../logger/exceptionAttributes.js';
import { errorType, finite, guard, label, text, type CategoryEmit } from './helperSupport.js';
import { ATTRS, EVENTS, METRICS } from './names.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
} from './semconv.js';
import { summarise } from './summarise.js';

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

export interface ToolHelpers {
  execution(execution: ToolExecution): void;
}

/**
 * The `tool` category: `logkit.tool.execution` records and the tool duration
 * histogram (created here, once).
 */
export function createToolHelpers(emit: CategoryEmit, meter: Meter): ToolHelpers {
  const toolDuration = meter.createHistogram(METRICS.toolDuration.name, {
    unit: METRICS.toolDuration.unit,
    description: 'Duration of tool executions.',
    advice: { explicitBucketBoundaries: GEN_AI_DURATION_BUCKETS },
  });
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
  return tool;
}
