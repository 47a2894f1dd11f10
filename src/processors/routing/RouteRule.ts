import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import picomatch from 'picomatch';
import { ATTR_LOGKIT_CATEGORY } from '../../attributes.js';
import type { LevelInput } from '../../logger/levels.js';

/** Glob patterns (picomatch syntax, `.` not special: `gen_ai.*`) over a record's event name and category. */
export interface RoutePattern {
  /** Matched against the record's `eventName`. */
  readonly eventName?: string | readonly string[];
  /** Matched against the record's `logkit.category` attribute. */
  readonly category?: string | readonly string[];
}

/**
 * Which records a destination gets. A record goes when it is at or above
 * `minLevel` (records without a severity pass), matches `include` if given
 * (its event name or its category matches one of the patterns), and matches
 * no pattern of `exclude`.
 */
export interface RouteRule {
  readonly minLevel?: LevelInput;
  readonly include?: RoutePattern;
  readonly exclude?: RoutePattern;
}

type Matcher = (value: string) => boolean;

function compileList(patterns: string | readonly string[] | undefined): Matcher | undefined {
  if (patterns === undefined) return undefined;
  const list = typeof patterns === 'string' ? [patterns] : [...patterns];
  if (list.length === 0) return undefined;
  return picomatch(list, { dot: true });
}

function compilePattern(
  pattern: RoutePattern | undefined,
): ((r: ReadWriteLogRecord) => boolean) | undefined {
  if (!pattern) return undefined;
  const eventName = compileList(pattern.eventName);
  const category = compileList(pattern.category);
  if (!eventName && !category) return undefined;
  return (record) => {
    if (eventName && record.eventName !== undefined && eventName(record.eventName)) return true;
    const cat = record.attributes[ATTR_LOGKIT_CATEGORY];
    return Boolean(category && typeof cat === 'string' && category(cat));
  };
}

/**
 * Compiles a rule once, at setup, into the predicate run per record.
 * `minSeverity` is the rule's `minLevel` already resolved to a SeverityNumber.
 */
export function compileRouteRule(
  rule: RouteRule | undefined,
  minSeverity: number | undefined,
): (record: ReadWriteLogRecord) => boolean {
  const include = compilePattern(rule?.include);
  const exclude = compilePattern(rule?.exclude);
  if (!include && !exclude && minSeverity === undefined) return () => true;
  return (record) => {
    if (minSeverity !== undefined && (record.severityNumber ?? minSeverity) < minSeverity)
      return false;
    if (include && !include(record)) return false;
    return !(exclude && exclude(record));
  };
}
