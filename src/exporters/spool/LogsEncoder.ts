import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { FrameEncoding } from './spoolFormat.js';

/**
 * Log records to the bytes of one OTLP `ExportLogsServiceRequest`: what is
 * sent, and what the spool keeps. One small seam, so the encoder can be
 * swapped (today the SDK's `@opentelemetry/otlp-transformer` serializers).
 */
export interface LogsEncoder {
  readonly encoding: FrameEncoding;
  /** The OTLP/HTTP media type of the bytes. */
  readonly contentType: string;
  /** The request bytes; throws when a record cannot be encoded. */
  encode(records: ReadableLogRecord[]): Uint8Array;
}

function fromSerializer(
  encoding: FrameEncoding,
  contentType: string,
  serializer: typeof ProtobufLogsSerializer,
): LogsEncoder {
  return {
    encoding,
    contentType,
    encode(records) {
      const bytes = serializer.serializeRequest(records);
      if (!bytes)
        throw new Error(
          `otel-logkit: could not encode ${records.length} log record(s) as OTLP ${encoding}`,
        );
      return bytes;
    },
  };
}

/** The encoder of an OTLP/HTTP protocol (`http/protobuf` or `http/json`). */
export function getLogsEncoder(protocol: 'http/protobuf' | 'http/json'): LogsEncoder {
  return protocol === 'http/json'
    ? fromSerializer('json', 'application/json', JsonLogsSerializer)
    : fromSerializer('protobuf', 'application/x-protobuf', ProtobufLogsSerializer);
}
