import { ValueType, type Attributes, type Meter } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { errorToAttributes } from '../logger/exceptionAttributes.js';
import { errorType, finite, guard, label, text, type CategoryEmit } from './helperSupport.js';
import { ATTRS, EVENTS, METRICS } from './names.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  GEN_AI_TOKEN_USAGE_BUCKETS,
} from './semconv.js';

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

export interface LlmHelpers {
  call(call: LlmCall): void;
}

/**
 * The `llm` category: `logkit.llm.call` records and the GenAI token-usage and
 * operation-duration histograms (created here, once).
 */
export function createLlmHelpers(emit: CategoryEmit, meter: Meter): LlmHelpers {
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
  const llm: LlmHelpers = {
    call: (c) =>
      guard('llm', () => {
        const failed = !c.success || c.error !== undefined;
        const metricAttributes: Attributes = {
          [ATTR_GEN_AI_OPERATION_NAME]: label(c.operation ?? GEN_AI_OPERATION_NAME_VALUE_CHAT),
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
  return llm;
}
