import { diag } from '@opentelemetry/api';

const reported = new Set<string>();

/**
 * Reports an internal problem through `diag.error` once per `cause` key, so a
 * failing disk or a bad value on a hot path cannot flood the diag logger.
 * Never throws.
 */
export function reportOnce(cause: string, message: string, error?: unknown): void {
  if (reported.has(cause)) return;
  reported.add(cause);
  try {
    diag.error(`otel-logkit: ${message}`, error);
  } catch {
    // A diag logger that throws must not reach the application.
  }
}

/** Forgets what was reported; for tests. */
export function resetReportOnce(): void {
  reported.clear();
}
