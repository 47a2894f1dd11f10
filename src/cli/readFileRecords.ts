/**
 * Reading the files: the bytes of a plain or gzip file, split into lines and
 * handed to the scan, as batches of matching records; chains read oldest
 * first, and every chain of a scan read in time order or file by file.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { ScanContext } from './ScanContext.js';
import { errorCode } from './errors.js';
import { LineSplitter } from './lines.js';
import { mergeByTime } from './mergeByTime.js';
import type { LogRecordView } from './otlp.js';
import type { FileChain, InputFile } from './resolveInputs.js';
import { inputError } from './resolveInputs.js';

/** Where reading a file stops and what it hands over, for `--follow`. */
export interface ReadLimit {
  /** Open handle to read from instead of opening the path. */
  handle: FileHandle;
  /** Bytes to read, from offset 0. */
  end: number;
  /** The splitter to use; its partial last line is kept, not flushed. */
  splitter: LineSplitter;
}

const CHUNK_BYTES = 1 << 20;

/**
 * The bytes of a plain file, read into two buffers in turn (the next read runs
 * while the caller handles the current chunk, which it must be done with
 * before asking for the next): no new memory per chunk, so a scan of any size
 * keeps to the same few megabytes of buffers.
 */
async function* readPlainChunks(
  handle: FileHandle,
  end: number | undefined,
  onBytes: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let position = 0;
  const readInto = (buffer: Buffer, at: number) =>
    handle.read(
      buffer,
      0,
      end === undefined ? buffer.length : Math.min(buffer.length, end - at),
      at,
    );
  if (end !== undefined && end <= 0) return;
  let which = 0;
  let pending = readInto(buffers[0]!, 0);
  for (;;) {
    const { bytesRead } = await pending;
    if (bytesRead === 0) return;
    const chunk = buffers[which]!.subarray(0, bytesRead);
    position += bytesRead;
    onBytes(bytesRead);
    which = 1 - which;
    const more = end === undefined || position < end;
    if (more) pending = readInto(buffers[which]!, position);
    yield chunk;
    if (!more) return;
  }
}

/** The decompressed bytes of a gzip file, as a stream gives them. */
async function* readGzipChunks(
  path: string,
  onBytes: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  raw.on('error', (error) => gunzip.destroy(error));
  let counted = 0;
  try {
    for await (const chunk of raw.pipe(gunzip) as AsyncIterable<Buffer>) {
      onBytes(raw.bytesRead - counted);
      counted = raw.bytesRead;
      yield chunk;
    }
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

/**
 * Streams one file (gunzipping it when needed), yielding the matching records
 * of each chunk read, in file order (sorted by time within each line). With
 * `strict`, a damaged gzip stream throws instead of counting as a malformed line.
 */
export async function* readFileRecords(
  file: InputFile,
  context: ScanContext,
  limit?: ReadLimit,
  strict = false,
): AsyncGenerator<LogRecordView[]> {
  const stats = context.statsFor(file);
  if (limit && limit.end === 0) return;
  const splitter = limit?.splitter ?? new LineSplitter();
  let batch: LogRecordView[] = [];
  const onLine = (line: string, oversize: boolean): void =>
    context.handleLine(line, oversize, stats, batch);
  const onBytes = (bytes: number): void => {
    context.bytesRead += bytes;
  };
  let handle: FileHandle | undefined;
  try {
    let chunks: AsyncGenerator<Buffer>;
    if (file.gzip) {
      chunks = readGzipChunks(file.path, onBytes);
    } else {
      handle = limit?.handle ?? (await open(file.path, 'r'));
      chunks = readPlainChunks(handle, limit?.end, onBytes);
    }
    for await (const chunk of chunks) {
      splitter.push(chunk, onLine);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (strict) throw error;
    if (file.gzip && errorCode(error)?.startsWith('Z_')) {
      // A truncated or corrupt archive: what was read stands, the rest is one malformed line.
      onLine('', true);
    } else if (errorCode(error) === 'ENOENT') {
      // Rotated away before we opened it: its records are in the next backup name.
    } else {
      throw inputError(file.path, error, false);
    }
  } finally {
    if (handle && !limit) await handle.close().catch(() => {});
  }
  if (!limit) splitter.end(onLine);
  if (batch.length > 0) yield batch;
}

/** The records of a chain, oldest file first. */
export async function* readChainRecords(
  chain: FileChain,
  context: ScanContext,
  limits?: Map<string, ReadLimit>,
): AsyncGenerator<LogRecordView[]> {
  for (const file of chain) yield* readFileRecords(file, context, limits?.get(file.path));
}

/** Every matching record of every chain, in time order across files. */
export function scanInTimeOrder(
  chains: FileChain[],
  context: ScanContext,
  limits?: Map<string, ReadLimit>,
): AsyncGenerator<LogRecordView[]> {
  return mergeByTime(chains.map((chain) => readChainRecords(chain, context, limits)));
}

/** Every matching record of every chain, file by file, in no particular order across files. */
export async function* scanUnordered(
  chains: FileChain[],
  context: ScanContext,
): AsyncGenerator<LogRecordView[]> {
  for (const chain of chains) yield* readChainRecords(chain, context);
}
