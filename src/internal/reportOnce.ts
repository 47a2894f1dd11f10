import { diag } from '@opentelemetry/api';

const reported = new Set<string>();

/**
 * Redacts the text a diag message carries: set to the registration's output
 * redaction by `outputRedaction.ts` when it loads (the package entry loads it
 * with `registerLogging`); unchanged text before that.
 */
let redactText: (text: string) => string = (text) => text;

/** Sets the redaction of the error text {@link reportOnce} hands to diag. */
export function setDiagRedaction(redact: (text: string) => string): void {
  redactText = redact;
}

/**
 * Reports an internal problem through `diag.error` once per `cause` key, so a
 * failing disk or a bad value on a hot path cannot flood the diag logger.
 * The error's text (name, message, stack) is redacted first: it may quote the
 * value that failed (a getter's message, a header), and the diag logger
 * prints it (to the console with `OTEL_LOG_LEVEL`). Never throws.
 */
export function reportOnce(cause: string, message: string, error?: unknown): void {
  if (reported.has(cause)) return;
  reported.add(cause);
  try {
    diag.error(`otel-logkit: ${message}`, error === undefined ? undefined : redactedError(error));
  } catch {
    // A diag logger that throws must not reach the application.
  }
}

/**
 * `error` with its text redacted: an Error becomes an Error of the redacted
 * name, message and stack, and its `code` (its other properties are not
 * shown); anything else becomes its redacted `String()`.
 */
function redactedError(error: unknown): unknown {
  try {
    if (error instanceof Error) {
      const copy = new Error(redactText(String(error.message)));
      copy.name = redactText(String(error.name));
      copy.stack = error.stack === undefined ? undefined : redactText(String(error.stack));
      // A system error's code (ENOSPC, ECONNREFUSED) says what went wrong.
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string') (copy as { code?: string }).code = code;
      return copy;
    }
    return redactText(typeof error === 'string' ? error : String(error));
  } catch {
    return '[an error that could not be described]';
  }
}

/** Forgets what was reported; for tests. */
export function resetReportOnce(): void {
  reported.clear();
}
