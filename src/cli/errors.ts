/** Exit codes of the otel-logkit command. */
export const EXIT_OK = 0;
/** Nothing matched: no record passed the filters (or no log file was found). */
export const EXIT_NO_MATCH = 1;
/** A usage error (unknown flag, bad value) or an input error (missing path). */
export const EXIT_USAGE = 2;

/** A bad flag or flag value; printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An input that cannot be read at all (a missing path, a permission error); exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The `code` of a Node system error, or `undefined` (the library's one helper). */
export { errorCode } from '../internal/objects.js';
