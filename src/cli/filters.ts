import {
  ATTRIBUTE_ABSENT,
  ATTRIBUTE_NO_VALUE,
  ATTRIBUTE_UNKNOWN,
  findAttribute,
} from './attributeScan.js';
import { UsageError } from './errors.js';
import { skipValue } from './jsonSkip.js';
import type { LogRecordView, RawLogRecord, RecordPredicate, ResourceView } from './otlp.js';
import {
  CATEGORY_KEY,
  NO_ENTRY,
  compareNanos,
  decodeAnyValue,
  keyValueOf,
  messageOf,
  severityFromEnum,
  severityFromName,
  toText,
} from './otlp.js';
import { parseTimeArg } from './timeArgs.js';

/** The record filters, as the flags give them (already validated). */
export interface FilterSpec {
  /** Categories (`logkit.category`) accepted; empty: all. */
  categories: string[];
  /** Services (`service.name` of the resource) accepted; empty: all. */
  services: string[];
  /** Minimum SeverityNumber; 0: all. */
  minSeverity: number;
  /** Nanoseconds, inclusive. */
  sinceNs?: string;
  /** Nanoseconds, exclusive. */
  untilNs?: string;
  /** Substring of the message or an attribute value. */
  keyword?: string;
  /** Regular expression over the message and attribute values. */
  grep?: RegExp;
  ignoreCase: boolean;
  /** Lowercase hex: the trace id, or its beginning. */
  traceId?: string;
  /** `key=value` pairs, all required. */
  attrs: Array<[string, string]>;
}

/** The raw flag values the filters are built from. */
export interface FilterFlags {
  category?: string[];
  service?: string[];
  level?: string;
  since?: string;
  until?: string;
  keyword?: string;
  grep?: string;
  ignoreCase?: boolean;
  traceId?: string;
  attr?: string[];
}

/** Splits repeatable, comma-separated flag values (`--category user,llm --category tool`). */
function splitList(values: string[] | undefined): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    for (const part of value.split(',')) {
      const trimmed = part.trim();
      if (trimmed !== '') out.push(trimmed);
    }
  }
  return out;
}

/** Parses a `--level` value: a level name (`warn`, `notice`, `INFO2`) or a SeverityNumber 1–24. */
export function parseLevel(text: string): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) {
    const number = Number(value);
    if (number >= 1 && number <= 24) return number;
  } else {
    const severity = severityFromName(value) ?? severityFromEnum(value.toUpperCase());
    if (severity > 0) return severity;
  }
  throw new UsageError(
    `--level ${JSON.stringify(text)}: expected a level name (trace, debug, info, notice, warn, error, fatal, …) or a SeverityNumber 1-24`,
  );
}

/** Validates the flags and builds the filter spec; throws a {@link UsageError}. */
export function buildFilterSpec(flags: FilterFlags, nowMs = Date.now()): FilterSpec {
  const spec: FilterSpec = {
    categories: splitList(flags.category),
    services: splitList(flags.service),
    minSeverity: flags.level === undefined ? 0 : parseLevel(flags.level),
    ignoreCase: flags.ignoreCase === true,
    attrs: [],
  };
  if (flags.since !== undefined) spec.sinceNs = parseTimeArg('--since', flags.since, nowMs);
  if (flags.until !== undefined) spec.untilNs = parseTimeArg('--until', flags.until, nowMs);
  if (
    spec.sinceNs !== undefined &&
    spec.untilNs !== undefined &&
    compareNanos(spec.sinceNs, spec.untilNs) >= 0
  ) {
    throw new UsageError('--since must be before --until');
  }
  if (flags.keyword !== undefined) {
    if (flags.keyword === '') throw new UsageError('--keyword: empty keyword');
    spec.keyword = flags.keyword;
  }
  if (flags.grep !== undefined) {
    try {
      spec.grep = new RegExp(flags.grep, spec.ignoreCase ? 'iu' : 'u');
    } catch (error) {
      throw new UsageError(`--grep ${JSON.stringify(flags.grep)}: ${(error as Error).message}`);
    }
  }
  if (flags.traceId !== undefined) {
    const id = flags.traceId.trim().toLowerCase();
    if (!/^[0-9a-f]{1,32}$/.test(id)) {
      throw new UsageError(
        `--trace-id ${JSON.stringify(flags.traceId)}: expected hex digits, the trace id or its beginning`,
      );
    }
    spec.traceId = id;
  }
  for (const pair of flags.attr ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) {
      throw new UsageError(`--attr ${JSON.stringify(pair)}: expected key=value`);
    }
    spec.attrs.push([pair.slice(0, equals), pair.slice(equals + 1)]);
  }
  return spec;
}

// Text an OTLP JSON encoder writes the same whatever it escapes: printable
// ASCII without quotes, backslashes, the characters HTML-safe encoders (Go's)
// escape, or `/` (which JSON allows to be written `\/`).
const JSON_VERBATIM = /^[\x20-\x7e]*$/;
const JSON_ESCAPED = /["\\<>&'/]/;

function verbatimInJson(text: string): boolean {
  return JSON_VERBATIM.test(text) && !JSON_ESCAPED.test(text);
}

// Characters of a number's decimal text (1.5e-7, -3): a keyword made only of
// these might match a number whose JSON text is spelt differently (1E2 is 100).
const NUMERIC_ONLY = /^[0-9.eE+-]*$/;
// JSON punctuation: a keyword holding one could match the JSON text of a
// structured value (`:100}`) that the OTLP line spells differently.
const JSON_PUNCTUATION = /[{}[\]:,]/;

/**
 * Whether every value containing `keyword` (a string, the text of a number,
 * the JSON of a map or array) is sure to put `keyword` literally into the raw
 * OTLP/JSON line, so a line without it can be skipped unparsed.
 */
function keywordVerbatimInLine(keyword: string): boolean {
  return (
    verbatimInJson(keyword) &&
    !JSON_PUNCTUATION.test(keyword) &&
    !NUMERIC_ONLY.test(keyword) &&
    // An empty AnyValue inside an array is written `{}` but renders as `null`.
    !'null'.includes(keyword)
  );
}

/**
 * Whether `text` may hold, lowercased, the lowercase `needle` (printable
 * ASCII, see {@link keywordVerbatimInLine}) that a value holds once
 * lowercased. Lowercasing works character by character, so the JSON text of
 * the value, lowercased, holds the needle too, unless some character was
 * written as a `\u` escape: a Kelvin sign (U+212A) lowercases to `k`, an
 * escaped one does not. Then it answers true.
 */
function lowerMayHold(text: string, needle: string): boolean {
  return text.includes('\\u') || text.toLowerCase().includes(needle);
}

/**
 * The filters, applied at three depths, cheapest first:
 *
 * 1. {@link lineMayMatch}: a scan of the raw JSON line that rejects lines no
 *    record of which can match (no time in range, no severity high enough,
 *    keyword or category text absent), without parsing them. It only ever
 *    rejects lines that the full checks would reject too: it looks at JSON
 *    keys, which in OTLP/JSON are field names only (a `"` inside a string
 *    value is always escaped), and gives up (keeps the line) on anything it
 *    cannot read with certainty.
 * 2. {@link matchesRaw}: time, severity and trace id of a record, before its
 *    attributes and body are decoded. Then, where the line is scanned record
 *    by record (`selectRecords.ts`), {@link recordMayMatch}: service, keyword,
 *    category and `--attr` attributes told from the record's text and its
 *    resource, before the record is parsed (same certainty rule); where the
 *    line is parsed whole, {@link rawMayMatch}: service, category and `--attr`
 *    attributes of the parsed record, before it is decoded.
 * 3. {@link matches}: category, service, keyword, regular expression, attributes.
 */
export class RecordFilter implements RecordPredicate {
  readonly spec: FilterSpec;
  private readonly keywordNeedle: string | undefined;
  private readonly lineKeyword: string | undefined;
  /** With `--ignore-case`: the lowercase keyword, when its text can be looked for in the line. */
  private readonly lineKeywordLower: string | undefined;
  private readonly lineCategories: string[] | undefined;
  private readonly lineServices: string[] | undefined;
  private readonly lineAttrKeys: string[];
  private readonly timeFiltered: boolean;

  constructor(spec: FilterSpec) {
    this.spec = spec;
    this.timeFiltered = spec.sinceNs !== undefined || spec.untilNs !== undefined;
    if (spec.keyword !== undefined) {
      this.keywordNeedle = spec.ignoreCase ? spec.keyword.toLowerCase() : spec.keyword;
      if (keywordVerbatimInLine(spec.keyword) && keywordVerbatimInLine(this.keywordNeedle)) {
        if (spec.ignoreCase) this.lineKeywordLower = this.keywordNeedle;
        else this.lineKeyword = spec.keyword;
      }
    }
    if (spec.categories.length > 0 && spec.categories.every(verbatimInJson)) {
      this.lineCategories = spec.categories.map((c) => JSON.stringify(c));
    }
    if (spec.services.length > 0 && spec.services.every(verbatimInJson)) {
      this.lineServices = spec.services.map((s) => JSON.stringify(s));
    }
    this.lineAttrKeys = spec.attrs
      .map(([key]) => key)
      .filter(verbatimInJson)
      .map((key) => JSON.stringify(key));
  }

  /** The `--level` filter's SeverityNumber (0: none): lower records never match. */
  get minSeverity(): number {
    return this.spec.minSeverity;
  }

  /** Whether no filter is set. */
  get isEmpty(): boolean {
    const s = this.spec;
    return (
      s.categories.length === 0 &&
      s.services.length === 0 &&
      s.minSeverity === 0 &&
      !this.timeFiltered &&
      s.keyword === undefined &&
      s.grep === undefined &&
      s.traceId === undefined &&
      s.attrs.length === 0
    );
  }

  /**
   * Whether {@link matchesRaw} can reject records (a time, level or trace id
   * filter), so that decoding only the records it passes saves work.
   */
  get hasRawCriteria(): boolean {
    return this.timeFiltered || this.spec.minSeverity > 0 || this.spec.traceId !== undefined;
  }

  /**
   * Whether {@link recordMayMatch} rejects so many records from their text
   * (a keyword filter) that decoding only the records it passes saves work.
   */
  get hasRecordCriteria(): boolean {
    // Not the service, category and attribute filters alone: they do reject
    // records from their text, but matching 1 record in 4 (a category of
    // four), scanning a line's structure and parsing those records cost more
    // than parsing it whole (1.78 s against 1.48 s CPU, `view --json
    // --category tool` on the bench's dense file), while the keyword, found
    // in few records' text, saves a fifth. Without a keyword they are
    // applied by rawMayMatch instead, before each record is decoded.
    return this.lineKeyword !== undefined || this.lineKeywordLower !== undefined;
  }

  /** False only when no record of the raw JSON `line` can pass the filters. */
  lineMayMatch(line: string): boolean {
    if (this.lineKeyword !== undefined && !line.includes(this.lineKeyword)) return false;
    if (this.lineKeywordLower !== undefined && !lowerMayHold(line, this.lineKeywordLower)) {
      return false;
    }
    if (this.lineCategories && !this.lineCategories.some((c) => line.includes(c))) return false;
    if (this.lineServices && !this.lineServices.some((s) => line.includes(s))) return false;
    for (const key of this.lineAttrKeys) if (!line.includes(key)) return false;
    if (this.timeFiltered && !this.lineTimeMayMatch(line)) return false;
    if (this.spec.minSeverity > 0 && !this.lineSeverityMayMatch(line)) return false;
    return true;
  }

  matchesRaw(timeNs: string, severity: number, traceId: string): boolean {
    const s = this.spec;
    if (severity < s.minSeverity) return false;
    if (this.timeFiltered) {
      if (timeNs === '0') return false;
      if (s.sinceNs !== undefined && compareNanos(timeNs, s.sinceNs) < 0) return false;
      if (s.untilNs !== undefined && compareNanos(timeNs, s.untilNs) >= 0) return false;
    }
    if (s.traceId !== undefined && !traceId.startsWith(s.traceId)) return false;
    return true;
  }

  /**
   * False only when the record whose JSON text is `line[start, end)` cannot
   * pass {@link matches}: its resource's service is not one asked for; the
   * keyword is not in its text; its category, or an `--attr` attribute (its
   * own, else its resource's), read alone from its `attributes` list (which
   * starts at `attributes`, -1: none), is not the one asked for. Anything the
   * scan cannot read with certainty passes, for {@link matches} to decide.
   */
  recordMayMatch(
    line: string,
    start: number,
    end: number,
    attributes: number,
    resource: ResourceView,
  ): boolean {
    const s = this.spec;
    if (s.services.length > 0) {
      const service = resource.service;
      if (service === undefined || !s.services.includes(service)) return false;
    }
    if (this.lineKeyword !== undefined && !this.keywordBetween(line, start, end)) return false;
    if (
      this.lineKeywordLower !== undefined &&
      !lowerMayHold(line.slice(start, end), this.lineKeywordLower)
    ) {
      return false;
    }
    if (s.categories.length > 0) {
      const at = findAttribute(line, attributes, CATEGORY_KEY);
      if (at === ATTRIBUTE_ABSENT || at === ATTRIBUTE_NO_VALUE) return false;
      if (at >= 0) {
        const category = valueAt(line, at);
        if (typeof category !== 'string' || !s.categories.includes(category)) return false;
      }
    }
    for (const [key, expected] of s.attrs) {
      const at = findAttribute(line, attributes, key);
      if (at === ATTRIBUTE_UNKNOWN) continue;
      const value =
        at >= 0
          ? valueAt(line, at)
          : at === ATTRIBUTE_ABSENT && Object.hasOwn(resource.attributes, key)
            ? resource.attributes[key]
            : undefined;
      if (value === undefined || toText(value) !== expected) return false;
    }
    return true;
  }

  /**
   * False only when the parsed record `raw` of `resource` cannot pass
   * {@link matches} for its service, category or `--attr` attributes: only
   * those attributes are decoded, not the record.
   */
  rawMayMatch(raw: RawLogRecord, resource: ResourceView): boolean {
    const s = this.spec;
    if (s.services.length > 0) {
      const service = resource.service;
      if (service === undefined || !s.services.includes(service)) return false;
    }
    if (s.categories.length > 0) {
      const category = keyValueOf(raw.attributes, CATEGORY_KEY);
      if (typeof category !== 'string' || !s.categories.includes(category)) return false;
    }
    for (const [key, expected] of s.attrs) {
      let value = keyValueOf(raw.attributes, key);
      if (value === NO_ENTRY) {
        value = Object.hasOwn(resource.attributes, key) ? resource.attributes[key] : undefined;
      }
      if (value === undefined || toText(value) !== expected) return false;
    }
    return true;
  }

  // The line the keyword was last looked for in, from where, and where it was
  // found (-1: not after that): the records of a line come in order, so each
  // line is searched once from left to right, not once per record. In a line
  // with `\u` escapes a value may spell the keyword's letters so (no encoder
  // does, but JSON allows it): there every record is kept.
  private keywordLine: string | undefined;
  private keywordEscapes = false;
  private keywordFrom = 0;
  private keywordAt = -1;

  private keywordBetween(line: string, start: number, end: number): boolean {
    const keyword = this.lineKeyword!;
    if (line !== this.keywordLine) {
      this.keywordLine = line;
      this.keywordEscapes = line.includes('\\u');
      this.keywordFrom = Infinity;
    }
    if (this.keywordEscapes) return true;
    if (start < this.keywordFrom || (this.keywordAt !== -1 && this.keywordAt < start)) {
      this.keywordFrom = start;
      this.keywordAt = line.indexOf(keyword, start);
    }
    return this.keywordAt !== -1 && this.keywordAt + keyword.length <= end;
  }

  matches(record: LogRecordView): boolean {
    const s = this.spec;
    if (s.categories.length > 0) {
      const category = record.attributes[CATEGORY_KEY];
      if (typeof category !== 'string' || !s.categories.includes(category)) return false;
    }
    if (s.services.length > 0) {
      const service = record.resource.service;
      if (service === undefined || !s.services.includes(service)) return false;
    }
    for (const [key, expected] of s.attrs) {
      const value = Object.hasOwn(record.attributes, key)
        ? record.attributes[key]
        : Object.hasOwn(record.resource.attributes, key)
          ? record.resource.attributes[key]
          : undefined;
      if (value === undefined || toText(value) !== expected) return false;
    }
    if (this.keywordNeedle !== undefined && !this.anyText(record, this.keywordTest)) return false;
    if (s.grep !== undefined && !this.anyText(record, this.grepTest)) return false;
    return true;
  }

  private readonly keywordTest = (text: string): boolean =>
    (this.spec.ignoreCase ? text.toLowerCase() : text).includes(this.keywordNeedle!);

  private readonly grepTest = (text: string): boolean => this.spec.grep!.test(text);

  // The message and every attribute value (not the keys, not the resource).
  private anyText(record: LogRecordView, test: (text: string) => boolean): boolean {
    if (test(messageOf(record))) return true;
    const attributes = record.attributes;
    for (const key in attributes) {
      if (key === CATEGORY_KEY) continue;
      if (test(toText(attributes[key]))) return true;
    }
    return false;
  }

  // Each record's time is its non-zero timeUnixNano, else its observedTimeUnixNano:
  // one of the values found here. None in range: no record in range.
  private lineTimeMayMatch(line: string): boolean {
    const { sinceNs, untilNs } = this.spec;
    let from = 0;
    for (;;) {
      const at = line.indexOf('imeUnixNano"', from);
      if (at === -1) return false;
      from = at + 12;
      const value = readJsonScalarAfterColon(line, from);
      if (value === undefined) continue; // not a key
      if (value === null) return true; // unreadable: keep the line
      if (!/^\d+$/.test(value)) return true;
      const nanos = value.replace(/^0+/, '');
      if (nanos === '') continue;
      if (sinceNs !== undefined && compareNanos(nanos, sinceNs) < 0) continue;
      if (untilNs !== undefined && compareNanos(nanos, untilNs) >= 0) continue;
      return true;
    }
  }

  // A record's severity is its severityNumber, else its severityText's: one of
  // the values found here. None high enough: no record high enough.
  private lineSeverityMayMatch(line: string): boolean {
    const min = this.spec.minSeverity;
    for (const key of ['"severityNumber"', '"severityText"']) {
      let from = 0;
      for (;;) {
        const at = line.indexOf(key, from);
        if (at === -1) break;
        from = at + key.length;
        const value = readJsonScalarAfterColon(line, from);
        if (value === undefined) continue;
        if (value === null) return true;
        const severity =
          key === '"severityText"'
            ? (severityFromName(value) ?? 0)
            : /^\d+$/.test(value)
              ? Number(value)
              : severityFromEnum(value);
        if (severity >= min) return true;
      }
    }
    return false;
  }
}

// The attribute value (an AnyValue's JSON) starting at `at`, decoded alone.
function valueAt(line: string, at: number): unknown {
  return decodeAnyValue(JSON.parse(line.slice(at, skipValue(line, at))));
}

/**
 * Reads the scalar after `"key"` ending at `from`: skips whitespace, expects a
 * colon (else `undefined`: the quoted text was not a key), then returns a
 * number's text or a string's content. `null` when the value cannot be read
 * safely (an escape in the string, an object).
 */
function readJsonScalarAfterColon(line: string, from: number): string | null | undefined {
  let i = skipSpace(line, from);
  if (line.charCodeAt(i) !== 58 /* : */) return undefined;
  i = skipSpace(line, i + 1);
  const first = line.charCodeAt(i);
  if (first === 34 /* " */) {
    const end = line.indexOf('"', i + 1);
    if (end === -1) return null;
    const text = line.slice(i + 1, end);
    return text.includes('\\') ? null : text;
  }
  let end = i;
  for (;;) {
    const c = line.charCodeAt(end);
    if ((c >= 48 && c <= 57) || c === 45 || c === 46 || c === 43 || c === 101 || c === 69) end++;
    else break;
  }
  if (end === i) return null;
  return line.slice(i, end);
}

function skipSpace(line: string, i: number): number {
  for (;;) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else return i;
  }
}
