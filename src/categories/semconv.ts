/**
 * Incubating semantic-convention names used by the category helpers.
 *
 * The `gen_ai.*` and `user.*` names are still "Development" in the semantic
 * conventions, and `@opentelemetry/semantic-conventions` ships them only from
 * its `/incubating` entry point, which its README asks libraries not to import
 * at runtime (it may change in any minor release). They are copied here, with
 * the page that defines each:
 *
 * - GenAI attributes, spans and metrics:
 *   https://opentelemetry.io/docs/specs/semconv/gen-ai/
 *   (metrics: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/,
 *   tool execution: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/#execute-tool-span)
 * - User attributes: https://opentelemetry.io/docs/specs/semconv/registry/attributes/user/
 *
 * Values checked against `@opentelemetry/semantic-conventions` 1.45.0.
 * Stable names (`error.type`, `client.address`, `exception.*`) are imported
 * from the package's stable entry point where they are used.
 */

/** The name of the operation being performed (`chat`, `execute_tool`, …). */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** The GenAI provider as identified by the client or server instrumentation (`openai`, `anthropic`, …). */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** The name of the GenAI model a request is being made to. */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
/** The number of tokens used in the GenAI input (prompt). */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
/** The number of tokens used in the GenAI response (completion). */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** The type of token being counted (`input`, `output`), on `gen_ai.client.token.usage`. */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
/** Name of the tool utilized by the agent. */
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
/** Parameters passed to the tool call (opt-in in semconv: may be sensitive). */
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
/** The result returned by the tool call (opt-in in semconv: may be sensitive). */
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';

/** `gen_ai.operation.name` value: chat completion. */
export const GEN_AI_OPERATION_NAME_VALUE_CHAT = 'chat';
/** `gen_ai.operation.name` value: execute a tool. */
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
/** `gen_ai.token.type` value: input tokens. */
export const GEN_AI_TOKEN_TYPE_VALUE_INPUT = 'input';
/** `gen_ai.token.type` value: output tokens. */
export const GEN_AI_TOKEN_TYPE_VALUE_OUTPUT = 'output';

/** Histogram, `{token}`: number of input and output tokens used. */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
/** Histogram, `s`: GenAI operation duration. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';

/**
 * Explicit bucket boundaries the GenAI metrics page recommends for
 * `gen_ai.client.token.usage`.
 */
export const GEN_AI_TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/**
 * Explicit bucket boundaries the GenAI metrics page recommends for
 * `gen_ai.client.operation.duration` (seconds).
 */
export const GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** Unique identifier of the user. */
export const ATTR_USER_ID = 'user.id';
