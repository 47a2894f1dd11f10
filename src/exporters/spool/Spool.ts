import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { dirname, join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { ReusableBuffer } from '../../internal/ReusableBuffer.js';
import { reportOnce } from '../../internal/reportOnce.js';
import { ioErrorCode } from '../RotatingFileWriter.js';
import {
  ACK_SUFFIX,
  FRAME_HEADER_BYTES,
  LOCK_SUFFIX,
  encodeFrame,
  frameHeader,
  parseSegmentName,
  readAcks,
  scanFrames,
  type FrameEncoding,
  type FrameInfo,
} from './spoolFormat.js';

/** Options of {@link Spool}. */
export interface SpoolOptions {
  /** The spool directory; created with mode 0700 when missing. */
  readonly dir: string;
  /** Size cap of all segments, bytes; past it the oldest segments are evicted. */
  readonly maxBytes: number;
  /** A segment is closed and a new one started past this size, bytes; default min(8 MiB, maxBytes / 4). */
  readonly segmentBytes?: number;
  /** Encoding of the frames this process appends. */
  readonly encoding: FrameEncoding;
  /** A lock file not touched for this long belongs to a dead process, ms; default 30000. */
  readonly staleLockMillis?: number;
  /** Records lost: `spool-full` (evicted) or `spool-damaged` (failed checksum). */
  readonly onDrop?: (reason: 'spool-full' | 'spool-damaged', records: number) => void;
  /**
   * Segments of dead processes were adopted ({@link Spool.open} and every
   * `staleLockMillis` after): `records` they held, including those found
   * damaged (reported through `onDrop` right after this call).
   */
  readonly onAdopt?: (records: number) => void;
  /**
   * After a disk or permission error, the spool is tried again after this
   * long, ms, doubling on each failed try up to 60000; default 5000.
   */
  readonly retryMillis?: number;
}

/** What {@link Spool.stats} reports. */
export interface SpoolStats {
  /** The spool directory of this destination. */
  readonly dir: string;
  /** False while a disk or permission error keeps the spool off (until a retry succeeds). */
  readonly usable: boolean;
  /** Bytes of the segments this process owns. */
  readonly bytes: number;
  /** Records waiting (not yet accepted by the endpoint). */
  readonly records: number;
  /** Segment files this process owns (written or adopted). */
  readonly segments: number;
  /** Age of the oldest waiting record's segment, ms; 0 when nothing waits. */
  readonly oldestAgeMillis: number;
  /** Records evicted past the size cap. */
  readonly evicted: number;
  /** Bytes and records found damaged in adopted segments, and skipped. */
  readonly damaged: { readonly bytes: number; readonly records: number };
  /** Segments adopted from processes that died. */
  readonly adopted: number;
}

/**
 * A frame handed out by {@link Spool.peek}; give it back with `ack` or
 * `release`. Its `payload` is valid until then: the spool may read the next
 * frame into the same buffer.
 */
export interface SpooledFrame {
  readonly ref: FrameRef;
  readonly payload: Buffer;
  readonly records: number;
  readonly encoding: FrameEncoding;
}

/** Where a frame lives. */
export interface FrameRef {
  readonly segment: Segment;
  readonly index: number;
}

interface Segment {
  readonly stem: string;
  readonly createdMs: number;
  path: string;
  /** The append descriptor of the active segment (also read through while it is open). */
  fd: number | undefined;
  /** The acknowledgement file's append descriptor, opened at the first ack. */
  ackFd: number | undefined;
  readonly frames: FrameInfo[];
  readonly acked: Set<number>;
  readonly inFlight: Set<number>;
  bytes: number;
  /** Lowest frame index that may still be unacknowledged. */
  cursor: number;
  removed: boolean;
}

const PROCESS_TAG = randomBytes(4).toString('hex');

/** Frames up to this size are read into the spool's reused buffer. */
const MAX_READ_BUFFER_BYTES = 4 * 1024 * 1024;

function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // nothing to do
  }
}

/**
 * Writes all `size` bytes of `parts`, or throws: a short write (a disk
 * filling up) is continued, so the error of the write that cannot go on
 * (ENOSPC) is the one thrown.
 */
function writeAll(fd: number, parts: Uint8Array[], size: number): void {
  let written = writevSync(fd, parts);
  if (written === size) return;
  const rest = Buffer.concat(parts).subarray(written);
  while (written < size) written += writeSync(fd, rest, written - (size - rest.length));
}

/**
 * A durable FIFO of OTLP export requests on disk: segment files of
 * checksummed frames (see `spoolFormat.ts`), written synchronously so a frame
 * that was appended survives the process being killed (not a power loss: no
 * fsync). Frames leave the spool only through {@link ack}.
 *
 * Several processes may share a directory. Each owns the segments whose name
 * carries its owner id (`<pid>.<random>`) and keeps `<owner>.lock` fresh;
 * segments of an owner whose pid is gone, whose lock file is missing or stale
 * are adopted by renaming them, which only one process can win. So two live
 * processes never send the same segment, and the next process replays what a
 * dead one left.
 *
 * Disk errors never throw: the first one of each kind is reported through
 * diag, and the spool turns itself off ({@link usable} false; callers then
 * count drops) until a retry after `retryMillis` (doubling up to 60 s)
 * writes again, e.g. once space was freed; that recovery goes to
 * `diag.info`.
 */
export class Spool {
  readonly dir: string;
  readonly owner = `${process.pid}.${PROCESS_TAG}${randomBytes(2).toString('hex')}`;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly encoding: FrameEncoding;
  private readonly staleLockMillis: number;
  private readonly onDrop: NonNullable<SpoolOptions['onDrop']>;
  private readonly onAdopt: NonNullable<SpoolOptions['onAdopt']>;
  private readonly minRetryMillis: number;
  /** Delay of the last retry scheduled after a disk error, ms; 0 while healthy. */
  private retryMillis = 0;
  private retryAt = 0;
  /** A retry after a disk error is under way: the next write that succeeds ends it. */
  private retrying = false;
  private readonly segments: Segment[] = [];
  private active: Segment | undefined;
  private seq = 0;
  private totalBytes = 0;
  private waiting = 0;
  private evicted = 0;
  private adoptedCount = 0;
  private damagedBytes = 0;
  private damagedRecords = 0;
  private failed = false;
  private opened = false;
  private claimed = false;
  /** The first directory {@link claim} created, if it created any. */
  private createdRoot: string | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  /** The segment being replayed and its read descriptor (see readFdOf). */
  private reading: { readonly segment: Segment; readonly fd: number } | undefined;
  /**
   * Replayed frames are read into this buffer (one request is in flight at a
   * time, so replaying reads every frame into it); freed when the spool is empty.
   */
  private readonly reads = new ReusableBuffer(MAX_READ_BUFFER_BYTES);
  /** The frame handed out in the read buffer, until it is acknowledged or released. */
  private readBufferHolder: FrameRef | undefined;

  constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes =
      options.segmentBytes ??
      Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(options.maxBytes / 4)));
    this.encoding = options.encoding;
    this.staleLockMillis = options.staleLockMillis ?? 30_000;
    this.onDrop = options.onDrop ?? (() => {});
    this.onAdopt = options.onAdopt ?? (() => {});
    this.minRetryMillis = options.retryMillis ?? 5000;
  }

  /**
   * False after a disk error until its retry delay has passed (then true
   * again: the next write tries the disk), and after {@link close}.
   */
  get usable(): boolean {
    if (!this.opened || this.closed) return false;
    if (this.failed && Date.now() >= this.retryAt) {
      this.failed = false;
      this.retrying = true;
    }
    return !this.failed;
  }

  /** Records waiting in the spool. */
  get records(): number {
    return this.waiting;
  }

  /**
   * Adopts what dead processes left in the directory and starts the
   * heartbeat. The directory (0700) and this process's lock file (0600) are
   * created only when something is first written or adopted, so an app whose
   * endpoint never fails leaves nothing on disk. Always true; a disk error
   * later turns the spool off.
   */
  open(): boolean {
    if (this.opened) return this.usable;
    this.opened = true;
    this.adopt();
    const beat = Math.max(1000, Math.floor(this.staleLockMillis / 3));
    let sinceAdopt = 0;
    this.timer = setInterval(() => {
      if (this.claimed) {
        try {
          const now = new Date();
          utimesSync(this.lockPath(this.owner), now, now);
        } catch (error) {
          reportOnce(
            `spool:heartbeat:${ioErrorCode(error)}`,
            `could not refresh the spool lock in ${this.dir}`,
            error,
          );
        }
      }
      sinceAdopt += beat;
      if (sinceAdopt >= this.staleLockMillis) {
        sinceAdopt = 0;
        this.adopt();
      }
    }, beat);
    this.timer.unref();
    return true;
  }

  /** Creates the directory and the lock file, once; false after a disk error. */
  private claim(): boolean {
    if (this.claimed) return true;
    try {
      // A retry after a disk error claims again: keep the first root created.
      const created = mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.createdRoot ??= created;
      writeFileSync(
        this.lockPath(this.owner),
        `${JSON.stringify({ pid: process.pid, startedAt: Date.now() })}\n`,
        { mode: 0o600 },
      );
    } catch (error) {
      this.fail(error);
      return false;
    }
    this.claimed = true;
    return true;
  }

  /**
   * Appends one encoded export request of `records` records. Returns its
   * ref, or undefined when the spool is not usable (the caller counts the
   * records as dropped).
   */
  append(payload: Uint8Array, records: number): FrameRef | undefined {
    if (!this.usable || !this.claim()) return undefined;
    let segment = this.active;
    try {
      if (!segment || segment.bytes >= this.segmentBytes) segment = this.startSegment();
      const parts = encodeFrame(payload, records, this.encoding);
      const offset = segment.bytes;
      const size = FRAME_HEADER_BYTES + payload.length;
      try {
        writeAll(segment.fd!, parts, size);
      } catch (error) {
        this.abandon(segment);
        throw error;
      }
      segment.frames.push({ offset, length: payload.length, records, encoding: this.encoding });
      segment.bytes += size;
      this.totalBytes += size;
      this.waiting += records;
      const ref = { segment, index: segment.frames.length - 1 };
      if (this.retrying) this.recovered();
      this.evict();
      return ref;
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /**
   * The oldest frame that is neither acknowledged nor handed out, read from
   * disk and marked in flight; undefined when there is none. A frame that can
   * no longer be read is counted damaged and skipped.
   */
  peek(): SpooledFrame | undefined {
    if (!this.opened || this.closed) return undefined;
    for (const segment of this.segments) {
      for (let index = segment.cursor; index < segment.frames.length; index++) {
        if (segment.acked.has(index) || segment.inFlight.has(index)) continue;
        const frame = segment.frames[index]!;
        const payload = this.readPayload(segment, frame);
        if (!payload) {
          this.damagedBytes += FRAME_HEADER_BYTES + frame.length;
          this.damagedRecords += frame.records;
          this.onDrop('spool-damaged', frame.records);
          this.ack({ segment, index });
          continue;
        }
        segment.inFlight.add(index);
        const ref = { segment, index };
        if (this.reads.isLent(payload)) this.readBufferHolder = ref;
        return {
          ref,
          payload,
          records: frame.records,
          encoding: frame.encoding,
        };
      }
    }
    return undefined;
  }

  /** True when a frame is waiting that {@link peek} would hand out. */
  hasWaiting(): boolean {
    for (const segment of this.segments) {
      for (let index = segment.cursor; index < segment.frames.length; index++) {
        if (!segment.acked.has(index) && !segment.inFlight.has(index)) return true;
      }
    }
    return false;
  }

  /** The endpoint accepted the frame (or rejected it for good): it leaves the spool. */
  ack(ref: FrameRef): void {
    this.returnReadBuffer(ref);
    const { segment, index } = ref;
    segment.inFlight.delete(index);
    if (segment.removed || segment.acked.has(index)) return;
    segment.acked.add(index);
    this.waiting -= segment.frames[index]!.records;
    // Replay is over: the read buffer is not kept for the process's life.
    if (this.waiting === 0) this.reads.release();
    while (segment.acked.has(segment.cursor)) segment.cursor++;
    if (segment.acked.size === segment.frames.length) {
      this.removeSegment(segment);
      return;
    }
    try {
      const entry = Buffer.allocUnsafe(4);
      entry.writeUInt32BE(index, 0);
      // Kept open until the segment goes: an open, write and close per
      // delivered batch (appendFileSync) was ~2 % of a burst's CPU in a perf
      // profile of bench/export.bench.mjs (Node 24).
      segment.ackFd ??= openSync(join(this.dir, segment.stem + ACK_SUFFIX), 'a', 0o600);
      writeSync(segment.ackFd, entry);
    } catch (error) {
      // The frame stays acknowledged in memory; after a restart it may be sent again.
      reportOnce(
        `spool:ack:${ioErrorCode(error)}`,
        `could not record a delivered batch in ${this.dir}`,
        error,
      );
    }
  }

  /** The send failed: the frame stays, to be handed out again. */
  release(ref: FrameRef): void {
    this.returnReadBuffer(ref);
    ref.segment.inFlight.delete(ref.index);
  }

  /** The frame `ref` is done with: the read buffer it held may be reused. */
  private returnReadBuffer(ref: FrameRef): void {
    const holder = this.readBufferHolder;
    if (holder !== undefined && holder.segment === ref.segment && holder.index === ref.index) {
      this.readBufferHolder = undefined;
      this.reads.giveBack();
    }
  }

  /**
   * Adopts the segments of processes that are gone: renames them to this
   * owner (only one process wins a rename), reads their frames and
   * acknowledgements. Called by {@link open} and every `staleLockMillis`.
   */
  adopt(): void {
    if (!this.usable) return;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if (ioErrorCode(error) === 'ENOENT') return;
      reportOnce(
        `spool:scan:${ioErrorCode(error)}`,
        `could not read the spool directory ${this.dir}`,
        error,
      );
      return;
    }
    const liveness = new Map<string, boolean>();
    const adopted: Segment[] = [];
    const waitingBefore = this.waiting;
    let damaged = 0;
    for (const name of names.sort()) {
      const parsed = parseSegmentName(name);
      if (!parsed || parsed.owner === this.owner) continue;
      let alive = liveness.get(parsed.owner);
      if (alive === undefined) liveness.set(parsed.owner, (alive = this.ownerAlive(parsed.owner)));
      if (alive || !this.claim()) continue;
      const path = join(this.dir, `${parsed.stem}.${this.owner}.seg`);
      try {
        renameSync(join(this.dir, name), path);
      } catch {
        continue; // another process adopted it first
      }
      const loaded = this.loadSegment(parsed.stem, parsed.createdMs, path);
      damaged += loaded.damagedRecords;
      if (loaded.segment) adopted.push(loaded.segment);
    }
    for (const [owner, alive] of liveness) {
      if (alive) continue;
      try {
        unlinkSync(this.lockPath(owner));
      } catch {
        // already gone
      }
    }
    // The records first, then their losses: a caller that counts records in
    // and out (flush targets) never sees more out than in.
    const records = this.waiting - waitingBefore + damaged;
    if (records > 0) this.onAdopt(records);
    if (damaged > 0) this.onDrop('spool-damaged', damaged);
    if (adopted.length === 0) return;
    this.adoptedCount += adopted.length;
    const active = this.active;
    const rest = this.segments.filter((s) => s !== active);
    rest.push(...adopted);
    rest.sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0));
    this.segments.length = 0;
    this.segments.push(...rest);
    if (active) this.segments.push(active);
    this.evict();
  }

  /** A snapshot; cheap, never throws. */
  stats(): SpoolStats {
    const oldest = this.segments.find((s) => s.acked.size < s.frames.length);
    return {
      dir: this.dir,
      usable: this.usable,
      bytes: this.totalBytes,
      records: this.waiting,
      segments: this.segments.length,
      oldestAgeMillis: oldest ? Math.max(0, Date.now() - oldest.createdMs) : 0,
      evicted: this.evicted,
      damaged: { bytes: this.damagedBytes, records: this.damagedRecords },
      adopted: this.adoptedCount,
    };
  }

  /**
   * Closes the files and removes the lock file, so the next process adopts
   * what is left at once. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const segment of this.segments) {
      this.closeFd(segment);
      closeQuietly(segment.ackFd);
      segment.ackFd = undefined;
    }
    this.closeReadFd();
    this.readBufferHolder = undefined;
    this.reads.giveBack();
    this.reads.release();
    this.active = undefined;
    if (!this.claimed) return;
    try {
      unlinkSync(this.lockPath(this.owner));
    } catch {
      // never created, or removed by hand
    }
    // Nothing left: remove the directories this process created, so an app
    // whose endpoint kept up leaves no trace (rmdir fails on a non-empty one).
    if (this.createdRoot === undefined || this.segments.length > 0) return;
    for (let dir = this.dir; ; dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        return;
      }
      if (dir === this.createdRoot || dirname(dir) === dir) return;
    }
  }

  private startSegment(): Segment {
    if (this.active) this.closeFd(this.active);
    const createdMs = Date.now();
    const stem = `${String(createdMs).padStart(13, '0')}-${String(this.seq++ % 1_000_000).padStart(6, '0')}-${randomBytes(2).toString('hex')}`;
    const path = join(this.dir, `${stem}.${this.owner}.seg`);
    const fd = openSync(path, 'a+', 0o600);
    const segment: Segment = {
      stem,
      createdMs,
      path,
      fd,
      ackFd: undefined,
      frames: [],
      acked: new Set(),
      inFlight: new Set(),
      bytes: 0,
      cursor: 0,
      removed: false,
    };
    this.segments.push(segment);
    this.active = segment;
    return segment;
  }

  /** Reads an adopted segment; its damaged records are counted here and reported by the caller. */
  private loadSegment(
    stem: string,
    createdMs: number,
    path: string,
  ): { segment: Segment | undefined; damagedRecords: number } {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (error) {
      reportOnce(`spool:read:${ioErrorCode(error)}`, `could not read spool segment ${path}`, error);
      return { segment: undefined, damagedRecords: 0 };
    }
    const scan = scanFrames(data);
    if (scan.damagedBytes > 0) {
      this.damagedBytes += scan.damagedBytes;
      this.damagedRecords += scan.damagedRecords;
      reportOnce(
        `spool:damaged:${stem}`,
        `skipped ${scan.damagedBytes} damaged byte(s) (${scan.damagedRecords} record(s)) in spool segment ${path}`,
      );
    }
    let acked = new Set<number>();
    try {
      acked = readAcks(readFileSync(join(this.dir, stem + ACK_SUFFIX)));
    } catch {
      // no acknowledgements yet
    }
    const segment: Segment = {
      stem,
      createdMs,
      path,
      fd: undefined,
      ackFd: undefined,
      frames: scan.frames,
      acked: new Set([...acked].filter((i) => i < scan.frames.length)),
      inFlight: new Set(),
      bytes: data.length,
      cursor: 0,
      removed: false,
    };
    while (segment.acked.has(segment.cursor)) segment.cursor++;
    this.totalBytes += segment.bytes;
    for (let i = 0; i < segment.frames.length; i++) {
      if (!segment.acked.has(i)) this.waiting += segment.frames[i]!.records;
    }
    if (segment.acked.size >= segment.frames.length) {
      this.segments.push(segment);
      this.removeSegment(segment);
      return { segment: undefined, damagedRecords: scan.damagedRecords };
    }
    return { segment, damagedRecords: scan.damagedRecords };
  }

  /**
   * The frame's payload, read again from disk with its header, or undefined
   * when it cannot be read or no longer matches its header and checksum (the
   * file was damaged since it was written or scanned: reported once per
   * segment).
   */
  private readPayload(segment: Segment, frame: FrameInfo): Buffer | undefined {
    const size = FRAME_HEADER_BYTES + frame.length;
    // The reused buffer when no frame handed out holds it. A fresh buffer per
    // replayed batch cost its allocation, page faults and the collections V8
    // runs on external memory (see ReusableBuffer).
    const data = this.reads.take(size);
    const payload = this.readInto(data, segment, frame);
    if (payload === undefined && this.reads.isLent(data)) this.reads.giveBack();
    return payload;
  }

  private readInto(data: Buffer, segment: Segment, frame: FrameInfo): Buffer | undefined {
    const size = data.length;
    let fd = segment.fd;
    try {
      fd ??= this.readFdOf(segment);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, data, read, size - read, frame.offset + read);
        if (n === 0) break;
        read += n;
      }
      const payload = data.subarray(FRAME_HEADER_BYTES);
      // zlib's CRC-32 runs at memory speed: a small cost on the replay path only.
      const header = frameHeader(frame.length, frame.records, frame.encoding, crc32(payload));
      if (read < size || !header.equals(data.subarray(0, FRAME_HEADER_BYTES))) {
        reportOnce(
          `spool:damaged:${segment.stem}`,
          `skipped a damaged batch (${frame.records} record(s)) in spool segment ${segment.path}`,
        );
        return undefined;
      }
      return payload;
    } catch (error) {
      reportOnce(
        `spool:read:${ioErrorCode(error)}`,
        `could not read spool segment ${segment.path}`,
        error,
      );
      return undefined;
    }
  }

  /**
   * A read descriptor of a segment that is no longer appended to, kept for
   * the next frames of the same segment (one open and close per replayed
   * batch before); one segment's at a time.
   */
  private readFdOf(segment: Segment): number {
    const reading = this.reading;
    if (reading?.segment === segment) return reading.fd;
    this.closeReadFd();
    const fd = openSync(segment.path, 'r');
    this.reading = { segment, fd };
    return fd;
  }

  private closeReadFd(): void {
    closeQuietly(this.reading?.fd);
    this.reading = undefined;
  }

  private evict(): void {
    while (this.totalBytes > this.maxBytes) {
      const oldest = this.segments.find((s) => s !== this.active);
      if (!oldest) break;
      let lost = 0;
      for (let i = 0; i < oldest.frames.length; i++) {
        if (!oldest.acked.has(i)) lost += oldest.frames[i]!.records;
      }
      this.evicted += lost;
      this.removeSegment(oldest);
      if (lost > 0) {
        this.onDrop('spool-full', lost);
        reportOnce(
          'spool:full',
          `the spool in ${this.dir} is full (${this.maxBytes} bytes); evicting the oldest records`,
        );
      }
    }
  }

  private removeSegment(segment: Segment): void {
    if (segment.removed) return;
    segment.removed = true;
    this.closeFd(segment);
    closeQuietly(segment.ackFd);
    segment.ackFd = undefined;
    if (this.reading?.segment === segment) this.closeReadFd();
    if (segment === this.active) this.active = undefined;
    const at = this.segments.indexOf(segment);
    if (at !== -1) this.segments.splice(at, 1);
    this.totalBytes -= segment.bytes;
    for (let i = 0; i < segment.frames.length; i++) {
      if (!segment.acked.has(i)) this.waiting -= segment.frames[i]!.records;
    }
    for (const path of [segment.path, join(this.dir, segment.stem + ACK_SUFFIX)]) {
      try {
        unlinkSync(path);
      } catch {
        // the ack file may not exist
      }
    }
  }

  private closeFd(segment: Segment): void {
    closeQuietly(segment.fd);
    segment.fd = undefined;
  }

  private ownerAlive(owner: string): boolean {
    const pid = Number(owner.split('.')[0]);
    let mtime: number;
    try {
      mtime = statSync(this.lockPath(owner)).mtimeMs;
    } catch {
      return false; // no lock: the owner shut down (or never finished starting)
    }
    if (Date.now() - mtime > this.staleLockMillis) return false;
    if (pid === process.pid) return true; // our pid, other owner: another pid namespace; trust the heartbeat
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return ioErrorCode(error) === 'EPERM';
    }
  }

  private lockPath(owner: string): string {
    return join(this.dir, owner + LOCK_SUFFIX);
  }

  /**
   * A write to `segment` failed (ENOSPC, EIO…): the partial frame it may have
   * left is cut off, and the next write starts a new segment, so the frames
   * recorded in memory always match the file.
   */
  private abandon(segment: Segment): void {
    if (segment.fd !== undefined) {
      try {
        ftruncateSync(segment.fd, segment.bytes);
      } catch {
        // A torn tail that stays is skipped as damage by the next reader.
      }
    }
    this.closeFd(segment);
    if (segment === this.active) this.active = undefined;
    if (segment.frames.length === 0) this.removeSegment(segment);
  }

  private recovered(): void {
    this.retrying = false;
    this.retryMillis = 0;
    try {
      diag.info(`otel-logkit: the spool in ${this.dir} is usable again`);
    } catch {
      // A diag logger that throws must not reach the application.
    }
  }

  private fail(error: unknown): void {
    this.failed = true;
    this.retrying = false;
    this.retryMillis =
      this.retryMillis === 0 ? this.minRetryMillis : Math.min(60_000, this.retryMillis * 2);
    this.retryAt = Date.now() + this.retryMillis;
    // One report per cause (ENOSPC, EROFS…), whichever write met it first.
    reportOnce(
      `spool:${ioErrorCode(error)}`,
      `the spool in ${this.dir} cannot be used (${ioErrorCode(error)}); records are kept in memory only and counted when dropped, and the spool is tried again after ${this.retryMillis} ms`,
      error,
    );
  }
}
