import { setOwn } from '../../internal/objects.js';
import { createHmac } from 'node:crypto';
import type { AnyValue } from '../../logger/anyValue.js';
import { KeyMatcher } from './keys.js';
import { BUILTIN_PATTERNS, findCard, jwtStart, openGates } from './patterns.js';
import type { BuiltinPatternSpec } from './patterns.js';
import { resolveRedactionOptions } from './RedactionOptions.js';
import type {
  RedactionMode,
  RedactionOptions,
  ResolvedRedactionOptions,
} from './RedactionOptions.js';

/** What `replace` leaves. */
export const REDACTED = '[REDACTED]';

/** Containers nested deeper than this make redaction throw (the record is dropped). */
export const MAX_DEPTH = 64;

/**
 * Containers and strings one value may hold before redaction gives up and
 * throws (the record is dropped): a shared or circular structure cannot make
 * it run for ever.
 */
export const MAX_NODES = 1_000_000;

/**
 * Strings of this many characters (attribute values: routes, hosts, user
 * agents) are remembered once found clean, in a set of at most
 * {@link CLEAN_CACHE_SIZE}, as they tend to repeat from record to record.
 */
const CLEAN_CACHE_MIN = 16;
const CLEAN_CACHE_MAX = 64;
export const CLEAN_CACHE_SIZE = 2048;

/** A compiled value rule: a built-in pattern or a user's. */
interface Rule {
  readonly name: string;
  readonly minLength: number;
  /** Global; built-ins capture (prefix)(secret)(suffix), user patterns have the whole match secret. */
  readonly regex: RegExp;
  readonly builtin: boolean;
  readonly mode: RedactionMode;
  readonly confirm: ((secret: string) => boolean) | undefined;
  readonly trim: boolean;
  readonly card: boolean;
  readonly jwt: boolean;
  readonly unicode: boolean;
  /** The {@link GATE} bit the rule is behind (0 for user patterns). */
  readonly gate: number;
}

// A placeholder or mask already in a string: a match inside one is left alone,
// so redacting twice changes nothing.
const HMAC_AT = /\[HMAC:[0-9a-f]{16}\]/y;
const HMAC_PLACEHOLDER = /^\[HMAC:[0-9a-f]{16}\]$/;
const LONGEST_PLACEHOLDER = 23; // `[HMAC:` + 16 + `]`
/** Passes over a string with secrets, at most, until it no longer changes. */
const MAX_PASSES = 8;

/**
 * The pure redaction of OTel AnyValues, compiled once from the options.
 * Methods return the very value they were given when nothing in it changed
 * (no allocation), and a rebuilt copy of only the changed containers
 * otherwise. Redactions made are added to {@link count}; {@link begin} resets
 * it and the node budget for the next record.
 *
 * Not re-entrant: one instance serves one record at a time (the emit path is
 * synchronous).
 */
export class Redactor {
  /** Redactions made since the last {@link begin}. */
  count = 0;
  private budget = MAX_NODES;
  private readonly keys: KeyMatcher;
  private readonly builtinRules: readonly Rule[];
  /** The gates of the enabled built-ins, as a bit set. */
  private readonly gates: number;
  private readonly customRules: readonly Rule[];
  private readonly clean = new Set<string>();
  /** Strings shorter than this cannot hold any match. */
  private readonly minLength: number;
  private readonly keyMode: RedactionMode;
  private readonly hashKey: Uint8Array | undefined;
  /** The `card-number` rule when enabled: numbers are read for card numbers. */
  private readonly cardRule: Rule | undefined;

  constructor(options: ResolvedRedactionOptions) {
    this.keys = new KeyMatcher(options.keys);
    this.keyMode = options.keyMode;
    this.hashKey = options.hashKey;
    const specs = BUILTIN_PATTERNS.filter(
      (spec) =>
        options.builtins.has(spec.name) &&
        (spec.beforeKeys === undefined || options.keys.length > 0),
    );
    this.builtinRules = specs.map((spec) => builtinRule(spec, options.mode, options.keys));
    let gates = 0;
    for (const spec of specs) gates |= spec.gate;
    this.gates = gates;
    this.cardRule = this.builtinRules.find((rule) => rule.card);
    this.customRules = options.custom.map((pattern) => ({
      name: pattern.name,
      minLength: 1,
      regex: pattern.regex,
      builtin: false,
      mode: pattern.mode,
      confirm: undefined,
      trim: false,
      card: false,
      jwt: false,
      unicode: /[uv]/.test(pattern.regex.flags),
      gate: 0,
    }));
    let min = Infinity;
    for (const spec of specs) min = Math.min(min, spec.minLength);
    if (this.customRules.length > 0) min = 1;
    this.minLength = min;
  }

  /** Compiles a Redactor from user options (validating them). */
  static fromOptions(options: RedactionOptions | undefined): Redactor {
    return new Redactor(resolveRedactionOptions(options));
  }

  /**
   * Redacts one value on its own: the redacted value (the same reference when
   * nothing changed) and the number of redactions. A map's keys are matched
   * as at any depth of a record.
   */
  redact(value: AnyValue): { value: AnyValue; count: number } {
    this.begin();
    const result = this.redactValue(value, 0) as AnyValue;
    return { value: result, count: this.count };
  }

  /** Starts a record: the count and the node budget start over. */
  begin(): void {
    this.count = 0;
    this.budget = MAX_NODES;
  }

  /** True when values under `key` are secret. */
  isSecretKey(key: string): boolean {
    return this.keys.matches(key);
  }

  /**
   * What the value of an attribute (of a record, a scope, a span, an event
   * or a link) becomes: under a secret key, redacted whole; otherwise the
   * secrets the patterns find in its strings, at any depth. The value itself
   * when there was nothing to redact.
   */
  redactAttribute(key: string, value: unknown): unknown {
    if (this.keys.matches(key)) return this.redactSecretValue(value);
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value === 'object' && value !== null) return this.redactObject(value, 1);
    if (typeof value === 'number') return this.redactNumber(value);
    return value;
  }

  /** Redacts a value found at `depth` (strings, and containers recursively). */
  redactValue(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value === 'object' && value !== null) return this.redactObject(value, depth);
    if (typeof value === 'number') return this.redactNumber(value);
    return value;
  }

  /**
   * A card number logged as a number (`{ card: 4111111111111111 }`): an
   * integer of 13 to 16 digits that the `card-number` rule finds in its
   * decimal text (first digit 2–6, Luhn check) becomes that rule's result, a
   * string. Any other number, and every number when the rule is off, is
   * returned as it is. Only safe integers: past 2^53 a JS number no longer
   * holds the digits that were logged. Timestamps in ms or µs (13 and 16
   * digits, starting with 1) never match. One comparison for the numbers
   * under 10^12.
   */
  redactNumber(value: number): unknown {
    if (value < 1e12 || value > Number.MAX_SAFE_INTEGER) return value;
    const rule = this.cardRule;
    if (rule === undefined || !Number.isInteger(value)) return value;
    const text = String(value);
    const out = this.applyRule(rule, text);
    return out === text ? value : out;
  }

  /**
   * The whole value under a secret key, whatever its type, becomes the key
   * mode's result. Absent and empty values, and placeholders (a value already
   * redacted), are kept.
   */
  redactSecretValue(value: unknown): unknown {
    if (value === null || value === undefined || value === '') return value;
    if (typeof value === 'string') {
      if (isPlaceholder(value)) return value;
      this.count++;
      return this.applyMode(this.keyMode, value);
    }
    this.count++;
    if (this.keyMode === 'replace') return REDACTED;
    const text = stringForm(value);
    return text === '' ? REDACTED : this.applyMode(this.keyMode, text);
  }

  /** Redacts every secret a string holds; the same string when it holds none. */
  redactString(text: string): string {
    if (--this.budget < 0) throw budgetError();
    const length = text.length;
    if (length < this.minLength) return text;
    const cacheable = length >= CLEAN_CACHE_MIN && length <= CLEAN_CACHE_MAX;
    if (cacheable && this.clean.has(text)) return text;
    let out = this.scan(text);
    if (out === text) {
      if (cacheable) {
        if (this.clean.size >= CLEAN_CACHE_SIZE) this.clean.clear();
        this.clean.add(text);
      }
      return out;
    }
    // A redaction can uncover another secret: `10.0.0.1ACME-1` is no IP
    // address until the user pattern has replaced `ACME-1`. Scanning again
    // until nothing changes makes redaction idempotent.
    for (let pass = 1; pass < MAX_PASSES; pass++) {
      const next = this.scan(out);
      if (next === out) break;
      out = next;
    }
    return out;
  }

  /** One pass of every rule over a string. */
  private scan(text: string): string {
    let out = text;
    const open = this.gates === 0 ? 0 : openGates(text, this.gates);
    if (open !== 0) {
      const length = text.length;
      const rules = this.builtinRules;
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i] as Rule;
        if ((open & rule.gate) !== 0 && length >= rule.minLength) out = this.applyRule(rule, out);
      }
    }
    const custom = this.customRules;
    for (let i = 0; i < custom.length; i++) out = this.applyRule(custom[i] as Rule, out);
    return out;
  }

  private redactObject(value: object, depth: number): unknown {
    if (value instanceof Uint8Array) return value;
    if (depth >= MAX_DEPTH) throw new RangeError(`a value is nested deeper than ${MAX_DEPTH}`);
    if (--this.budget < 0) throw budgetError();
    if (Array.isArray(value)) return this.redactArray(value as unknown[], depth);
    return this.redactMap(value as Record<string, unknown>, depth);
  }

  private redactArray(array: unknown[], depth: number): unknown[] {
    let out: unknown[] | undefined;
    const length = array.length;
    for (let i = 0; i < length; i++) {
      const item = array[i];
      let next: unknown;
      if (typeof item === 'string') next = this.redactString(item);
      else if (typeof item === 'object' && item !== null) next = this.redactObject(item, depth + 1);
      else if (typeof item === 'number' && item >= 1e12) next = this.redactNumber(item);
      else continue;
      if (next !== item) {
        out ??= array.slice();
        out[i] = next;
      }
    }
    return out ?? array;
  }

  // Every key for-in yields is looked at, inherited ones too (an exporter
  // that walks maps with for-in would see them): skipping them is not worth
  // an own-property check per key (it would double the cost of a clean map).
  private redactMap(map: Record<string, unknown>, depth: number): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const key in map) {
      const item = map[key];
      let next: unknown;
      if (this.keys.matches(key)) next = this.redactSecretValue(item);
      else if (typeof item === 'string') next = this.redactString(item);
      else if (typeof item === 'object' && item !== null) next = this.redactObject(item, depth + 1);
      else if (typeof item === 'number' && item >= 1e12) next = this.redactNumber(item);
      else continue;
      if (next !== item) {
        out ??= { ...map };
        setOwn(out, key, next);
      }
    }
    return out ?? map;
  }

  private applyRule(rule: Rule, text: string): string {
    const regex = rule.regex;
    regex.lastIndex = 0;
    let out = '';
    let last = 0;
    let changed = false;
    let match: RegExpExecArray | null;
    while ((match = regex.exec(text)) !== null) {
      const whole = match[0];
      if (whole.length === 0) {
        regex.lastIndex = advance(text, regex.lastIndex, rule.unicode);
        continue;
      }
      let start = match.index;
      let end = start + whole.length;
      if (rule.builtin) {
        start += (match[1] ?? '').length;
        end = start + (match[2] ?? '').length;
      }
      if (rule.jwt) start = Math.max(jwtStart(text, start), last);
      if (rule.card) {
        const cardEnd = findCard(text, start, end);
        if (cardEnd < 0) {
          // Try again from the next digit group.
          regex.lastIndex = groupEnd(text, start);
          continue;
        }
        end = cardEnd;
        regex.lastIndex = cardEnd;
      }
      if (rule.trim) {
        while (start < end && isSpace(text.charCodeAt(start))) start++;
        while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
      }
      if (start >= end) continue;
      const secret = text.slice(start, end);
      if (rule.confirm !== undefined && !rule.confirm(secret)) continue;
      if (insidePlaceholder(text, start, end)) continue;
      // A mask that keeps its scheme (`Bearer ****`) found whole by a pattern
      // whose secret spans it (a private key block cut short before it).
      if (end - start <= 48 && isPlaceholder(secret)) continue;
      out += text.slice(last, start) + this.applyMode(rule.mode, secret);
      last = end;
      changed = true;
      this.count++;
    }
    return changed ? out + text.slice(last) : text;
  }

  /** The mode's result for a secret. */
  applyMode(mode: RedactionMode, secret: string): string {
    if (mode === 'replace') return REDACTED;
    if (mode === 'mask') return mask(secret);
    if (this.hashKey === undefined) throw new Error('otel-logkit: hash mode without a hashKey');
    const digest = createHmac('sha256', this.hashKey).update(secret, 'utf8').digest('hex');
    return `[HMAC:${digest.slice(0, 16)}]`;
  }
}

function builtinRule(spec: BuiltinPatternSpec, mode: RedactionMode, keys: readonly string[]): Rule {
  const before = spec.beforeKeys ? spec.beforeKeys(keys) : (spec.before ?? '');
  const source =
    `${before}(${spec.prefix ?? ''})(${spec.secret})(${spec.suffix ?? ''})` + (spec.after ?? '');
  return {
    name: spec.name,
    minLength: spec.minLength,
    regex: new RegExp(source, 'g'),
    builtin: true,
    mode,
    confirm: spec.confirm,
    trim: spec.trim === true,
    card: spec.card === true,
    jwt: spec.jwt === true,
    unicode: false,
    gate: spec.gate,
  };
}

/**
 * A secret of fewer characters than this is masked whole: keeping 4 of them
 * would show a third or more of it (`hunter2` → `****ter2`). From 12 on, at
 * least 8 characters, two thirds, stay hidden, and a card number keeps the
 * last 4 digits that receipts show.
 */
export const MASK_KEEP_MIN = 12;

/**
 * The HTTP authentication schemes (RFC 9110 §11, the IANA registry and common
 * use) kept in front of a masked credential: `Bearer abc` is `Bearer ****`,
 * never `**** abc`. Anchored, one alternation of literals and one run of
 * blanks: linear.
 */
const AUTH_SCHEME =
  /^(?:bearer|basic|digest|token|negotiate|ntlm|dpop|apikey|bot|oauth|hoba|mutual|vapid|scram-sha-1|scram-sha-256|aws4-hmac-sha256)[ \t]+(?=\S)/i;

/**
 * What `mask` leaves of a secret: `****` and its last 4 characters when it
 * has at least {@link MASK_KEEP_MIN}, else `****` alone. A value that starts
 * with an authentication scheme keeps the scheme, and the rule applies to the
 * credential after it alone, so the suffix never spans the scheme; a Basic
 * credential (base64 of `user:password`, the password last) is masked whole.
 */
export function mask(secret: string): string {
  const scheme = AUTH_SCHEME.exec(secret);
  if (scheme !== null) {
    const credential = secret.slice(scheme[0].length);
    // Basic is base64 of `user:password`: its last characters are the password's.
    const basic = (secret.charCodeAt(0) | 32) === 98 /* b */ && (secret.charCodeAt(1) | 32) === 97;
    return scheme[0] + (basic ? '****' : maskPart(credential));
  }
  return maskPart(secret);
}

function maskPart(secret: string): string {
  if (secret.length < MASK_KEEP_MIN) return '****';
  let from = secret.length - 4;
  // Do not keep half of a surrogate pair.
  const c = secret.charCodeAt(from);
  if (c >= 0xdc00 && c <= 0xdfff) from++;
  return `****${secret.slice(from)}`;
}

/**
 * True for a string that is a whole placeholder: `[REDACTED]`, `[HMAC:…]` or a
 * mask (with the scheme a mask keeps, `Bearer ****`).
 */
export function isPlaceholder(value: string): boolean {
  if (value === REDACTED) return true;
  if (value.length === LONGEST_PLACEHOLDER && HMAC_PLACEHOLDER.test(value)) return true;
  if (value.length <= 8 && value.startsWith('****')) return true;
  const scheme = AUTH_SCHEME.exec(value);
  return scheme !== null && isPlaceholder(value.slice(scheme[0].length));
}

// True when text[start, end) lies within a placeholder or mask in `text`.
// Looks only at the 23 characters before `start`, so a string with many
// matches is still processed in linear time.
function insidePlaceholder(text: string, start: number, end: number): boolean {
  if (end - start > LONGEST_PLACEHOLDER) return false;
  for (let k = Math.max(0, start - LONGEST_PLACEHOLDER); k <= start; k++) {
    const c = text.charCodeAt(k);
    if (c === 91 /* [ */) {
      if (end <= k + REDACTED.length && text.startsWith(REDACTED, k)) return true;
      if (end <= k + LONGEST_PLACEHOLDER) {
        HMAC_AT.lastIndex = k;
        if (HMAC_AT.test(text)) return true;
      }
    } else if (c === 42 /* * */ && end <= k + 8 && text.startsWith('****', k)) {
      return true;
    }
  }
  return false;
}

function stringForm(value: unknown): string {
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  if (typeof value === 'object' && value !== null) {
    try {
      const json = JSON.stringify(value);
      return typeof json === 'string' ? json : '';
    } catch {
      return '';
    }
  }
  try {
    return String(value);
  } catch {
    return '';
  }
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

// The end of the run of digits that starts at `start`.
function groupEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i > start ? i : start + 1;
}

// Past an empty match (one code point in unicode mode).
function advance(text: string, index: number, unicode: boolean): number {
  if (unicode && index < text.length - 1) {
    const c = text.charCodeAt(index);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(index + 1);
      if (d >= 0xdc00 && d <= 0xdfff) return index + 2;
    }
  }
  return index + 1;
}

function budgetError(): RangeError {
  return new RangeError(`a value holds more than ${MAX_NODES} containers and strings`);
}
