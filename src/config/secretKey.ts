import { LoggingConfigError } from './LoggingConfigError.js';

/**
 * A key option (a string, taken as UTF-8, or a `Uint8Array`) as a private copy
 * of its bytes; undefined when absent.
 *
 * @throws LoggingConfigError naming `source` for another type, or for fewer
 *   than `minBytes` bytes (default 1). The error never shows a key's content.
 */
export function readSecretKey(
  value: unknown,
  source: string,
  minBytes = 1,
): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const expected =
    minBytes > 1
      ? `a string or Uint8Array of at least ${minBytes} bytes`
      : 'a non-empty string or Uint8Array';
  let bytes: Uint8Array;
  if (typeof value === 'string') bytes = new Uint8Array(Buffer.from(value, 'utf8'));
  else if (value instanceof Uint8Array) bytes = new Uint8Array(value);
  else throw new LoggingConfigError(source, value, expected);
  if (bytes.length < minBytes) {
    throw new LoggingConfigError(source, `<${bytes.length} bytes, not shown>`, expected);
  }
  return bytes;
}
