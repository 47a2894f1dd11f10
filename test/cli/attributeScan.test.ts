import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_ABSENT,
  ATTRIBUTE_NO_VALUE,
  ATTRIBUTE_UNKNOWN,
  findAttribute,
} from '../../src/cli/attributeScan.js';
import { skipValue } from '../../src/cli/jsonSkip.js';
import { decodeAnyValue, decodeKeyValues } from '../../src/cli/otlp.js';
import { asciiStyle, escapedStyle } from './arbitraries.js';

const KEYS = ['logkit.category', 'k', 'user.id', 'ünï', ''];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 4 }));
const value = fc.oneof(
  fc.string({ maxLength: 6 }).map((s) => ({ stringValue: s })),
  fc.integer().map((n) => ({ intValue: String(n) })),
  fc.constantFrom(null, {}, { boolValue: true }, { arrayValue: { values: [{ intValue: 1 }] } }),
);
// Entries as decodeKeyValues meets them: KeyValues, and what it passes over.
const entry = fc.oneof(
  fc.record({ key, value }),
  fc.record({ value, key }),
  fc.record({ key }),
  fc.record({ key: fc.constantFrom(1, null, ['k']), value }),
  fc.constantFrom(null, 3, 'k', [], [{ key: 'k' }]),
  fc.jsonValue({ maxDepth: 2 }),
);

// What the scan says, checked against the full decode of the list.
function agrees(text: string, wanted: string): boolean {
  const at = findAttribute(text, 0, wanted);
  if (at === ATTRIBUTE_UNKNOWN) return false;
  const decoded = decodeKeyValues(JSON.parse(text));
  if (at === ATTRIBUTE_ABSENT) {
    expect(Object.hasOwn(decoded, wanted)).toBe(false);
  } else if (at === ATTRIBUTE_NO_VALUE) {
    expect(Object.hasOwn(decoded, wanted)).toBe(true);
    expect(decoded[wanted]).toBeUndefined();
  } else {
    expect(Object.hasOwn(decoded, wanted)).toBe(true);
    const alone = decodeAnyValue(JSON.parse(text.slice(at, skipValue(text, at))));
    expect(alone).toEqual(decoded[wanted]);
  }
  return true;
}

describe('findAttribute', () => {
  it('finds what decodeKeyValues gives for the key, in any list', () => {
    let read = 0;
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.constantFrom(...KEYS),
        fc.constantFrom('plain', 'spaced', 'ascii', 'escaped'),
        (list, wanted, style) => {
          let text = JSON.stringify(list);
          if (style === 'spaced') text = JSON.stringify(list, null, 1);
          if (style === 'ascii') text = asciiStyle(text);
          if (style === 'escaped') text = escapedStyle(text);
          if (agrees(text, wanted)) read++;
        },
      ),
      { numRuns: 3000 },
    );
    // Lists of the plain shape are read, not left to the full decode.
    expect(read).toBeGreaterThan(2000);
  });

  it('takes the last entry with the key, and an entry’s last member', () => {
    const text =
      '[{"key":"k","value":{"intValue":"1"}},{"value":{"intValue":"2"},"key":"k"},' +
      '{"key":"k","key":"x","value":{"intValue":"3"}},{"key":"k","value":null,"value":{"intValue":"4"}}]';
    const at = findAttribute(text, 0, 'k');
    expect(text.slice(at, skipValue(text, at))).toBe('{"intValue":"4"}');
  });

  it('compares keys written with escapes by their value', () => {
    const text = '[{"key":"logkit.c\\u0061tegory","value":{"stringValue":"llm"}}]';
    expect(findAttribute(text, 0, 'logkit.category')).toBeGreaterThan(0);
    expect(findAttribute(text, 0, 'logkit.c\\u0061tegory')).toBe(ATTRIBUTE_ABSENT);
  });

  it('tells absent, no value, and unreadable apart', () => {
    expect(findAttribute('[]', 0, 'k')).toBe(ATTRIBUTE_ABSENT);
    expect(findAttribute('x', -1, 'k')).toBe(ATTRIBUTE_ABSENT);
    expect(findAttribute('[null,{"key":7,"value":{}}]', 0, 'k')).toBe(ATTRIBUTE_ABSENT);
    expect(findAttribute('[{"key":"k"}]', 0, 'k')).toBe(ATTRIBUTE_NO_VALUE);
    expect(findAttribute('null', 0, 'k')).toBe(ATTRIBUTE_UNKNOWN);
    expect(findAttribute('{"k":1}', 0, 'k')).toBe(ATTRIBUTE_UNKNOWN);
    expect(findAttribute('[{"ke\\u0079":"k","value":{}}]', 0, 'k')).toBe(ATTRIBUTE_UNKNOWN);
    expect(findAttribute('[{"key":"k","value":{"stringValue":"cut', 0, 'k')).toBe(
      ATTRIBUTE_UNKNOWN,
    );
  });
});
