import { EXIT_NO_MATCH, EXIT_OK } from './errors.js';
import type { RecordFilter } from './filters.js';
import { colors, escapeControl, formatBytes, formatCount, useColors } from './format.js';
import { nanosToIso } from './otlp.js';
import { Output, warn } from './output.js';
import { Progress } from './progress.js';
import type { FileStats } from './ScanContext.js';
import { ScanContext } from './ScanContext.js';
import { readFileRecords } from './readFileRecords.js';
import type { ResolvedInputs } from './resolveInputs.js';
import { totalBytes } from './resolveInputs.js';

/**
 * `view --list`: each log file (backups oldest first, then the current file)
 * with its size, the number of records passing the filters (all of them when
 * none is given), their time range and its malformed lines. With `--json`, one
 * object per file and line. Resolves to 0, or 1 when no file was found.
 */
export async function runList(
  inputs: ResolvedInputs,
  filter: RecordFilter,
  options: { json?: boolean; color?: boolean },
): Promise<number> {
  const files = inputs.chains.flat();
  if (files.length === 0) {
    warn(`no log files in ${inputs.directories.join(', ')}`);
    return EXIT_NO_MATCH;
  }
  const context = new ScanContext(filter);
  const progress = new Progress(totalBytes(inputs.chains), () => ({
    bytes: context.bytesRead,
    matched: context.matched,
  })).start();
  try {
    for (const file of files) {
      // The records themselves are not needed, only the file's statistics.
      for await (const batch of readFileRecords(file, context)) batch.length = 0;
    }
  } finally {
    progress.stop();
  }
  const out = new Output();
  if (options.json) {
    for (const stats of context.files) {
      await out.write(
        `${JSON.stringify({
          file: stats.file.path,
          size_bytes: stats.file.size,
          gzip: stats.file.gzip,
          records: stats.matched,
          first: nanosToIso(stats.firstNs) || null,
          last: nanosToIso(stats.lastNs) || null,
          malformed_lines: stats.malformed,
        })}\n`,
      );
    }
  } else {
    await out.write(table(context.files, useColors(options.color, process.stdout)));
  }
  await out.flush();
  return EXIT_OK;
}

function table(files: FileStats[], colorsEnabled: boolean): string {
  const c = colors(colorsEnabled);
  const withMalformed = files.some((file) => file.malformed > 0);
  const header = [
    'FILE',
    'SIZE',
    'RECORDS',
    'FIRST',
    'LAST',
    ...(withMalformed ? ['MALFORMED'] : []),
  ];
  const rows = files.map((stats) => [
    escapeControl(stats.file.path),
    formatBytes(stats.file.size),
    formatCount(stats.matched),
    nanosToIso(stats.firstNs) || '-',
    nanosToIso(stats.lastNs) || '-',
    ...(withMalformed ? [formatCount(stats.malformed)] : []),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  // Numbers right-aligned, text left-aligned.
  const numeric = new Set([1, 2, 5]);
  const render = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  let text = `${c.bold(render(header))}\n`;
  for (const row of rows) text += `${render(row)}\n`;
  const total = files.reduce((sum, file) => sum + file.matched, 0);
  const bytes = files.reduce((sum, file) => sum + file.file.size, 0);
  text += `${c.dim(`${formatCount(files.length)} files, ${formatBytes(bytes)}, ${formatCount(total)} records`)}\n`;
  return text;
}
