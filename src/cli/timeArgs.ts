import parseDuration from 'parse-duration';
import { UsageError } from './errors.js';

// One or more number+unit groups: 30m, 2h, 1d, 1h30m, 90 seconds, 1.5h.
const RELATIVE = /^(?:\s*\d+(?:\.\d+)?\s*[a-zµμ]+)+\s*$/i;
const EPOCH = /^\d+(?:\.\d+)?$/;

/**
 * A `--since` / `--until` value as nanoseconds since the epoch (a decimal string):
 *
 * - a duration before `nowMs`: `30m`, `2h`, `1d`, `1h30m`, `90s` (parse-duration's units);
 * - `now`;
 * - an epoch number: seconds (up to 10 digits), milliseconds (up to 13),
 *   microseconds (up to 16) or nanoseconds;
 * - a date or timestamp `Date.parse` reads: `2025-11-21`, `2025-11-21T05:00:00Z`,
 *   `2025-11-21T07:00:00+02:00` (without an offset, local time).
 *
 * Throws a {@link UsageError} naming `flag` for anything else.
 */
export function parseTimeArg(flag: string, text: string, nowMs: number): string {
  const value = text.trim();
  if (value.toLowerCase() === 'now') return millisToNanos(nowMs);
  if (EPOCH.test(value)) return epochToNanos(value);
  if (RELATIVE.test(value)) {
    const ms = parseDuration(value);
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) {
      return millisToNanos(nowMs - ms);
    }
  }
  const parsed = Date.parse(value);
  if (!Number.isNaN(parsed)) return millisToNanos(parsed);
  throw new UsageError(
    `${flag} ${JSON.stringify(text)}: expected a duration (30m, 2h, 1d), an epoch number or a timestamp (2025-11-21T05:00:00Z)`,
  );
}

function millisToNanos(ms: number): string {
  if (ms <= 0) return '0';
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}

function epochToNanos(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  const digits = whole.replace(/^0+/, '').length;
  // Scale to nanoseconds by the magnitude of the integer part.
  const exponent = digits <= 10 ? 9 : digits <= 13 ? 6 : digits <= 16 ? 3 : 0;
  const padded = (fraction + '0'.repeat(exponent)).slice(0, exponent);
  const nanos = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(padded === '' ? '0' : padded);
  return nanos.toString();
}
