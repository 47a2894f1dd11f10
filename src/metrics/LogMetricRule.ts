import { LoggingConfigError } from '../config/LoggingConfigError.js';
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

/**
 * Validates the `metricRules` option in the config phase and returns a copy.
 *
 * @throws {@link LoggingConfigError} naming the first bad rule's field
 *   (`option metricRules[i].name`, `.instrument`, `.attribute`, `.match`).
 */
export function resolveMetricRules(rules: readonly LogMetricRule[] | undefined): LogMetricRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) throw new LoggingConfigError('option metricRules', rules, 'an array');
  return rules.map((rule: LogMetricRule, index) => {
    const source = `option metricRules[${index}]`;
    if (typeof rule !== 'object' || rule === null)
      throw new LoggingConfigError(source, rule, 'an object');
    if (typeof rule.name !== 'string' || !/^[A-Za-z][\w./-]{0,254}$/.test(rule.name)) {
      throw new LoggingConfigError(
        `${source}.name`,
        rule.name,
        'an instrument name (a letter, then letters, digits, _ . / -)',
      );
    }
    if (rule.instrument !== 'histogram' && rule.instrument !== 'counter') {
      throw new LoggingConfigError(
        `${source}.instrument`,
        rule.instrument,
        '`histogram` or `counter`',
      );
    }
    if (rule.instrument === 'histogram' && typeof rule.attribute !== 'string') {
      throw new LoggingConfigError(
        `${source}.attribute`,
        rule.attribute,
        'the record attribute a histogram records',
      );
    }
    if (!rule.match || (rule.match.eventName === undefined && rule.match.category === undefined)) {
      throw new LoggingConfigError(
        `${source}.match`,
        rule.match,
        'an eventName and/or category pattern',
      );
    }
    return rule;
  });
}
