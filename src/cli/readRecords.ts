import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { InputError, errorCode } from './errors.js';
import type { RecordFilter } from './filters.js';
import { LineSplitter } from './lines.js';
import type { LogRecordView } from './otlp.js';
import { compareNanos, decodeLine } from './otlp.js';

/** One file to read. */
export interface InputFile {
  /** The path as given or as found in a directory (relative paths stay relative). */
  readonly path: string;
  /** Size in bytes on disk (compressed size for gzip files) when it was found. */
  readonly size: number;
  /** Gzip-compressed (by its magic bytes). */
  readonly gzip: boolean;
  /** Inside a directory argument, as opposed to named on the command line. */
  readonly inDirectory: boolean;
}

/**
 * Files in time order: the rotated backups of one file, oldest first
 * (`app.jsonl.5.gz` … `app.jsonl.1.gz`), then the current file. A lone file is
 * a chain of one.
 */
export type FileChain = InputFile[];

/** What the path arguments resolved to. */
export interface ResolvedInputs {
  chains: FileChain[];
  /** The directory arguments (follow mode looks in them for new files). */
  directories: string[];
}

/**
 * Names of log files inside a directory: `*.jsonl`, `*.json`, `*.ndjson`, each
 * optionally gzip-compressed or rotated (`app.jsonl.1.gz`, the Collector's
 * `logs-2025-01-01T00-00-00.000.json.gz`). `metrics.jsonl` (our metric
 * exporter's file) is not a log file.
 */
export const LOG_FILE_PATTERN = /\.(?:jsonl|json|ndjson)(?:\.\d+)?(?:\.gz)?$/;
const ROTATED_SUFFIX = /\.(\d+)\.gz$/;
const NOT_LOGS = /^metrics\.jsonl(?:\.\d+)?(?:\.gz)?$/;

/** Whether a directory entry's name is one of a log file. */
export function isLogFileName(name: string): boolean {
  return LOG_FILE_PATTERN.test(name) && !NOT_LOGS.test(name);
}

/** The default input: `OTEL_LOGKIT_LOG_DIR`, else `./logs`, as the embedded exporter uses. */
export function defaultLogDir(): string {
  const dir = process.env.OTEL_LOGKIT_LOG_DIR;
  return dir !== undefined && dir !== '' ? dir : 'logs';
}

/**
 * Resolves the path arguments (default: {@link defaultLogDir}) to chains of
 * files. A directory contributes its log files (not recursively), grouped into
 * rotation chains; a file is read whatever its name. Throws an
 * {@link InputError} for a path that does not exist or cannot be read.
 */
export async function resolveInputs(paths: string[]): Promise<ResolvedInputs> {
  const args = paths.length > 0 ? paths : [defaultLogDir()];
  const chains = new Map<string, InputFile[]>();
  const directories: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    let info;
    try {
      info = await stat(arg);
    } catch (error) {
      throw inputError(arg, error, paths.length === 0);
    }
    if (info.isDirectory()) {
      directories.push(arg);
      let names: string[];
      try {
        names = await readdir(arg);
      } catch (error) {
        throw inputError(arg, error, false);
      }
      for (const name of names.filter(isLogFileName).sort()) {
        const file = path.join(arg, name);
        const found = await describeFile(file, true, seen);
        if (found) addToChain(chains, found);
      }
    } else {
      const found = await describeFile(arg, false, seen);
      if (found) addToChain(chains, found);
    }
  }
  return { chains: [...chains.values()].map(orderChain), directories };
}

function inputError(arg: string, error: unknown, isDefault: boolean): InputError {
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return new InputError(
      isDefault
        ? `no log directory ${arg} (pass files or directories, or set OTEL_LOGKIT_LOG_DIR)`
        : `no such file or directory: ${arg}`,
    );
  }
  return new InputError(`cannot read ${arg}: ${(error as Error).message}`);
}

async function describeFile(
  file: string,
  inDirectory: boolean,
  seen: Set<string>,
): Promise<InputFile | undefined> {
  let handle: FileHandle | undefined;
  try {
    const real = await realpath(file);
    if (seen.has(real)) return undefined;
    seen.add(real);
    handle = await open(file, 'r');
    const info = await handle.stat();
    if (!info.isFile()) {
      if (inDirectory) return undefined;
      throw new InputError(`not a regular file: ${file}`);
    }
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    const gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    return { path: file, size: info.size, gzip, inDirectory };
  } catch (error) {
    if (error instanceof InputError) throw error;
    // A file rotated away between readdir and open is simply gone.
    if (inDirectory && errorCode(error) === 'ENOENT') return undefined;
    throw inputError(file, error, false);
  } finally {
    await handle?.close();
  }
}

function chainKey(file: string): string {
  return file.replace(ROTATED_SUFFIX, '');
}

function addToChain(chains: Map<string, InputFile[]>, file: InputFile): void {
  const key = chainKey(file.path);
  const chain = chains.get(key);
  if (chain) chain.push(file);
  else chains.set(key, [file]);
}

// Oldest first: the highest backup number, …, `.1.gz`, then the current file.
function orderChain(chain: InputFile[]): InputFile[] {
  const rank = (file: InputFile): number => {
    const match = ROTATED_SUFFIX.exec(file.path);
    return match ? Number(match[1]) : 0;
  };
  return chain.sort((a, b) => rank(b) - rank(a));
}

/** Counts and time range of one file's records, and its malformed lines. */
export interface FileStats {
  readonly file: InputFile;
  /** Lines read (empty lines included). */
  lines: number;
  /** Records decoded, matching or not. */
  records: number;
  /** Records that passed the filters. */
  matched: number;
  firstNs: string;
  lastNs: string;
  malformed: number;
  /** 1-based numbers of the first malformed lines. */
  malformedLines: number[];
}

/** Shared state of one scan: the filter, the per-file statistics, the progress meter. */
export class ScanContext {
  readonly filter: RecordFilter;
  readonly files: FileStats[] = [];
  /** Bytes read from disk so far, over every file. */
  bytesRead = 0;
  /** Records that passed the filters so far. */
  matched = 0;
  private readonly usePrecheck: boolean;

  constructor(filter: RecordFilter) {
    this.filter = filter;
    this.usePrecheck = !filter.isEmpty;
  }

  private readonly byPath = new Map<string, FileStats>();

  /** The statistics of a file, started on first use (one entry per path). */
  statsFor(file: InputFile): FileStats {
    const existing = this.byPath.get(file.path);
    if (existing) return existing;
    const stats: FileStats = {
      file,
      lines: 0,
      records: 0,
      matched: 0,
      firstNs: '0',
      lastNs: '0',
      malformed: 0,
      malformedLines: [],
    };
    this.files.push(stats);
    this.byPath.set(file.path, stats);
    return stats;
  }

  /**
   * Decodes one line into `out` (matching records only, sorted by time: one
   * export batch holds records grouped by scope, not by time). Malformed lines
   * are counted, never thrown.
   */
  handleLine(line: string, oversize: boolean, stats: FileStats, out: LogRecordView[]): void {
    stats.lines++;
    if (oversize) {
      this.countMalformed(stats);
      return;
    }
    if (line.length === 0 || isBlank(line)) return;
    // The pre-check skips lines that cannot match; a malformed one among them
    // goes uncounted unless it is not JSON-looking at all.
    if (this.usePrecheck && !this.filter.lineMayMatch(line)) {
      if (line.charCodeAt(0) !== 123 /* { */ || line.charCodeAt(line.length - 1) !== 125) {
        this.countMalformed(stats);
      }
      return;
    }
    const start = out.length;
    try {
      stats.records += decodeLine(line, stats.file.path, this.filter, out);
    } catch {
      out.length = start;
      this.countMalformed(stats);
      return;
    }
    const added = out.length - start;
    if (added === 0) return;
    if (added > 1) sortTail(out, start);
    stats.matched += added;
    this.matched += added;
    const first = out[start]!.timeNs;
    const last = out[out.length - 1]!.timeNs;
    if (first !== '0' && (stats.firstNs === '0' || compareNanos(first, stats.firstNs) < 0)) {
      stats.firstNs = first;
    }
    if (compareNanos(last, stats.lastNs) > 0) stats.lastNs = last;
  }

  /** Takes over the file statistics and counts of another scan (a completed side read). */
  adopt(other: ScanContext): void {
    for (const stats of other.files) {
      const mine = this.statsFor(stats.file);
      mine.lines += stats.lines;
      mine.records += stats.records;
      mine.matched += stats.matched;
      mine.malformed += stats.malformed;
      for (const line of stats.malformedLines) {
        if (mine.malformedLines.length < 5) mine.malformedLines.push(line);
      }
    }
    this.matched += other.matched;
    this.bytesRead += other.bytesRead;
  }

  private countMalformed(stats: FileStats): void {
    stats.malformed++;
    if (stats.malformedLines.length < 5) stats.malformedLines.push(stats.lines);
  }

  /** Total malformed lines. */
  get malformed(): number {
    let total = 0;
    for (const file of this.files) total += file.malformed;
    return total;
  }

  /** A one-paragraph report of the malformed lines, or `undefined` when there were none. */
  malformedReport(): string | undefined {
    const total = this.malformed;
    if (total === 0) return undefined;
    const parts = this.files
      .filter((file) => file.malformed > 0)
      .map((file) => {
        const shown = file.malformedLines.join(', ');
        const more = file.malformed > file.malformedLines.length ? ', …' : '';
        return `${file.file.path}: ${file.malformed} (line${file.malformed === 1 ? '' : 's'} ${shown}${more})`;
      });
    return `skipped ${total} malformed line${total === 1 ? '' : 's'}: ${parts.join('; ')}`;
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

// Stable insertion sort of out[start..] by time; batches are small and mostly sorted.
function sortTail(out: LogRecordView[], start: number): void {
  for (let i = start + 1; i < out.length; i++) {
    const record = out[i]!;
    let j = i - 1;
    if (compareNanos(out[j]!.timeNs, record.timeNs) <= 0) continue;
    while (j >= start && compareNanos(out[j]!.timeNs, record.timeNs) > 0) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = record;
  }
}

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

/**
 * Merges per-source streams, each in time order, into one stream in time order
 * (a k-way merge: memory holds one batch per source). Records with equal times
 * keep the order of their sources. A source that is not in order still has
 * every record emitted, each when it reaches the front.
 */
export async function* mergeByTime(
  sources: AsyncIterator<LogRecordView[]>[],
): AsyncGenerator<LogRecordView[]> {
  if (sources.length === 1) {
    const only = sources[0]!;
    for (;;) {
      const next = await only.next();
      if (next.done) return;
      yield next.value;
    }
  }
  interface Head {
    source: AsyncIterator<LogRecordView[]>;
    order: number;
    batch: LogRecordView[];
    index: number;
  }
  const heap: Head[] = [];
  const less = (a: Head, b: Head): boolean => {
    const c = compareNanos(a.batch[a.index]!.timeNs, b.batch[b.index]!.timeNs);
    return c < 0 || (c === 0 && a.order < b.order);
  };
  const push = (head: Head): void => {
    heap.push(head);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && less(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && less(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  };
  const refill = async (head: Head): Promise<boolean> => {
    for (;;) {
      const next = await head.source.next();
      if (next.done) return false;
      if (next.value.length > 0) {
        head.batch = next.value;
        head.index = 0;
        return true;
      }
    }
  };
  for (const [order, source] of sources.entries()) {
    const head: Head = { source, order, batch: [], index: 0 };
    if (await refill(head)) push(head);
  }
  let out: LogRecordView[] = [];
  while (heap.length > 0) {
    const top = heap[0]!;
    out.push(top.batch[top.index]!);
    top.index++;
    if (top.index >= top.batch.length) {
      if (out.length > 0) {
        yield out;
        out = [];
      }
      if (!(await refill(top))) {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown();
        }
        continue;
      }
    } else if (out.length >= 4096) {
      yield out;
      out = [];
    }
    siftDown();
  }
  if (out.length > 0) yield out;
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

/** Sum of the sizes of the chains' files. */
export function totalBytes(chains: FileChain[]): number {
  let total = 0;
  for (const chain of chains) for (const file of chain) total += file.size;
  return total;
}
