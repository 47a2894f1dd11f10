/**
 * Attribute keys otel-logkit puts on records. Semantic-convention keys come
 * from `@opentelemetry/semantic-conventions`; these are our own, namespaced
 * under `logkit.` as the semconv naming guidance asks for custom attributes
 * (https://opentelemetry.io/docs/specs/semconv/general/naming/).
 */

/** The record's category (`user`, `system`, `tool`, `llm`, `security`, `performance`, or a user's own). */
export const ATTR_LOGKIT_CATEGORY = 'logkit.category';

/**
 * Whether an operation succeeded, on the helpers' and the HTTP middleware's
 * records; `otel-logkit stats` reads it.
 */
export const ATTR_SUCCESS = 'success';

/** An operation's duration in milliseconds, on the helpers' and the HTTP middleware's records; `otel-logkit stats` reads it. */
export const ATTR_DURATION_MS = 'duration_ms';

/** The categories the seed documents name, each with its own file in the embedded default. */
export const CATEGORIES = ['user', 'system', 'tool', 'llm', 'security', 'performance'] as const;

/** One of {@link CATEGORIES}; any other string is accepted too and lands in `app.jsonl`. */
export type Category = (typeof CATEGORIES)[number];

/** The name of the event stream a record belongs to; see `handle.eventStream(name)`. Reserved: records carrying it are never sampled. */
export const ATTR_LOGKIT_STREAM_NAME = 'logkit.stream.name';

/**
 * The record's place in its event stream: 1, 2, 3, … per stream name and
 * process; with the Resource's `service.instance.id` it identifies the record,
 * and a gap in it means records were lost after they were emitted.
 */
export const ATTR_LOGKIT_STREAM_SEQUENCE = 'logkit.stream.sequence';
