import type { RoutePattern } from '../processors/routing/RouteRule.js';

/**
 * A metric derived from log records: "for records matching `match`, record
 * `attribute` (a number) into a histogram or counter named `name`, with these
 * record attributes as dimensions". A counter with no `attribute` counts
 * records. Records are read after the `enrich` and `redact` steps (so
 * `withContext` and Baggage attributes can be dimensions, and a dimension
 * under a secret key or holding a secret shape is exported redacted) and
 * before `limit` and `sample`, so the metric sees true volume.
 */
export interface LogMetricRule {
  /** Which records: event name and/or category globs, as in routing. */
  readonly match: RoutePattern;
  /** The metric name; follow semconv where one exists. */
  readonly name: string;
  readonly instrument: 'histogram' | 'counter';
  /** The record attribute holding the value; for a counter, omit it to count records. */
  readonly attribute?: string;
  /** Record attributes copied onto each data point; missing ones are left out. */
  readonly dimensions?: readonly string[];
  /** UCUM unit, e.g. `ms`, `s`, `{token}`. */
  readonly unit?: string;
  readonly description?: string;
}
