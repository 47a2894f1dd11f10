import { BUILTIN_LEVELS, type BuiltinLevelName } from '../../logger/levels.js';
import { ERROR_TYPE_ABORTED } from './names.js';

/** A record's severity, as the level table defines it. */
export interface Severity {
  readonly severityNumber: number;
  readonly severityText: string;
}

function severityOf(name: BuiltinLevelName): Severity {
  const { severityNumber, severityText } = BUILTIN_LEVELS[name];
  return { severityNumber, severityText };
}

// The HTTP records' severities, from the level table.
const INFO = severityOf('info');
const WARN = severityOf('warn');
const ERROR = severityOf('error');

/** What is known of a request once it is over. */
export interface RequestFacts {
  /** The status sent, or undefined when no response header went out. */
  readonly status: number | undefined;
  /** The connection closed before the response was sent in full. */
  readonly aborted: boolean;
  /**
   * The `exception.type` of the failure recorded for the request (a handler
   * threw, an error reached the framework); undefined when none was.
   */
  readonly failureType: string | undefined;
}

/** How a request is recorded: its `error.type`, its access record's severity and status text. */
export interface RequestOutcome {
  /** `error.type` of the access record, the histogram point and the span; undefined for none. */
  readonly errorType: string | undefined;
  readonly severity: Severity;
  /** The status part of the access record's body: `200`, `aborted`, `200 aborted`. */
  readonly statusText: string;
}

/**
 * The outcome of a request (pure). semconv: a 4xx is the client's error, so a
 * server request has `error.type` only for a 5xx, a failure with no response
 * sent, or a connection that closed before the response was complete
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#status).
 * Severity: ERROR with an `error.type`, except WARN for a connection that
 * closed first with no failure; otherwise WARN for 4xx and INFO below.
 */
export function requestOutcome({ status, aborted, failureType }: RequestFacts): RequestOutcome {
  const statusText =
    status === undefined
      ? ERROR_TYPE_ABORTED
      : aborted
        ? `${status} ${ERROR_TYPE_ABORTED}`
        : String(status);
  if (status !== undefined && status < 500 && !aborted) {
    return { errorType: undefined, severity: status >= 400 ? WARN : INFO, statusText };
  }
  if (failureType !== undefined) return { errorType: failureType, severity: ERROR, statusText };
  if (status !== undefined && status >= 500) {
    return { errorType: String(status), severity: ERROR, statusText };
  }
  return { errorType: ERROR_TYPE_ABORTED, severity: WARN, statusText };
}

/**
 * The severity of a failure's error record: an error the app answers with a
 * 4xx (validation, not found; see {@link statusHint}) is the client's, WARN;
 * anything else ERROR.
 */
export function failureSeverity(hint: number | undefined): Severity {
  return hint !== undefined && hint < 500 ? WARN : ERROR;
}

function errorStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : undefined;
}

/**
 * The status an error will be answered with, when it says (`status` /
 * `statusCode`, as http-errors and Fastify's errors carry) or the response
 * already has an error status (`responseStatus`); undefined otherwise.
 */
export function statusHint(error: unknown, responseStatus: unknown): number | undefined {
  if (typeof error === 'object' && error !== null) {
    try {
      const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
      const hinted = errorStatus(statusCode) ?? errorStatus(status);
      if (hinted !== undefined) return hinted;
    } catch {
      // a throwing getter: no hint
    }
  }
  return errorStatus(responseStatus);
}
