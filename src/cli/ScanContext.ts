/**
 * The shared state of one scan: each line decoded through the filter, and the
 * statistics kept per file (lines, records, time range, malformed lines).
 */
import type { RecordFilter } from './filters.js';
import type { LogRecordView } from './otlp.js';
import { compareNanos, decodeLine } from './otlp.js';
import { selectRecords } from './selectRecords.js';
import type { InputFile } from './resolveInputs.js';

/** Counts and time range of one file's records, and its malformed lines. */
export interface FileStats {
  readonly file: InputFile;
  /** Lines read (empty lines included). */
  lines: number;
  /** Records decoded, matching or not. */
  records: number;
  /** Records that passed the filters. */
  matched: number;
  firstNs: string;
  lastNs: string;
  malformed: number;
  /** 1-based numbers of the first malformed lines. */
  malformedLines: number[];
}

/** Shared state of one scan: the filter, the per-file statistics, the progress meter. */
export class ScanContext {
  readonly filter: RecordFilter;
  readonly files: FileStats[] = [];
  /** Bytes read from disk so far, over every file. */
  bytesRead = 0;
  /** Records that passed the filters so far. */
  matched = 0;
  private readonly usePrecheck: boolean;
  // With a time, level, trace id or keyword filter, only the records that can
  // pass it are parsed (see selectRecords); else lines are parsed whole.
  private readonly selective: boolean;

  constructor(filter: RecordFilter) {
    this.filter = filter;
    this.usePrecheck = !filter.isEmpty;
    this.selective = filter.hasRawCriteria || filter.hasRecordCriteria;
  }

  private readonly byPath = new Map<string, FileStats>();

  /** The statistics of a file, started on first use (one entry per path). */
  statsFor(file: InputFile): FileStats {
    const existing = this.byPath.get(file.path);
    if (existing) return existing;
    const stats: FileStats = {
      file,
      lines: 0,
      records: 0,
      matched: 0,
      firstNs: '0',
      lastNs: '0',
      malformed: 0,
      malformedLines: [],
    };
    this.files.push(stats);
    this.byPath.set(file.path, stats);
    return stats;
  }

  /**
   * Decodes one line into `out` (matching records only, sorted by time: one
   * export batch holds records grouped by scope, not by time). Malformed lines
   * are counted, never thrown.
   */
  handleLine(line: string, oversize: boolean, stats: FileStats, out: LogRecordView[]): void {
    stats.lines++;
    if (oversize) {
      this.countMalformed(stats);
      return;
    }
    if (line.length === 0 || isBlank(line)) return;
    // The pre-check skips lines that cannot match; a malformed one among them
    // goes uncounted unless it is not JSON-looking at all.
    if (this.usePrecheck && !this.filter.lineMayMatch(line)) {
      if (line.charCodeAt(0) !== 123 /* { */ || line.charCodeAt(line.length - 1) !== 125) {
        this.countMalformed(stats);
      }
      return;
    }
    const start = out.length;
    try {
      stats.records += this.selective
        ? selectRecords(line, stats.file.path, this.filter, out)
        : decodeLine(line, stats.file.path, this.filter, out);
    } catch {
      out.length = start;
      this.countMalformed(stats);
      return;
    }
    const added = out.length - start;
    if (added === 0) return;
    if (added > 1) sortTail(out, start);
    stats.matched += added;
    this.matched += added;
    const first = out[start]!.timeNs;
    const last = out[out.length - 1]!.timeNs;
    if (first !== '0' && (stats.firstNs === '0' || compareNanos(first, stats.firstNs) < 0)) {
      stats.firstNs = first;
    }
    if (compareNanos(last, stats.lastNs) > 0) stats.lastNs = last;
  }

  /** Takes over the file statistics and counts of another scan (a completed side read). */
  adopt(other: ScanContext): void {
    for (const stats of other.files) {
      const mine = this.statsFor(stats.file);
      mine.lines += stats.lines;
      mine.records += stats.records;
      mine.matched += stats.matched;
      mine.malformed += stats.malformed;
      for (const line of stats.malformedLines) {
        if (mine.malformedLines.length < 5) mine.malformedLines.push(line);
      }
    }
    this.matched += other.matched;
    this.bytesRead += other.bytesRead;
  }

  private countMalformed(stats: FileStats): void {
    stats.malformed++;
    if (stats.malformedLines.length < 5) stats.malformedLines.push(stats.lines);
  }

  /** Total malformed lines. */
  get malformed(): number {
    let total = 0;
    for (const file of this.files) total += file.malformed;
    return total;
  }

  /** A one-paragraph report of the malformed lines, or `undefined` when there were none. */
  malformedReport(): string | undefined {
    const total = this.malformed;
    if (total === 0) return undefined;
    const parts = this.files
      .filter((file) => file.malformed > 0)
      .map((file) => {
        const shown = file.malformedLines.join(', ');
        const more = file.malformed > file.malformedLines.length ? ', …' : '';
        return `${file.file.path}: ${file.malformed} (line${file.malformed === 1 ? '' : 's'} ${shown}${more})`;
      });
    return `skipped ${total} malformed line${total === 1 ? '' : 's'}: ${parts.join('; ')}`;
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

// Stable insertion sort of out[start..] by time; batches are small and mostly sorted.
function sortTail(out: LogRecordView[], start: number): void {
  for (let i = start + 1; i < out.length; i++) {
    const record = out[i]!;
    let j = i - 1;
    if (compareNanos(out[j]!.timeNs, record.timeNs) <= 0) continue;
    while (j >= start && compareNanos(out[j]!.timeNs, record.timeNs) > 0) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = record;
  }
}
