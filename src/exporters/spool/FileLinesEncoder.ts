import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { groupByFile } from '../categoryFiles.js';
import type { LogsEncoder } from './LogsEncoder.js';

export { splitFileLines } from './spoolFormat.js';

const decoder = new TextDecoder();

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
    let text = '';
    for (const [file, group] of groupByFile(records)) {
      const bytes = JsonLogsSerializer.serializeRequest(group);
      if (!bytes)
        throw new Error(`otel-logkit: could not encode ${group.length} log record(s) as OTLP JSON`);
      text += `${file}\t${decoder.decode(bytes)}\n`;
    }
    return Buffer.from(text, 'utf8');
  },
};
