import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_LOGKIT_CATEGORY } from '../../attributes.js';
import { fileNameForCategory } from '../categoryFiles.js';
import { EncodedLogRecords } from '../otlp/EncodedLogRecords.js';
import type { ResourceOf } from '../otlp/groupLogRecords.js';
import { ReusableBuffer } from '../../internal/ReusableBuffer.js';
import type { PendingLogRecords } from './LogsEncoder.js';

const TAB = 0x09;
const NEWLINE = 0x0a;

/** One category file's records, encoded as they arrive. */
interface FileQueue {
  readonly file: string;
  /** `<file>\t`, as bytes. */
  readonly prefix: Buffer;
  readonly records: EncodedLogRecords;
  /** Where its part of a batch is assembled before it is copied into the batch. */
  readonly scratch: ReusableBuffer;
}

/**
 * The records waiting for the `file` (or audit) destination, each encoded as
 * OTLP/JSON when it arrives, into the queue of its category file (an
 * {@link EncodedLogRecords} per file), instead of waiting as SDK objects
 * until a batch is cut (which kept them alive through young-generation
 * collections, as it did for OTLP). A batch ({@link take}) is the oldest
 * records across files, in the order they arrived, as the `lines` payload
 * `fileLinesEncoder` writes for the same records: one
 * `<file>\t<ExportLogsServiceRequest>\n` line per file, files in first-seen
 * order, byte-for-byte (test/exporters/spool/FileLinesQueue.test.ts).
 *
 * @internal
 */
export class FileLinesQueue implements PendingLogRecords {
  private readonly files = new Map<string, FileQueue>();
  /** The file queue of each record waiting, oldest first, from {@link head}. */
  private order: FileQueue[] = [];
  private head = 0;

  constructor(private readonly onError: (error: unknown) => void) {}

  get length(): number {
    return this.order.length - this.head;
  }

  push(record: ReadableLogRecord): void {
    let queue: FileQueue;
    try {
      queue = this.queueFor(fileNameForCategory(record.attributes[ATTR_LOGKIT_CATEGORY]));
    } catch (error) {
      // A hostile attribute map (a getter that throws).
      this.onError(error);
      return;
    }
    // EncodedLogRecords keeps a record that logs while it is encoded for
    // after it, and drops (through onError) one it cannot encode: what this
    // push queued into the file's queue is what its count of records ever
    // queued grew by. (Not its length: the record that logs may fill the
    // memory budget, and the batch cut then, inside this push, takes records.)
    const before = queue.records.queued;
    queue.records.push(record);
    for (let added = queue.records.queued - before; added > 0; added--) this.order.push(queue);
  }

  take(
    n: number,
    resourceFor?: (resource: ResourceOf) => ResourceOf,
    into?: (size: number) => Buffer,
  ): Uint8Array {
    n = Math.min(n, this.length);
    if (n <= 0) return new Uint8Array(0);
    // Records per file, files in first-seen order.
    const counts = new Map<FileQueue, number>();
    const end = this.head + n;
    for (let i = this.head; i < end; i++) {
      const queue = this.order[i]!;
      counts.set(queue, (counts.get(queue) ?? 0) + 1);
    }
    this.head = end;
    this.compact();
    // Every file's records are taken, even after one fails to encode.
    const lines: Array<[FileQueue, Uint8Array]> = [];
    let failure: Error | undefined;
    let size = 0;
    try {
      for (const [queue, count] of counts) {
        try {
          const request = queue.records.take(count, resourceFor, (n) => queue.scratch.take(n));
          lines.push([queue, request]);
          size += queue.prefix.length + request.length + 1;
        } catch (error) {
          failure ??=
            error instanceof Error
              ? error
              : new Error(`otel-logkit: could not encode the records of ${queue.file}`, {
                  cause: error,
                });
        }
      }
      if (failure !== undefined) throw failure;
      const out = into ? into(size) : Buffer.allocUnsafeSlow(size);
      let pos = 0;
      for (const [queue, request] of lines) {
        out.set(queue.prefix, pos);
        pos += queue.prefix.length;
        out.set(request, pos);
        pos += request.length;
        out[pos++] = NEWLINE;
      }
      return out.subarray(0, size);
    } finally {
      for (const queue of counts.keys()) {
        queue.scratch.giveBack();
        if (this.length === 0) queue.scratch.release();
      }
    }
  }

  clear(): void {
    for (const queue of this.files.values()) {
      queue.records.clear();
      queue.scratch.release();
    }
    this.order = [];
    this.head = 0;
  }

  private queueFor(file: string): FileQueue {
    let queue = this.files.get(file);
    if (queue === undefined) {
      const prefix = Buffer.from(`${file}\t`, 'utf8');
      if (prefix.indexOf(TAB) !== prefix.length - 1) {
        throw new Error(`otel-logkit: a category file name holds a tab: ${JSON.stringify(file)}`);
      }
      queue = {
        file,
        prefix,
        records: new EncodedLogRecords('json', this.onError),
        // A batch's part of one file: 512 records of ~600 bytes fit the default.
        scratch: new ReusableBuffer(4 * 1024 * 1024),
      };
      this.files.set(file, queue);
    }
    return queue;
  }

  /** Drops the taken part of {@link order} once it is most of it. */
  private compact(): void {
    if (this.head === this.order.length) {
      this.order = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}
