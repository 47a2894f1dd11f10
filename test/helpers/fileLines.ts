// Shared by the `file` destination's encoding tests: records given category
// files, and the `lines` payload expected for them, built independently of
// the queue (src/exporters/spool/FileLinesQueue.ts): one
// `<file>\t<encodeLogsJson of the file's records>\n` per category file, files
// in first-seen order.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_LOGKIT_CATEGORY } from '../../src/attributes.js';
import { fileNameForCategory } from '../../src/exporters/categoryFiles.js';
import { encodeLogsJsonString } from '../../src/exporters/otlp/encodeLogsJson.js';

/** Categories the tests give records: none, three with files of their own, one without. */
export const CATEGORIES = [undefined, 'llm', 'security', 'tool', 'custom'];

/** `batch` with each record given one of {@link CATEGORIES} by `picks`. */
export function categorised(batch: ReadableLogRecord[], picks: number[]): ReadableLogRecord[] {
  return batch.map((record, i) => {
    const category = CATEGORIES[picks[i % picks.length]! % CATEGORIES.length];
    const attributes = { ...record.attributes };
    if (category === undefined) delete attributes[ATTR_LOGKIT_CATEGORY];
    else attributes[ATTR_LOGKIT_CATEGORY] = category;
    return { ...record, attributes };
  });
}

/** The records of each category file, files in first-seen order. */
export function byFile(records: readonly ReadableLogRecord[]): Map<string, ReadableLogRecord[]> {
  const files = new Map<string, ReadableLogRecord[]>();
  for (const record of records) {
    const file = fileNameForCategory(record.attributes[ATTR_LOGKIT_CATEGORY]);
    files.set(file, [...(files.get(file) ?? []), record]);
  }
  return files;
}

/** The `lines` payload of `records`. */
export function expectedFileLines(records: readonly ReadableLogRecord[]): Buffer {
  let text = '';
  for (const [file, group] of byFile(records)) text += `${file}\t${encodeLogsJsonString(group)}\n`;
  return Buffer.from(text, 'utf8');
}
