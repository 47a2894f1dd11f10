import type { ExportResult } from '@opentelemetry/core';
import { reportOnce } from '../internal/reportOnce.js';

/**
 * Calls an exporter's result callback; a callback that throws is reported
 * once under `cause` instead of becoming an unhandled rejection in the
 * application (the callback belongs to the SDK or the caller, not to us).
 */
export function callBack(
  resultCallback: (result: ExportResult) => void,
  result: ExportResult,
  cause: string,
): void {
  try {
    resultCallback(result);
  } catch (error) {
    reportOnce(cause, 'an export result callback threw', error);
  }
}

/** An Error for any thrown value, even one whose `toString` throws. */
export function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  try {
    return new Error(String(error));
  } catch {
    return new Error('unprintable error value');
  }
}
