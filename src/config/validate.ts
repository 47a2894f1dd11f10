import path from 'node:path';
import { LoggingConfigError } from './LoggingConfigError.js';

/**
 * The shared parsers of the setup phase: every option and environment
 * variable is read through these, so each value is checked the same way and a
 * bad one fails with a {@link LoggingConfigError} naming the option
 * (`option batch.maxQueueSize`) or the variable (`OTEL_LOGKIT_MAX_BACKUPS`).
 * A variable of the OTel spec is lenient instead (see {@link Sourced.lenient}).
 */

/** The environment variables a resolver reads (`process.env`, or a test's record). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A value from an option or from the environment, with the name to put in an
 * error message about it.
 */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
  /**
   * A variable of the OTel SDK environment variable spec: an invalid value is
   * ignored with a warning rather than thrown, as the spec asks ("generate a
   * warning and gracefully ignore the setting"). Options and our own
   * `OTEL_LOGKIT_*` variables fail at startup instead.
   */
  readonly lenient?: boolean;
}

/** Picks the option when given, else the non-empty env var, else nothing. */
export function pick<T>(
  option: T | undefined,
  optionName: string,
  env: Env,
  envName: string,
): Sourced<T | string> | undefined {
  if (option !== undefined) return { value: option, source: `option ${optionName}` };
  const raw = env[envName]?.trim();
  if (raw) return { value: raw, source: envName, lenient: !envName.startsWith('OTEL_LOGKIT_') };
  return undefined;
}

/** Throws the {@link LoggingConfigError} for `value` of `source`. */
export function fail(source: string, value: unknown, expected: string): never {
  throw new LoggingConfigError(source, value, expected);
}

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Warnings of the {@link collectWarnings} call under way (resolution is synchronous). */
let warnings: string[] = [];

/**
 * Runs a resolution and returns the warnings its lenient values raised
 * (see {@link reject}), for `diag.warn` once the diag logger is set.
 */
export function collectWarnings<T>(resolve: () => T): { value: T; warnings: string[] } {
  const outer = warnings;
  warnings = [];
  try {
    const value = resolve();
    return { value, warnings };
  } finally {
    warnings = outer;
  }
}

/**
 * An invalid value: thrown as a {@link LoggingConfigError}, or for a spec
 * variable ({@link Sourced.lenient}) recorded as a warning and replaced by
 * `fallback`.
 */
export function reject<T>(picked: Sourced<unknown>, expected: string, fallback: T): T {
  if (!picked.lenient) fail(picked.source, picked.value, expected);
  const warning = `otel-logkit: ignoring ${picked.source}=${JSON.stringify(picked.value)} (expected ${expected})`;
  // A common variable is read once per signal; say it once.
  if (!warnings.includes(warning)) warnings.push(warning);
  return fallback;
}

/**
 * A whole number >= `min` (default 0): counts, milliseconds, bytes. Digits in
 * a string are taken too (a variable, a file's substitution), unless
 * `strings` is false.
 */
export function integer(
  picked: Sourced<unknown> | undefined,
  fallback: number,
  { min = 0, strings = true }: { min?: number; strings?: boolean } = {},
): number {
  if (!picked) return fallback;
  const { value } = picked;
  const n =
    strings && typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    return reject(picked, `a whole number >= ${min}`, fallback);
  }
  return n;
}

/**
 * A whole number >= `min` and at most `max`, a bound another setting sets:
 * {@link integer}, then a value past the bound rejected with `expected` and
 * `max` in its place. The default is `fallback`, or `max` when lower.
 */
export function atMost(
  picked: Sourced<unknown> | undefined,
  fallback: number,
  { min, max, expected }: { min: number; max: number; expected: string },
): number {
  const value = integer(picked, Math.min(fallback, max), { min });
  return picked && value > max ? reject({ ...picked, value }, expected, max) : value;
}

/** A finite number from `min` to `max` (an option only: no variable takes a fraction). */
export function number(
  picked: Sourced<unknown> | undefined,
  fallback: number,
  { min, max, expected }: { min: number; max: number; expected: string },
): number {
  if (!picked) return fallback;
  const { value } = picked;
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    return reject(picked, expected, fallback);
  }
  return value;
}

/** `true` or `false`; for a spec variable, the spec's rule (only `true` is true). */
export function boolean(picked: Sourced<unknown> | undefined, fallback: boolean): boolean {
  if (!picked) return fallback;
  const { value, source } = picked;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    // The spec: only a case-insensitive "true" is true; anything else is false, with a warning.
    if (picked.lenient) return reject(picked, '`true` or `false`; taken as false', false);
  }
  return fail(source, value, '`true` or `false`');
}

/** One of `allowed`, compared after `normalise` (lower case by default). */
export function oneOf<T extends string>(
  picked: Sourced<unknown> | undefined,
  allowed: readonly T[],
  fallback: T,
  normalise: (s: string) => string = (s) => s.toLowerCase(),
): T {
  if (!picked) return fallback;
  const { value } = picked;
  const v = typeof value === 'string' ? normalise(value.trim()) : value;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    return reject({ ...picked, value }, `one of ${allowed.join(', ')}`, fallback);
  }
  return v as T;
}

/**
 * A list of names from `allowed`: an array, one name, or a comma-separated
 * string (a variable). `none` alone means an empty list.
 */
export function list<T extends string>(
  picked: Sourced<unknown> | undefined,
  allowed: readonly T[],
  fallback: readonly T[],
): readonly T[] {
  if (!picked) return fallback;
  const { value, source } = picked;
  const items =
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value)
        ? (value as unknown[])
        : [value];
  const out = new Set<T>();
  for (const item of items) {
    // An unknown name in a spec variable is left out, with a warning.
    const name = oneOf<T | ''>({ value: item, source, lenient: picked.lenient }, allowed, '');
    if (name !== '') out.add(name);
  }
  if (out.size === 0) {
    // In a spec variable each unknown name was already reported.
    return picked.lenient ? fallback : fail(source, value, `one or more of ${allowed.join(', ')}`);
  }
  // `none` alone means none; beside others it is meaningless, as in the SDK.
  if (out.has('none' as T)) {
    if (out.size > 1) out.delete('none' as T);
    else return [];
  }
  return [...out];
}

/** A non-empty path, resolved against the cwd; `fallback` (resolved too) when not given. */
export function directory(picked: Sourced<unknown> | undefined, fallback: string): string {
  if (picked && (typeof picked.value !== 'string' || !picked.value)) {
    fail(picked.source, picked.value, 'a non-empty path');
  }
  return path.resolve(picked ? String(picked.value) : fallback);
}
