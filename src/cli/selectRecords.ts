/**
 * Decoding only the records that can match. A scan of the line's structure
 * (quotes and brackets, see `jsonSkip.ts`) finds each log record and reads
 * just its time, severity and trace id; only the records that pass
 * {@link RecordPredicate.matchesRaw}, and then
 * {@link RecordPredicate.recordMayMatch} (the keyword in their text; their
 * resource's service; their category or `--attr` attribute, read alone from
 * their text), are parsed (`JSON.parse` of their own text), with their scope
 * and resource. On a 150 MiB file with 48-64 records a line and one ERROR
 * record in each, `view --level error` parses 1 record in 56 instead of every
 * line whole; `view --keyword get_weather` 1 in 12.
 *
 * Any line whose skeleton is not the plain OTLP shape (another signal, `null`
 * where an array belongs, a duplicated `scopeLogs`, a key written with an
 * escape, a truncated write) goes to {@link decodeLine}, which decodes it
 * whole or throws, so those lines fare exactly as before. The one difference:
 * text inside a record that cannot match is only scanned, not validated.
 */
import { skipPlainKey, skipValue, skipWhitespace } from './jsonSkip.js';
import type { LogRecordView, RawLogRecord, RecordPredicate, ResourceView } from './otlp.js';
import {
  decodeLine,
  decodeResource,
  hexId,
  normalizeNanos,
  recordView,
  scopeName,
  severityFromEnum,
  severityFromName,
} from './otlp.js';

/** Thrown inside the scan when the line is not of the plain shape; never escapes. */
const UNREADABLE = new Error('not the plain OTLP shape');

/** A record that passed the raw check: where its text, scope and resource are; its time and severity. */
interface Candidate {
  start: number;
  end: number;
  /** Where the record's `attributes` value starts (-1: none). */
  attributes: number;
  timeNs: string;
  severity: number;
  scope: number;
  resource: number;
}

/** The state of one line's scan. */
class LineScan {
  readonly line: string;
  readonly predicate: RecordPredicate;
  total = 0;
  readonly candidates: Candidate[] = [];
  /** Start and end of each resourceLogs entry's `resource` (-1: none). */
  readonly resources: number[] = [];
  /** Start and end of each scopeLogs entry's `scope` (-1: none). */
  readonly scopes: number[] = [];

  private readonly minSeverity: number;

  constructor(line: string, predicate: RecordPredicate) {
    this.line = line;
    this.predicate = predicate;
    this.minSeverity = predicate.minSeverity ?? 0;
  }

  request(): void {
    const line = this.line;
    let sawLogs = false;
    let i = this.members(skipWhitespace(line, 0), (key, at) => {
      if (key !== 'resourceLogs') return this.skip(at);
      if (sawLogs) throw UNREADABLE;
      sawLogs = true;
      return this.array(at, (from) => this.resourceLogs(from));
    });
    i = skipWhitespace(line, i);
    if (!sawLogs || i !== line.length) throw UNREADABLE;
  }

  private resourceLogs(i: number): number {
    const resource = this.resources.length;
    this.resources.push(-1, -1);
    let sawScopes = false;
    return this.members(i, (key, at) => {
      if (key === 'resource') {
        const end = this.skip(at);
        this.resources[resource] = at;
        this.resources[resource + 1] = end;
        return end;
      }
      if (key !== 'scopeLogs') return this.skip(at);
      if (sawScopes) throw UNREADABLE;
      sawScopes = true;
      return this.array(at, (from) => this.scopeLogs(from, resource));
    });
  }

  private scopeLogs(i: number, resource: number): number {
    const scope = this.scopes.length;
    this.scopes.push(-1, -1);
    let sawRecords = false;
    return this.members(i, (key, at) => {
      if (key === 'scope') {
        const end = this.skip(at);
        this.scopes[scope] = at;
        this.scopes[scope + 1] = end;
        return end;
      }
      if (key !== 'logRecords') return this.skip(at);
      if (sawRecords) throw UNREADABLE;
      sawRecords = true;
      return this.array(at, (from) => this.record(from, scope, resource));
    });
  }

  // One log record: its raw fields read from their text, every other value
  // skipped. Written out (no callback, keys told by length and text without
  // slicing them): this loop runs for every member of every record.
  private record(start: number, scope: number, resource: number): number {
    const line = this.line;
    this.total++;
    // Start and end of each raw field's value; a repeated key: the last wins, as in JSON.parse.
    let time = -1;
    let timeEnd = -1;
    let observed = -1;
    let observedEnd = -1;
    let number = -1;
    let numberEnd = -1;
    let text = -1;
    let textEnd = -1;
    let trace = -1;
    let traceEnd = -1;
    let attributes = -1;
    if (line.charCodeAt(start) !== 123 /* { */) throw UNREADABLE;
    let i = skipWhitespace(line, start + 1);
    let end: number;
    if (line.charCodeAt(i) === 125 /* } */) {
      end = i + 1;
    } else {
      for (;;) {
        if (line.charCodeAt(i) !== 34 /* " */) throw UNREADABLE;
        const keyEnd = skipPlainKey(line, i);
        if (keyEnd === -1) throw UNREADABLE;
        let at = skipWhitespace(line, keyEnd);
        if (line.charCodeAt(at) !== 58 /* : */) throw UNREADABLE;
        at = skipWhitespace(line, at + 1);
        const valueEnd = skipValue(line, at);
        if (valueEnd === -1) throw UNREADABLE;
        switch (keyEnd - i - 2) {
          case 12:
            if (line.startsWith('timeUnixNano', i + 1)) {
              time = at;
              timeEnd = valueEnd;
            } else if (line.startsWith('severityText', i + 1)) {
              text = at;
              textEnd = valueEnd;
            }
            break;
          case 14:
            if (line.startsWith('severityNumber', i + 1)) {
              number = at;
              numberEnd = valueEnd;
            }
            break;
          case 20:
            if (line.startsWith('observedTimeUnixNano', i + 1)) {
              observed = at;
              observedEnd = valueEnd;
            }
            break;
          case 7:
            if (line.startsWith('traceId', i + 1)) {
              trace = at;
              traceEnd = valueEnd;
            }
            break;
          case 10:
            if (line.startsWith('attributes', i + 1)) attributes = at;
            break;
        }
        i = skipWhitespace(line, valueEnd);
        const c = line.charCodeAt(i);
        if (c === 125 /* } */) {
          end = i + 1;
          break;
        }
        if (c !== 44 /* , */) throw UNREADABLE;
        i = skipWhitespace(line, i + 1);
      }
    }
    // The same derivations as decodeLine; the severity first, as it rules
    // out most records before their time and trace id are read.
    let severity = severityFromEnum(this.scalar(number, numberEnd));
    if (severity === 0 && text !== -1) {
      const rawText = this.scalar(text, textEnd);
      if (typeof rawText === 'string' && rawText !== '') severity = severityFromName(rawText) ?? 0;
    }
    if (severity < this.minSeverity) return end;
    let timeNs = normalizeNanos(this.scalar(time, timeEnd));
    if (timeNs === '0') timeNs = normalizeNanos(this.scalar(observed, observedEnd));
    const traceId = hexId(this.scalar(trace, traceEnd));
    if (this.predicate.matchesRaw(timeNs, severity, traceId)) {
      this.candidates.push({ start, end, attributes, timeNs, severity, scope, resource });
    }
    return end;
  }

  // The value between `start` and `end` as JSON.parse gives it; a plain string without the parse.
  // -1: the field is absent (undefined).
  private scalar(start: number, end: number): unknown {
    if (start === -1) return undefined;
    const line = this.line;
    if (line.charCodeAt(start) === 34 /* " */) {
      let plain = true;
      for (let j = start + 1; j < end - 1; j++) {
        if (line.charCodeAt(j) === 92 /* \ */) {
          plain = false;
          break;
        }
      }
      if (plain) return line.slice(start + 1, end - 1);
    }
    return JSON.parse(line.slice(start, end));
  }

  private skip(i: number): number {
    const end = skipValue(this.line, i);
    if (end === -1) throw UNREADABLE;
    return end;
  }

  // An object's members: `onMember(key, valueStart)` returns the index past the value.
  private members(i: number, onMember: (key: string, at: number) => number): number {
    const line = this.line;
    if (line.charCodeAt(i) !== 123 /* { */) throw UNREADABLE;
    i = skipWhitespace(line, i + 1);
    if (line.charCodeAt(i) === 125 /* } */) return i + 1;
    for (;;) {
      if (line.charCodeAt(i) !== 34 /* " */) throw UNREADABLE;
      const keyEnd = skipPlainKey(line, i);
      if (keyEnd === -1) throw UNREADABLE;
      const key = line.slice(i + 1, keyEnd - 1);
      i = skipWhitespace(line, keyEnd);
      if (line.charCodeAt(i) !== 58 /* : */) throw UNREADABLE;
      i = skipWhitespace(line, onMember(key, skipWhitespace(line, i + 1)));
      const c = line.charCodeAt(i);
      if (c === 125 /* } */) return i + 1;
      if (c !== 44 /* , */) throw UNREADABLE;
      i = skipWhitespace(line, i + 1);
    }
  }

  // An array of objects: `onElement(start)` returns the index past the element.
  private array(i: number, onElement: (at: number) => number): number {
    const line = this.line;
    if (line.charCodeAt(i) !== 91 /* [ */) throw UNREADABLE;
    i = skipWhitespace(line, i + 1);
    if (line.charCodeAt(i) === 93 /* ] */) return i + 1;
    for (;;) {
      i = skipWhitespace(line, onElement(i));
      const c = line.charCodeAt(i);
      if (c === 93 /* ] */) return i + 1;
      if (c !== 44 /* , */) throw UNREADABLE;
      i = skipWhitespace(line, i + 1);
    }
  }
}

/**
 * Appends to `out` the records of one line (an ExportLogsServiceRequest) that
 * pass `predicate`, in the line's order, as {@link decodeLine} does, parsing
 * only the records whose time, severity and trace id pass
 * {@link RecordPredicate.matchesRaw} and whose text passes
 * {@link RecordPredicate.recordMayMatch}. Returns the number of records in the
 * line; throws (a SyntaxError or a MalformedLineError) when the line is not a
 * logs request.
 */
export function selectRecords(
  line: string,
  file: string,
  predicate: RecordPredicate,
  out: LogRecordView[],
): number {
  const scan = new LineScan(line, predicate);
  const start = out.length;
  try {
    scan.request();
    const resources: Array<ResourceView | undefined> = [];
    const scopes: Array<string | undefined> = [];
    for (const candidate of scan.candidates) {
      const resource = (resources[candidate.resource] ??= decodeResource(
        parseRange(line, scan.resources, candidate.resource),
      ));
      if (
        predicate.recordMayMatch &&
        !predicate.recordMayMatch(
          line,
          candidate.start,
          candidate.end,
          candidate.attributes,
          resource,
        )
      ) {
        continue;
      }
      const raw = JSON.parse(line.slice(candidate.start, candidate.end)) as RawLogRecord;
      const scope = (scopes[candidate.scope] ??= scopeName(
        parseRange(line, scan.scopes, candidate.scope),
      ));
      // The fields again from the parsed record: strings of its own, not
      // slices that would keep the whole line alive while the record waits.
      const record = recordView(
        raw,
        candidate.timeNs === '0' ? '0' : flat(candidate.timeNs),
        candidate.severity,
        typeof raw.severityText === 'string' ? raw.severityText : '',
        hexId(raw.traceId),
        scope,
        resource,
        file,
      );
      if (predicate.matches(record)) out.push(record);
    }
    return scan.total;
  } catch (error) {
    if (error !== UNREADABLE && !(error instanceof SyntaxError)) throw error;
    // Not the plain shape, or text that does not parse: the whole-line decode decides.
    out.length = start;
    return decodeLine(line, file, predicate, out);
  }
}

// A copy of a short string that may be a slice of the line.
function flat(text: string): string {
  return (' ' + text).slice(1);
}

function parseRange(line: string, ranges: number[], index: number): unknown {
  const start = ranges[index]!;
  return start === -1 ? undefined : JSON.parse(line.slice(start, ranges[index + 1]));
}
