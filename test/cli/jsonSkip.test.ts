import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { skipPlainKey, skipString, skipValue, skipWhitespace } from '../../src/cli/jsonSkip.js';

describe('jsonSkip', () => {
  it('skips any JSON value to its end, whatever its strings hold', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(',', ']', '}', ''), (value, after) => {
        const text = JSON.stringify(value);
        expect(skipValue(`${text}${after}`, 0)).toBe(text.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells escaped quotes from closing ones', () => {
    expect(skipString('"a\\"b"x', 0)).toBe(6);
    expect(skipString('"a\\\\"x', 0)).toBe(5);
    expect(skipString('"a\\\\\\"b"', 0)).toBe(8);
    expect(skipString('"open', 0)).toBe(-1);
  });

  it('returns -1 for a value the text cuts short', () => {
    expect(skipValue('{"a":[1,2', 0)).toBe(-1);
    expect(skipValue('{"a":"}', 0)).toBe(-1);
    expect(skipValue(',', 0)).toBe(-1);
  });

  it('reads plain keys only', () => {
    expect(skipPlainKey('"severityNumber":1', 0)).toBe(16);
    expect(skipPlainKey('"severity\\u004eumber":1', 0)).toBe(-1);
    expect(skipPlainKey('"cut', 0)).toBe(-1);
  });

  it('skips JSON whitespace', () => {
    expect(skipWhitespace(' \t\r\n x', 0)).toBe(5);
    expect(skipWhitespace('x', 0)).toBe(0);
  });
});
