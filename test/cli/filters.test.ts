import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordFilter, buildFilterSpec } from '../../src/cli/filters.js';
import type { LogRecordView } from '../../src/cli/otlp.js';
import { decodeLine } from '../../src/cli/otlp.js';
import { BASE, HOUR, flags, goStyle, request } from './arbitraries.js';

// The fast path may only skip lines the full decode would match nothing in.

describe('the fast path of the filters', () => {
  it('never skips a line holding a matching record', () => {
    let matched = 0;
    fc.assert(
      fc.property(
        request,
        flags,
        fc.constantFrom('plain', 'go', 'slash', 'spaced'),
        (req, flagValues, style) => {
          let spec;
          try {
            spec = buildFilterSpec(flagValues, Date.now());
          } catch {
            return; // since ≥ until and the like: a usage error, nothing to scan
          }
          const filter = new RecordFilter(spec);
          let line = JSON.stringify(req);
          if (style === 'go') line = goStyle(line);
          if (style === 'slash') line = line.replace(/\//g, '\\/');
          if (style === 'spaced') line = JSON.stringify(req, null, 1).replace(/\n/g, ' ');
          const out: LogRecordView[] = [];
          decodeLine(line, 'test', filter, out);
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
