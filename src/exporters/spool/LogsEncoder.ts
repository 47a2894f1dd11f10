import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { recordWithResource } from '../../internal/recordView.js';
import { EncodedLogRecords } from '../otlp/EncodedLogRecords.js';
import { encodeLogsJson } from '../otlp/encodeLogsJson.js';
import { encodeLogsProtobuf } from '../otlp/encodeLogsProtobuf.js';
import type { ResourceOf } from '../otlp/groupLogRecords.js';
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
  /**
   * The queue of records waiting for export; without it, records wait as
   * objects ({@link RecordList}) and a batch is {@link encode}d when cut.
   */
  createQueue?(onError: (error: unknown) => void): PendingLogRecords;
}

/** Records waiting for export, oldest first, cut into encoded batches. */
export interface PendingLogRecords {
  /** Records waiting. */
  readonly length: number;
  /** Queues a record; one that cannot be queued is reported to the queue's `onError`. */
  push(record: ReadableLogRecord): void;
  /**
   * Removes the oldest `n` records and returns their request bytes;
   * `resourceFor` replaces a record's Resource (a settled copy of a pending
   * one). Throws when they cannot be encoded (they are removed all the same).
   * `into` gives the buffer to assemble the request in (one the caller
   * reuses); without it, or for a queue that encodes otherwise, a fresh one.
   */
  take(
    n: number,
    resourceFor?: (resource: ResourceOf) => ResourceOf,
    into?: (size: number) => Buffer,
  ): Uint8Array;
  /** Removes the oldest `n` records and returns them as they are (a queue of objects only). */
  takeRecords?(n: number): ReadableLogRecord[];
  /** Drops every record waiting. */
  clear(): void;
}

/** Records kept as objects and encoded by `encoder` when a batch is cut. */
export class RecordList implements PendingLogRecords {
  private records: ReadableLogRecord[] = [];

  constructor(private readonly encoder: LogsEncoder) {}

  get length(): number {
    return this.records.length;
  }

  push(record: ReadableLogRecord): void {
    this.records.push(record);
  }

  take(n: number, resourceFor?: (resource: ResourceOf) => ResourceOf): Uint8Array {
    const batch = this.records.splice(0, n);
    return this.encoder.encode(
      resourceFor ? batch.map((r) => withResource(r, resourceFor)) : batch,
    );
  }

  takeRecords(n: number): ReadableLogRecord[] {
    return this.records.splice(0, n);
  }

  clear(): void {
    this.records = [];
  }
}

function withResource(
  record: ReadableLogRecord,
  resourceFor: (resource: ResourceOf) => ResourceOf,
): ReadableLogRecord {
  const resource = resourceFor(record.resource);
  return resource === record.resource ? record : recordWithResource(record, resource);
}

/**
 * The encoder of an OTLP/HTTP protocol (`http/protobuf` or `http/json`): our
 * own encoding (src/exporters/otlp/). Its queue encodes each record as it
 * arrives ({@link EncodedLogRecords}).
 */
export function getLogsEncoder(protocol: 'http/protobuf' | 'http/json'): LogsEncoder {
  return protocol === 'http/json'
    ? {
        encoding: 'json',
        contentType: 'application/json',
        encode: encodeLogsJson,
        createQueue: (onError) => new EncodedLogRecords('json', onError),
      }
    : {
        encoding: 'protobuf',
        contentType: 'application/x-protobuf',
        encode: encodeLogsProtobuf,
        createQueue: (onError) => new EncodedLogRecords('protobuf', onError),
      };
}
