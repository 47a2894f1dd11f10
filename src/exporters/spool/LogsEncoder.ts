import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeLogsJson } from '../otlp/encodeLogsJson.js';
import { encodeLogsProtobuf } from '../otlp/encodeLogsProtobuf.js';
import type { FrameEncoding } from './spoolFormat.js';

/**
 * Log records to the bytes of one OTLP `ExportLogsServiceRequest`: what is
 * sent, and what the spool keeps. One small seam, so the encoder can be
 * swapped (our own encoders, which write the bytes straight from the records;
 * conformance-tested against the SDK's serializers and the .proto files).
 */
export interface LogsEncoder {
  readonly encoding: FrameEncoding;
  /** The OTLP/HTTP media type of the bytes. */
  readonly contentType: string;
  /** The request bytes; throws when a record cannot be encoded. */
  encode(records: ReadableLogRecord[]): Uint8Array;
}

/** The encoder of an OTLP/HTTP protocol (`http/protobuf` or `http/json`): our own encoding (src/exporters/otlp/). */
export function getLogsEncoder(protocol: 'http/protobuf' | 'http/json'): LogsEncoder {
  return protocol === 'http/json'
    ? { encoding: 'json', contentType: 'application/json', encode: encodeLogsJson }
    : { encoding: 'protobuf', contentType: 'application/x-protobuf', encode: encodeLogsProtobuf };
}
