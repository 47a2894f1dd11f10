import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { FileLinesQueue } from './FileLinesQueue.js';
import type { LogsEncoder } from './LogsEncoder.js';

export { splitFileLineBytes, splitFileLines } from './spoolFormat.js';

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
  /** Throws when a record cannot be encoded. */
  encode(records: ReadableLogRecord[]): Uint8Array {
    // The queue's own framing, all at once.
    const queue = new FileLinesQueue((error) => {
      throw error;
    });
    for (const record of records) queue.push(record);
    return queue.take(records.length);
  },
  // Records are encoded as they arrive, per file.
  createQueue: (onError) => new FileLinesQueue(onError),
};
