import { redactedJson } from '../processors/redaction/outputRedaction.js';
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
 * A short text for any value: redacted first, with the live registration's
 * redaction rules (values under secret keys at any depth, and the value
 * patterns in every string), then encoded (a string as is, anything else as
 * one line of JSON, with circular references, throwing getters and Proxies
 * described rather than read), then truncated. Redacting before cutting
 * means no secret leaks its first characters by straddling the cut.
 * Never throws.
 */
export function summarise(value: unknown, max = SUMMARY_MAX_CHARS): string {
  return truncate(redactedJson(value), max);
}
