import { describe, expect, it } from 'vitest';
import { ScanContext } from '../../src/cli/ScanContext.js';
import { RecordFilter, buildFilterSpec } from '../../src/cli/filters.js';
import type { LogRecordView } from '../../src/cli/otlp.js';
import type { InputFile } from '../../src/cli/resolveInputs.js';

const file: InputFile = { path: 'app.jsonl', size: 0, gzip: false, inDirectory: false };
const line = (...records: Array<[number, number]>): string =>
  JSON.stringify({
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: records.map(([time, severityNumber]) => ({
              timeUnixNano: String(time),
              severityNumber,
            })),
          },
        ],
      },
    ],
  });

describe('ScanContext', () => {
  describe('handleLine', () => {
    it('keeps the matching records of a line in time order and counts them', () => {
      const context = new ScanContext(new RecordFilter(buildFilterSpec({ level: 'warn' })));
      const stats = context.statsFor(file);
      const out: LogRecordView[] = [];
      context.handleLine(line([30, 13], [10, 17], [20, 9]), false, stats, out);
      expect(out.map((r) => r.timeNs)).toEqual(['10', '30']);
      expect(stats).toMatchObject({
        lines: 1,
        records: 3,
        matched: 2,
        firstNs: '10',
        lastNs: '30',
      });
      expect(context.matched).toBe(2);
    });

    it('counts malformed and oversize lines with their numbers, never throws', () => {
      const context = new ScanContext(new RecordFilter(buildFilterSpec({})));
      const stats = context.statsFor(file);
      const out: LogRecordView[] = [];
      context.handleLine('not json', false, stats, out);
      context.handleLine('', false, stats, out);
      context.handleLine('', true, stats, out);
      context.handleLine(line([1, 9]), false, stats, out);
      expect(out).toHaveLength(1);
      expect(stats).toMatchObject({ lines: 4, malformed: 2, malformedLines: [1, 3] });
      expect(context.malformedReport()).toBe(
        'skipped 2 malformed lines: app.jsonl: 2 (lines 1, 3)',
      );
    });
  });

  describe('adopt', () => {
    it('adds the counts of another scan to the same files', () => {
      const filter = new RecordFilter(buildFilterSpec({}));
      const main = new ScanContext(filter);
      const side = new ScanContext(filter);
      main.handleLine(line([1, 9]), false, main.statsFor(file), []);
      side.handleLine('garbage', false, side.statsFor(file), []);
      side.bytesRead = 7;
      main.adopt(side);
      expect(main.files).toHaveLength(1);
      expect(main.files[0]).toMatchObject({ lines: 2, records: 1, malformed: 1 });
      expect(main.bytesRead).toBe(7);
    });
  });
});
