import type { LogRecord } from '@opentelemetry/api';
import { ATTR_EXCEPTION_TYPE, ERROR_TYPE_VALUE_OTHER } from '@opentelemetry/semantic-conventions';
import { reportOnce } from '../internal/reportOnce.js';
import { errorToAttributes } from '../logger/exceptionAttributes.js';
import { BUILTIN_LEVELS, type BuiltinLevelName } from '../logger/levels.js';
import { toAttributes } from '../logger/toAnyValue.js';
import { redactTextForOutput } from '../processors/redaction/outputRedaction.js';
import { summarise } from './summarise.js';

/** Extra attributes of a helper call, converted like a log call's. */
export type HelperAttributes = Readonly<Record<string, unknown>>;

/** Emits one record of a category: its event name, level, body and attributes (converted here). */
export type CategoryEmit = (
  eventName: string,
  level: BuiltinLevelName,
  body: string,
  attributes: Record<string, unknown>,
) => void;

/** The {@link CategoryEmit} of a category's logger. */
export function categoryEmitter(logger: { emit(record: LogRecord): void }): CategoryEmit {
  return (eventName, level, body, attributes) => {
    const { severityNumber, severityText } = BUILTIN_LEVELS[level];
    logger.emit({
      eventName,
      severityNumber,
      severityText,
      body,
      attributes: toAttributes(attributes),
    });
  };
}

/** Runs a helper's work; a failure is reported once through `diag`, never thrown. */
export function guard(kind: string, fn: () => void): void {
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
export function text(value: unknown): string {
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
export function label(value: unknown): string {
  return redactTextForOutput(text(value));
}

export function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * `error.type` of a failure: its `exception.type`, or `_OTHER`. Redacted as a
 * {@link label}: it goes on metrics and spans too, and it is the error's
 * `name`, which a thrown object chooses freely.
 */
export function errorType(error: unknown): string {
  if (error === undefined) return ERROR_TYPE_VALUE_OTHER;
  return label(errorToAttributes(error)[ATTR_EXCEPTION_TYPE] ?? ERROR_TYPE_VALUE_OTHER);
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
