/**
 * Skipping over JSON text without parsing it: where a string or a whole value
 * ends, found from the quotes and brackets alone, so that the parts of an OTLP
 * line nobody reads cost a scan, not a parse (and no allocation).
 *
 * These find where a value ends in valid JSON; they do not check validity (a
 * misspelt literal inside a skipped value goes unnoticed). They return -1 when
 * the text ends before the value does.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Index just past the string whose opening quote is at `i`; -1 when it is not closed. */
export function skipString(text: string, i: number): number {
  let end = text.indexOf('"', i + 1);
  while (end !== -1) {
    if (text.charCodeAt(end - 1) !== BACKSLASH) return end + 1;
    let k = end - 2;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    // An even run of backslashes escapes itself, not the quote.
    if ((end - 1 - k) % 2 === 0) return end + 1;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** Index of the first character at or after `i` that is not JSON whitespace. */
export function skipWhitespace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** Index just past the value starting at `i` (no leading whitespace); -1 when it does not end. */
export function skipValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return skipString(text, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return skipComposite(text, i);
  // A number or a literal: up to the next delimiter.
  let end = i;
  for (;;) {
    const c = text.charCodeAt(end);
    const lower = c | 32;
    if ((c >= 48 && c <= 57) || (lower >= 97 && lower <= 122) || c === 46 || c === 43 || c === 45) {
      end++;
    } else {
      break;
    }
  }
  return end === i ? -1 : end;
}

// An object or array: to the bracket closing the one at `i`, strings jumped over whole.
function skipComposite(text: string, i: number): number {
  let depth = 0;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(text, i);
      if (i === -1) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    } else if (Number.isNaN(c)) {
      return -1;
    }
    i++;
  }
}

/**
 * Index just past the object key whose opening quote is at `i`, or -1 when it
 * is not closed or holds an escape (`"severity\u004eumber"` is a field name
 * in disguise: the caller cannot read it by its raw text).
 */
export function skipPlainKey(text: string, i: number): number {
  for (let j = i + 1; ; j++) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH || Number.isNaN(c)) return -1;
  }
}
