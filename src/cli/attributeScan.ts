/**
 * Finding one attribute in the raw JSON text of an OTLP KeyValue list
 * (`[{"key":"logkit.category","value":{"stringValue":"llm"}}, …]`) without
 * parsing the list: the entries are scanned (see `jsonSkip.ts`) and only the
 * value of the entry wanted is handed back, for the caller to parse alone.
 *
 * It reads the list as {@link decodeKeyValues} does: an entry that is not an
 * object, or whose `key` is not a string, is passed over; a later entry with
 * the same key wins; within an entry, a repeated member wins too (as in
 * `JSON.parse`). A key written with escapes is compared by its parsed value.
 * Whatever it cannot read with certainty (a member name written with an
 * escape, text that ends early, a list that is not an array) gives
 * {@link ATTRIBUTE_UNKNOWN}, and the caller decodes the record as usual.
 */
import { skipPlainKey, skipValue, skipWhitespace } from './jsonSkip.js';

/** {@link findAttribute}: no entry of the list has the key (or the list is absent). */
export const ATTRIBUTE_ABSENT = -1;
/** {@link findAttribute}: the text is not of a shape read here with certainty. */
export const ATTRIBUTE_UNKNOWN = -2;
/** {@link findAttribute}: the last entry with the key has no `value` member (its value is `undefined`). */
export const ATTRIBUTE_NO_VALUE = -3;

/**
 * Where the value of attribute `key` starts in `text`, whose KeyValue list
 * starts at `start` (-1: the record has no attributes): the index of the
 * value's first character (`{"stringValue":…}`, or `null`; its end is
 * `skipValue(text, index)`), or {@link ATTRIBUTE_ABSENT},
 * {@link ATTRIBUTE_NO_VALUE}, {@link ATTRIBUTE_UNKNOWN}.
 */
export function findAttribute(text: string, start: number, key: string): number {
  if (start === -1) return ATTRIBUTE_ABSENT;
  if (text.charCodeAt(start) !== 91 /* [ */) return ATTRIBUTE_UNKNOWN;
  let i = skipWhitespace(text, start + 1);
  if (text.charCodeAt(i) === 93 /* ] */) return ATTRIBUTE_ABSENT;
  let found = ATTRIBUTE_ABSENT;
  for (;;) {
    let end: number;
    if (text.charCodeAt(i) === 123 /* { */) {
      // The entry's last `key` and `value` members.
      let keyMatches = false;
      let value = ATTRIBUTE_NO_VALUE;
      let j = skipWhitespace(text, i + 1);
      if (text.charCodeAt(j) === 125 /* } */) {
        end = j + 1;
      } else {
        for (;;) {
          if (text.charCodeAt(j) !== 34 /* " */) return ATTRIBUTE_UNKNOWN;
          const nameEnd = skipPlainKey(text, j);
          if (nameEnd === -1) return ATTRIBUTE_UNKNOWN;
          let at = skipWhitespace(text, nameEnd);
          if (text.charCodeAt(at) !== 58 /* : */) return ATTRIBUTE_UNKNOWN;
          at = skipWhitespace(text, at + 1);
          const valueEnd = skipValue(text, at);
          if (valueEnd === -1) return ATTRIBUTE_UNKNOWN;
          const nameLength = nameEnd - j - 2;
          if (nameLength === 3 && text.startsWith('key', j + 1)) {
            keyMatches = stringEquals(text, at, valueEnd, key);
          } else if (nameLength === 5 && text.startsWith('value', j + 1)) {
            value = at;
          }
          j = skipWhitespace(text, valueEnd);
          const c = text.charCodeAt(j);
          if (c === 125 /* } */) {
            end = j + 1;
            break;
          }
          if (c !== 44 /* , */) return ATTRIBUTE_UNKNOWN;
          j = skipWhitespace(text, j + 1);
        }
      }
      if (keyMatches) found = value;
    } else {
      // null, an array, a scalar: not a KeyValue, passed over.
      end = skipValue(text, i);
      if (end === -1) return ATTRIBUTE_UNKNOWN;
    }
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 93 /* ] */) return found;
    if (c !== 44 /* , */) return ATTRIBUTE_UNKNOWN;
    i = skipWhitespace(text, i + 1);
  }
}

// Whether the JSON value text[start, end) is the string `expected`; a string
// written with escapes is parsed (a SyntaxError for a bad one reaches the
// caller, whose fallback decodes the line whole).
function stringEquals(text: string, start: number, end: number, expected: string): boolean {
  if (text.charCodeAt(start) !== 34 /* " */) return false;
  for (let k = start + 1; k < end - 1; k++) {
    if (text.charCodeAt(k) === 92 /* backslash */)
      return JSON.parse(text.slice(start, end)) === expected;
  }
  return end - start - 2 === expected.length && text.startsWith(expected, start + 1);
}
