import { normalizeKey } from './RedactionOptions.js';

/** Key decisions remembered; past this many distinct keys the cache starts over. */
export const KEY_CACHE_SIZE = 4096;

/**
 * Decides whether a map key names a secret. Keys are compared normalised
 * (lowercased, without `-`, `_`, `.` and spaces), and a key matches when it
 * equals or ends with a listed key: with `token` listed, `csrf_token`,
 * `X-Auth-Token` and `access_token` match, `max_tokens` and `token_count` do
 * not. Decisions are cached, so a repeated key costs one Map lookup.
 */
export class KeyMatcher {
  private readonly suffixes: readonly string[];
  private readonly cache = new Map<string, boolean>();
  /**
   * Whether a key's last two characters, ASCII and lowercased, can end a
   * listed key (indexed `first << 7 | second`). Most keys end otherwise and
   * are decided with no lookup; keys ending in a separator or a non-ASCII
   * character, or a list with a one-character or non-ASCII ending, go to the
   * cache.
   */
  private readonly endings = new Uint8Array(128 * 128);
  private readonly filter: boolean;

  constructor(keys: readonly string[]) {
    const normalised = new Set<string>();
    for (const key of keys) {
      const n = normalizeKey(key);
      if (n !== '') normalised.add(n);
    }
    this.suffixes = [...normalised];
    let filter = true;
    for (const suffix of this.suffixes) {
      const a = suffix.charCodeAt(suffix.length - 2);
      const b = suffix.charCodeAt(suffix.length - 1);
      if (suffix.length < 2 || a >= 128 || b >= 128) filter = false;
      else this.endings[(a << 7) | b] = 1;
    }
    this.filter = filter;
  }

  matches(key: string): boolean {
    const length = key.length;
    if (length === 0) return false;
    if (this.filter && length >= 2) {
      // Normalising keeps the last two characters when neither is a
      // separator, and lowercases ASCII ones to ASCII.
      const a = key.charCodeAt(length - 2);
      const b = key.charCodeAt(length - 1);
      if (a < 128 && b < 128 && SEPARATOR[a] === 0 && SEPARATOR[b] === 0) {
        return this.endings[(lower(a) << 7) | lower(b)] === 1 && this.cached(key);
      }
    }
    return this.cached(key);
  }

  private cached(key: string): boolean {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const decision = this.decide(key);
    if (this.cache.size >= KEY_CACHE_SIZE) this.cache.clear();
    this.cache.set(key, decision);
    return decision;
  }

  private decide(key: string): boolean {
    const n = normalizeKey(key);
    for (const suffix of this.suffixes) {
      if (n.endsWith(suffix)) return true;
    }
    return false;
  }
}

const SEPARATOR = new Uint8Array(128);
for (const separator of '-_. ') SEPARATOR[separator.charCodeAt(0)] = 1;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
