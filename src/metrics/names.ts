/**
 * Every metric and metric attribute name otel-logkit records from logs, in
 * one place. `log.record.count` is the name the Collector's count connector
 * uses for its log count (its README, contrib connector/countconnector); the
 * others are otel-logkit's own, under `logkit.`, as the semconv naming
 * guidance asks of non-standard names.
 */
export const METRIC_LOG_RECORD_COUNT = 'log.record.count';
/** Records dropped before export, by {@link ATTR_DROP_REASON}; an observable counter. */
export const METRIC_LOG_RECORD_DROPPED = 'logkit.log.record.dropped';

/**
 * Time one pipeline step took for one record, seconds (a histogram of sampled
 * records, by {@link ATTR_PIPELINE_STEP_NAME}).
 */
export const METRIC_PIPELINE_STEP_DURATION = 'logkit.pipeline.step.duration';
/** Bucket bounds of {@link METRIC_PIPELINE_STEP_DURATION}, seconds: 1 µs to 100 ms. */
export const STEP_DURATION_BUCKETS: readonly number[] = [
  1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2,
  5e-2, 0.1,
];
/** The pipeline step a duration is of: `enrich`, `redact`, `limit`, `sampling`, a user step's name, `route`. */
export const ATTR_PIPELINE_STEP_NAME = 'logkit.pipeline.step.name';

/** The record's severityText (or its SeverityNumber range name when it has none). */
export const ATTR_SEVERITY_TEXT = 'logkit.severity_text';
/** The record's `logkit.category`, when it has one. */
export const ATTR_CATEGORY = 'logkit.category';
/** The record's event name, when it has one (semconv `event.name`). */
export const ATTR_EVENT_NAME = 'event.name';
/** Why records were dropped: `sampled`, `rate-limited`, `filtered`, `redaction-failed`, `queue-full`, `export-failed`. */
export const ATTR_DROP_REASON = 'logkit.drop.reason';

/** The unit of record counts, in UCUM annotation form as semconv writes counts. */
export const UNIT_LOG_RECORD = '{log_record}';

/** Records waiting in a destination's spool; an observable up-down counter. */
export const METRIC_SPOOL_RECORDS = 'logkit.spool.records';
/** Bytes of a destination's spool segments; an observable up-down counter. */
export const METRIC_SPOOL_SIZE = 'logkit.spool.size';
/** Segment files of a destination's spool; an observable up-down counter. */
export const METRIC_SPOOL_SEGMENTS = 'logkit.spool.segments';
/** Age of the oldest record waiting in a destination's spool, seconds; an observable gauge. */
export const METRIC_SPOOL_OLDEST_AGE = 'logkit.spool.oldest_age';
/** Records held in memory by a delivering destination; an observable up-down counter. */
export const METRIC_DELIVERY_BACKLOG = 'logkit.delivery.memory.records';
/** The destination (`otlp`, …) of a delivery metric. */
export const ATTR_DESTINATION = 'logkit.destination';

/**
 * The bucket boundaries, in seconds, the semantic conventions advise for
 * `http.server.request.duration`.
 */
export const HTTP_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];
