import { types } from 'node:util';
import { LoggingConfigError } from '../../config/LoggingConfigError.js';
import { readSecretKey } from '../../config/secretKey.js';
import { BUILTIN_PATTERN_NAMES, type BuiltinPatternName } from './builtinPatternNames.js';
import { OPT_IN_PATTERNS } from './patterns.js';

/**
 * What a rule leaves in place of a secret:
 * - `replace`: `[REDACTED]`;
 * - `mask`: `****` and the last 4 characters (`****1234`) for a secret of 12
 *   characters or more, `****` alone for a shorter one; a value that starts
 *   with an HTTP authentication scheme keeps the scheme and masks the
 *   credential after it by the same rule (`Bearer abc` → `Bearer ****`);
 * - `hash`: `[HMAC:<16 hex>]`, the first 16 hex digits of HMAC-SHA-256 over the
 *   value with {@link RedactionOptions.hashKey}, so equal values correlate
 *   without being readable.
 */
export type RedactionMode = 'replace' | 'mask' | 'hash';

export type { BuiltinPatternName } from './builtinPatternNames.js';

/**
 * A user pattern: every match in every string is redacted with `mode` (the
 * `mode` option when absent). The expression is copied with the `g` flag (and
 * without `y`); it must not match the empty string, and should be linear-time
 * (no nested quantifiers over the same characters), as it runs on every string.
 */
export interface CustomPattern {
  readonly name: string;
  readonly pattern: RegExp;
  readonly mode?: RedactionMode;
}

/** The `redaction` options. Redaction is on by default with all of these absent. */
export interface RedactionOptions {
  /** Extra secret keys, added to the defaults (case- and separator-insensitive). */
  readonly keys?: readonly string[];
  /** `true`: {@link keys} replaces the default key list instead of extending it. */
  readonly replaceDefaultKeys?: boolean;
  /** Opt-in built-ins (`email`, `ip-address`) and user patterns. */
  readonly patterns?: readonly (BuiltinPatternName | CustomPattern)[];
  /** Built-in patterns to turn off. */
  readonly disablePatterns?: readonly BuiltinPatternName[];
  /** The mode of the built-in patterns, and the default of the others; `replace` by default. */
  readonly mode?: RedactionMode;
  /** The mode for values under a secret key; {@link mode} by default. */
  readonly keyMode?: RedactionMode;
  /** The HMAC-SHA-256 key; required when any rule uses `hash`. */
  readonly hashKey?: string | Uint8Array;
}

/**
 * The keys redacted by default (whole value, at any depth). With `keys`, they
 * also name the JSON members whose string values `json-secret-field` redacts
 * inside strings.
 */
export const DEFAULT_REDACTED_KEYS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'authorization',
  'cookie',
  'set-cookie',
  'private_key',
  'client_secret',
  'secret_key',
  'secret_access_key',
  'signing_key',
  'passphrase',
  'credit_card',
  'card_number',
  'cvv',
  'ssn',
];

/** A {@link CustomPattern} after validation: a private copy of its expression. */
export interface ResolvedCustomPattern {
  readonly name: string;
  readonly regex: RegExp;
  readonly mode: RedactionMode;
}

/** {@link RedactionOptions} after validation, with every default applied. */
export interface ResolvedRedactionOptions {
  readonly keys: readonly string[];
  readonly builtins: ReadonlySet<BuiltinPatternName>;
  readonly custom: readonly ResolvedCustomPattern[];
  readonly mode: RedactionMode;
  readonly keyMode: RedactionMode;
  readonly hashKey: Uint8Array | undefined;
}

const MODES: ReadonlySet<string> = new Set<RedactionMode>(['replace', 'mask', 'hash']);
const BUILTINS: ReadonlySet<string> = new Set(BUILTIN_PATTERN_NAMES);
const OPTION_NAMES: ReadonlySet<string> = new Set([
  'keys',
  'replaceDefaultKeys',
  'patterns',
  'disablePatterns',
  'mode',
  'keyMode',
  'hashKey',
]);
const MODE_LIST = "'replace', 'mask' or 'hash'";

/** Normalises a key for matching: lowercased, without `-`, `_`, `.` and spaces. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, '');
}

/**
 * Validates {@link RedactionOptions} and applies the defaults. Throws a
 * {@link LoggingConfigError} naming the first bad option.
 */
export function resolveRedactionOptions(
  options: RedactionOptions | undefined,
): ResolvedRedactionOptions {
  const source = 'option redaction';
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new LoggingConfigError(source, options, 'an object');
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      throw new LoggingConfigError(`${source}.${name}`, read(options, name), 'no such option');
    }
  }

  const mode = readMode(options.mode, `${source}.mode`) ?? 'replace';
  const keyMode = readMode(options.keyMode, `${source}.keyMode`) ?? mode;

  const replaceDefaults: unknown = options.replaceDefaultKeys;
  if (replaceDefaults !== undefined && typeof replaceDefaults !== 'boolean') {
    throw new LoggingConfigError(`${source}.replaceDefaultKeys`, replaceDefaults, 'a boolean');
  }
  const extraKeys = readArray(options.keys, `${source}.keys`);
  const keys: string[] = replaceDefaults === true ? [] : [...DEFAULT_REDACTED_KEYS];
  extraKeys.forEach((key, i) => {
    if (typeof key !== 'string' || normalizeKey(key) === '') {
      throw new LoggingConfigError(
        `${source}.keys[${i}]`,
        key,
        'a key name with a letter or digit',
      );
    }
    keys.push(key);
  });

  const builtins = new Set<BuiltinPatternName>(
    BUILTIN_PATTERN_NAMES.filter((name) => !OPT_IN_PATTERNS.has(name)),
  );
  const listed = new Set<string>();
  const custom: ResolvedCustomPattern[] = [];
  readArray(options.patterns, `${source}.patterns`).forEach((entry, i) => {
    const at = `${source}.patterns[${i}]`;
    if (typeof entry === 'string') {
      if (!BUILTINS.has(entry)) {
        throw new LoggingConfigError(
          at,
          entry,
          `a built-in pattern name (${BUILTIN_PATTERN_NAMES.join(', ')}) or { name, pattern, mode? }`,
        );
      }
      listed.add(entry);
      builtins.add(entry as BuiltinPatternName);
      return;
    }
    custom.push(readCustom(entry, at, mode));
  });
  readArray(options.disablePatterns, `${source}.disablePatterns`).forEach((name, i) => {
    const at = `${source}.disablePatterns[${i}]`;
    if (typeof name !== 'string' || !BUILTINS.has(name)) {
      throw new LoggingConfigError(
        at,
        name,
        `a built-in pattern name (${BUILTIN_PATTERN_NAMES.join(', ')})`,
      );
    }
    if (listed.has(name)) {
      throw new LoggingConfigError(
        at,
        name,
        'a pattern not also listed in option redaction.patterns',
      );
    }
    builtins.delete(name as BuiltinPatternName);
  });

  const hashKey = readSecretKey(options.hashKey, `${source}.hashKey`);
  if (hashKey === undefined) {
    let user: string | undefined;
    if (mode === 'hash') user = `${source}.mode`;
    else if (keyMode === 'hash') user = `${source}.keyMode`;
    else {
      const index = custom.findIndex((pattern) => pattern.mode === 'hash');
      if (index >= 0) user = `${source}.patterns`;
    }
    if (user !== undefined) {
      throw new LoggingConfigError(
        `${source}.hashKey`,
        options.hashKey,
        `a non-empty string or Uint8Array, as ${user} uses 'hash'`,
      );
    }
  }

  return { keys, builtins, custom, mode, keyMode, hashKey };
}

function readMode(value: unknown, source: string): RedactionMode | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !MODES.has(value)) {
    throw new LoggingConfigError(source, value, MODE_LIST);
  }
  return value as RedactionMode;
}

function readArray(value: unknown, source: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new LoggingConfigError(source, value, 'an array');
  return value as unknown[];
}

function readCustom(entry: unknown, at: string, mode: RedactionMode): ResolvedCustomPattern {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new LoggingConfigError(
      at,
      entry,
      'a built-in pattern name or { name, pattern: RegExp, mode? }',
    );
  }
  const { name, pattern, mode: own } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') {
    throw new LoggingConfigError(`${at}.name`, name, 'a non-empty string');
  }
  // types.isRegExp: a RegExp from another realm (a vm context) counts too.
  if (!types.isRegExp(pattern)) {
    throw new LoggingConfigError(`${at}.pattern`, describePattern(pattern), 'a RegExp');
  }
  const flags = pattern.flags.replace(/[gy]/g, '');
  let regex: RegExp;
  try {
    regex = new RegExp(pattern.source, `${flags}g`);
  } catch (error) {
    throw new LoggingConfigError(
      `${at}.pattern`,
      String(pattern),
      `a valid RegExp (${String(error)})`,
    );
  }
  const probe = new RegExp(pattern.source, flags);
  if (probe.test('')) {
    throw new LoggingConfigError(
      `${at}.pattern`,
      String(pattern),
      'a RegExp that does not match the empty string',
    );
  }
  return { name, regex, mode: readMode(own, `${at}.mode`) ?? mode };
}

function describePattern(value: unknown): unknown {
  return typeof value === 'function' ? '[Function]' : value;
}

function read(obj: object, key: string): unknown {
  return (obj as Record<string, unknown>)[key];
}
