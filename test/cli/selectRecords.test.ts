import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordFilter, buildFilterSpec } from '../../src/cli/filters.js';
import type { LogRecordView, RecordPredicate } from '../../src/cli/otlp.js';
import { decodeLine } from '../../src/cli/otlp.js';
import { selectRecords } from '../../src/cli/selectRecords.js';
import { BASE, HOUR, flags, fullDecode, request, writeLine } from './arbitraries.js';

// What a decode gives: the records, the record count, or the error's class.
function outcome(
  decode: typeof decodeLine,
  line: string,
  filter: RecordPredicate,
): { records: LogRecordView[]; total?: number; error?: string } {
  const records: LogRecordView[] = [];
  try {
    return { records, total: decode(line, 'test.jsonl', filter, records) };
  } catch (error) {
    return { records, error: (error as Error).constructor.name };
  }
}

describe('selectRecords', () => {
  it('gives exactly what a full decode gives, for any line and filter', () => {
    let matched = 0;
    fc.assert(
      fc.property(
        request,
        flags,
        fc.constantFrom('plain', 'go', 'slash', 'spaced', 'tabs', 'reversed', 'ascii', 'escaped'),
        (req, flagValues, style) => {
          let spec;
          try {
            spec = buildFilterSpec(flagValues, Date.now());
          } catch {
            return; // since ≥ until and the like: a usage error, nothing to scan
          }
          const filter = new RecordFilter(spec);
          const line = writeLine(req, style);
          // The reference: every record decoded whole, then judged.
          const expected = outcome(decodeLine, line, fullDecode(filter));
          expect(outcome(selectRecords, line, filter)).toEqual(expected);
          // decodeLine with the filter's shortcut (rawMayMatch) too.
          expect(outcome(decodeLine, line, filter)).toEqual(expected);
          if (expected.records.length > 0) matched++;
        },
      ),
      { numRuns: 3000 },
    );
    // The property is not vacuous: many generated lines do hold matches.
    expect(matched).toBeGreaterThan(300);
  });

  const filter = new RecordFilter(buildFilterSpec({ level: 'warn' }));
  const record = (severity: number, extra = ''): string =>
    `{"timeUnixNano":"${BASE + HOUR}","severityNumber":${severity},"body":{"stringValue":"m"}${extra}}`;
  const line = (records: string, scopeLogs?: string): string =>
    `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},` +
    `"scopeLogs":${scopeLogs ?? `[{"scope":{"name":"s"},"logRecords":[${records}]}]`}}]}`;

  it('parses only the records that pass the raw check', () => {
    // The INFO record's body is not JSON: it is skipped, never parsed.
    const text = line(
      `${record(9, ',"attributes":[{"key":"k","value":{"intValue":tru}}]')},${record(17)}`,
    );
    const out: LogRecordView[] = [];
    expect(selectRecords(text, 'f', filter, out)).toBe(2);
    expect(out.map((r) => [r.severity, r.scope, r.resource.service])).toEqual([[17, 's', 'api']]);
    expect(() => decodeLine(text, 'f', filter, [])).toThrow(SyntaxError);
  });

  it.each([
    ['a truncated write', line(record(17)).slice(0, -3)],
    ['trailing text', `${line(record(17))}x`],
    ['a matching record that is not JSON', line(record(17, ',"body":{"stringValue":x}'))],
    ['resourceLogs not an array', '{"resourceLogs":42}'],
    ['logRecords not an array', line('', '[{"logRecords":7}]')],
    ['a record that is not an object', line('3')],
    ['not an object', '[1,2]'],
  ])('throws as decodeLine does for %s', (_name, text) => {
    const expected = outcome(decodeLine, text, filter);
    expect(expected.error).toBeDefined();
    expect(outcome(selectRecords, text, filter)).toEqual(expected);
  });

  it.each([
    ['another signal', '{"resourceSpans":[]}'],
    ['an empty request', '{}'],
    ['scopeLogs null', line('', 'null')],
    [
      'a key written with an escape',
      line(record(17).replace('severityNumber', 'severity\\u004eumber')),
    ],
    [
      'a repeated logRecords',
      line('', `[{"logRecords":[${record(17)}],"logRecords":[${record(21)}]}]`),
    ],
    [
      'the resource after scopeLogs',
      `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${record(17)}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}`,
    ],
  ])('decodes %s as decodeLine does', (_name, text) => {
    const expected = outcome(decodeLine, text, filter);
    expect(expected.error).toBeUndefined();
    expect(outcome(selectRecords, text, filter)).toEqual(expected);
  });
});
