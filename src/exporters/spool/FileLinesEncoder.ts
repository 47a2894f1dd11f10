import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { groupByFile } from '../categoryFiles.js';
import { encodeLogsJson } from '../otlp/encodeLogsJson.js';
import { FileLinesQueue } from './FileLinesQueue.js';
import type { LogsEncoder } from './LogsEncoder.js';

export { splitFileLineBytes, splitFileLines } from './spoolFormat.js';

const NEWLINE = Buffer.from('\n');

/**
 * The encoder of the `file` destination: records grouped by their category
 * file (`app.jsonl`, `security.jsonl`, …), each group one OTLP/JSON
 * `ExportLogsServiceRequest` line as the file exporter writes it, prefixed
 * with the file name and a tab: `app.jsonl\t{"resourceLogs":…}\n`. The
 * {@link FileLinesSender} appends each line to its file.
 */
export const fileLinesEncoder: LogsEncoder = {
  encoding: 'lines',
  contentType: 'application/x-ndjson',
  encode(records: ReadableLogRecord[]): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const [file, group] of groupByFile(records)) {
      parts.push(Buffer.from(`${file}\t`, 'utf8'), encodeLogsJson(group), NEWLINE);
    }
    return Buffer.concat(parts);
  },
  // Records are encoded as they arrive, per file (the same bytes as encode()).
  createQueue: (onError) => new FileLinesQueue(onError),
};
