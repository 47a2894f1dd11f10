import { inspect } from 'node:util';
import { SUMMARY_MAX_CHARS } from './names.js';

/**
 * Cuts `text` to `max` characters, marking what was cut:
 * `…[truncated N chars]`. Never splits a surrogate pair.
 */
export function truncate(text: string, max = SUMMARY_MAX_CHARS): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…[truncated ${text.length - end} chars]`;
}

/**
 * A short text for any value: a string as is, anything else as JSON (a
 * one-line `util.inspect` when JSON cannot represent it), truncated.
 * Never throws.
 */
export function summarise(value: unknown, max = SUMMARY_MAX_CHARS): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      const json = JSON.stringify(value, (_key, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : v,
      ) as string | undefined;
      text = json ?? inspect(value, { depth: 2, breakLength: Infinity, compact: true });
    } catch {
      try {
        text = inspect(value, { depth: 2, breakLength: Infinity, compact: true });
      } catch {
        text = '[Unserializable]';
      }
    }
  }
  return truncate(text, max);
}
