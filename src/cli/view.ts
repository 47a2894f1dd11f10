import { LastN } from './LastN.js';
import { EXIT_NO_MATCH, EXIT_OK, UsageError } from './errors.js';
import type { FilterFlags } from './filters.js';
import { RecordFilter, buildFilterSpec } from './filters.js';
import { runFollow } from './follow.js';
import { LineFormatter, formatCount, formatJson, useColors } from './format.js';
import { runList } from './list.js';
import type { LogRecordView } from './otlp.js';
import { Output, warn } from './output.js';
import { Progress } from './progress.js';
import { ScanContext } from './ScanContext.js';
import { scanInTimeOrder } from './readFileRecords.js';
import { resolveInputs, totalBytes } from './resolveInputs.js';
import { decodeLine } from './otlp.js';
import { isSpoolDir, readSpool } from './spool.js';

/** The flags of `otel-logkit view`. */
export interface ViewOptions extends FilterFlags {
  json?: boolean;
  tail?: number;
  follow?: boolean;
  list?: boolean;
  color?: boolean;
}

/** Formats a record as the output mode asks. */
export type RecordWriter = (record: LogRecordView) => string;

/** The record formatter for the options: NDJSON or coloured lines. */
export function recordWriter(options: ViewOptions): RecordWriter {
  if (options.json) return formatJson;
  const formatter = new LineFormatter(useColors(options.color, process.stdout));
  return (record) => formatter.format(record);
}

/**
 * `otel-logkit view [paths...]`: the matching records of the files, in time
 * order across files, as lines or NDJSON; `--tail N` the last N; `--list` the
 * files instead; `--follow` keeps going. Resolves to the exit code: 0 when
 * something matched, 1 when nothing did.
 */
export async function runView(paths: string[], options: ViewOptions): Promise<number> {
  if (options.list && (options.follow || options.tail !== undefined)) {
    throw new UsageError('--list cannot be combined with --tail or --follow');
  }
  const filter = new RecordFilter(buildFilterSpec(options));
  if (paths.length === 1 && !options.follow && !options.list && (await isSpoolDir(paths[0]!))) {
    return runSpoolView(paths[0]!, filter, options);
  }
  const inputs = await resolveInputs(paths);
  if (options.list) return runList(inputs, filter, options);
  if (options.follow) return runFollow(inputs, filter, options, recordWriter(options));

  const files = inputs.chains.reduce((count, chain) => count + chain.length, 0);
  if (files === 0) {
    warn(`no log files in ${inputs.directories.join(', ')}`);
    return EXIT_NO_MATCH;
  }
  const context = new ScanContext(filter);
  const write = recordWriter(options);
  const out = new Output();
  const tail = options.tail;
  // Progress only where it cannot interleave with records on the same terminal.
  const progress = new Progress(
    totalBytes(inputs.chains),
    () => ({ bytes: context.bytesRead, matched: context.matched }),
    process.stderr.isTTY === true && (process.stdout.isTTY !== true || tail !== undefined),
  ).start();
  let ring: LastN<LogRecordView> | undefined;
  try {
    if (tail !== undefined) {
      ring = new LastN(tail);
      if (tail > 0) {
        for await (const batch of scanInTimeOrder(inputs.chains, context)) {
          for (const record of batch) ring.push(record);
        }
      }
    } else {
      for await (const batch of scanInTimeOrder(inputs.chains, context)) {
        let text = '';
        for (const record of batch) text += write(record);
        const wait = out.write(text);
        if (wait) await wait;
      }
    }
  } finally {
    progress.stop();
  }
  if (ring) {
    for (const record of ring) {
      const wait = out.write(write(record));
      if (wait) await wait;
    }
  }
  await out.flush();
  const report = context.malformedReport();
  if (report) warn(report);
  if (context.matched === 0) {
    warn(`no matching records in ${formatCount(files)} file${files === 1 ? '' : 's'}`);
    return EXIT_NO_MATCH;
  }
  return EXIT_OK;
}

/**
 * `otel-logkit view <spool dir>`: a summary of what waits in a delivery
 * spool (on stderr), then its records as `view` prints them (`--tail` and the
 * filters apply). Reads only; the spool is not changed.
 */
async function runSpoolView(
  dir: string,
  filter: RecordFilter,
  options: ViewOptions,
): Promise<number> {
  const spool = await readSpool(dir);
  const age =
    spool.oldestMs === undefined
      ? ''
      : `, oldest ${Math.round((Date.now() - spool.oldestMs) / 1000)} s ago`;
  warn(
    `spool ${dir}: ${formatCount(spool.records)} record(s) waiting in ${formatCount(spool.frames)} batch(es), ` +
      `${spool.segments} segment(s), ${formatCount(spool.bytes)} bytes${age}` +
      (spool.damagedBytes > 0 ? `, ${formatCount(spool.damagedBytes)} damaged bytes skipped` : '') +
      (spool.locks.length > 0 ? `; lock files: ${spool.locks.join(', ')}` : ''),
  );
  const records: LogRecordView[] = [];
  for (const line of spool.lines) decodeLine(line, dir, filter, records);
  const shown =
    options.tail === undefined ? records : records.slice(-options.tail || records.length);
  const write = recordWriter(options);
  const out = new Output();
  for (const record of options.tail === 0 ? [] : shown) {
    const wait = out.write(write(record));
    if (wait) await wait;
  }
  await out.flush();
  return records.length > 0 ? EXIT_OK : EXIT_NO_MATCH;
}
