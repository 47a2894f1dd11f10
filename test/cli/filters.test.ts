import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordFilter, buildFilterSpec } from '../../src/cli/filters.js';
import type { LogRecordView } from '../../src/cli/otlp.js';
import { decodeLine } from '../../src/cli/otlp.js';
import { BASE, HOUR, asciiStyle, flags, fullDecode, request, writeLine } from './arbitraries.js';

// The fast path may only skip lines the full decode would match nothing in.

describe('the fast path of the filters', () => {
  it('never skips a line holding a matching record', () => {
    let matched = 0;
    fc.assert(
      fc.property(
        request,
        flags,
        fc.constantFrom('plain', 'go', 'slash', 'spaced', 'ascii'),
        (req, flagValues, style) => {
          let spec;
          try {
            spec = buildFilterSpec(flagValues, Date.now());
          } catch {
            return; // since ≥ until and the like: a usage error, nothing to scan
          }
          const filter = new RecordFilter(spec);
          const line = writeLine(req, style);
          const out: LogRecordView[] = [];
          decodeLine(line, 'test', fullDecode(filter), out);
          if (out.length > 0) {
            matched++;
            expect(filter.lineMayMatch(line)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
    // The property is not vacuous: many generated lines do hold matches.
    expect(matched).toBeGreaterThan(300);
  });

  it('skips lines that cannot match', () => {
    const filter = new RecordFilter(buildFilterSpec({ level: 'warn', since: String(BASE + HOUR) }));
    const line = (sev: number, t: bigint): string =>
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: String(t),
                    severityNumber: sev,
                    body: { stringValue: '"severityNumber":24' },
                  },
                ],
              },
            ],
          },
        ],
      });
    expect(filter.lineMayMatch(line(9, BASE + 2n * HOUR))).toBe(false);
    expect(filter.lineMayMatch(line(17, BASE))).toBe(false);
    expect(filter.lineMayMatch(line(17, BASE + 2n * HOUR))).toBe(true);
  });
});

describe('the fast path of --keyword --ignore-case', () => {
  const line = (message: string): string =>
    JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: message } }] }] }],
    });
  const filter = new RecordFilter(buildFilterSpec({ keyword: 'KELVIN', ignoreCase: true }));

  it('skips lines without the keyword in any case', () => {
    expect(filter.lineMayMatch(line('kelvin'))).toBe(true);
    expect(filter.lineMayMatch(line('KeLvIn'))).toBe(true);
    expect(filter.lineMayMatch(line('celsius'))).toBe(false);
  });

  it('keeps a line whose characters that lowercase to ASCII are escaped', () => {
    // U+212A KELVIN SIGN lowercases to `k`: in the decoded message, "\u212aelvin" holds "kelvin".
    const kelvin = line('\u212aelvin');
    const escaped = asciiStyle(kelvin);
    expect(escaped).toContain('\\u212a');
    for (const text of [kelvin, escaped]) {
      const out: LogRecordView[] = [];
      decodeLine(text, 'test', filter, out);
      expect(out).toHaveLength(1);
      expect(filter.lineMayMatch(text)).toBe(true);
    }
  });

  it('does not look for a keyword that matches text the line spells differently', () => {
    // `null` is how an empty AnyValue in an array renders, written `{}` in the line.
    const nullFilter = new RecordFilter(buildFilterSpec({ keyword: 'NULL', ignoreCase: true }));
    expect(nullFilter.hasRecordCriteria).toBe(false);
    const text = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [{ logRecords: [{ body: { arrayValue: { values: [{}] } } }] }],
        },
      ],
    });
    const out: LogRecordView[] = [];
    decodeLine(text, 'test', nullFilter, out);
    expect(out).toHaveLength(1);
    expect(nullFilter.lineMayMatch(text)).toBe(true);
  });
});
