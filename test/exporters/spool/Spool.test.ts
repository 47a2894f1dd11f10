import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type SpooledFrame, type SpoolOptions } from '../../../src/exporters/spool/Spool.js';
import { resetReportOnce } from '../../../src/internal/reportOnce.js';
import { scanFrames } from '../../../src/exporters/spool/spoolFormat.js';
import { CAN_MOUNT, mountTmpfs, remountTmpfs, unmountTmpfs } from '../../helpers/tmpfs.js';

let dir: string;
let root: string;
const open: Spool[] = [];

function spool(options: Partial<SpoolOptions> = {}): Spool {
  const s = new Spool({ dir, maxBytes: 1024 * 1024, encoding: 'protobuf', ...options });
  s.open();
  open.push(s);
  return s;
}

const payload = (text: string) => new TextEncoder().encode(text);

/** Drains `s`: the payloads handed out, each acknowledged. */
function drain(s: Spool): string[] {
  const out: string[] = [];
  for (let frame = s.peek(); frame; frame = s.peek()) {
    out.push(frame.payload.toString('utf8'));
    s.ack(frame.ref);
  }
  return out;
}

/** A pid that is not running: a child that already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logkit-spool-'));
  dir = join(root, 'spool');
});

const mounts: string[] = [];

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const m of mounts.splice(0)) unmountTmpfs(m);
  rmSync(root, { recursive: true, force: true });
  resetReportOnce();
  diag.disable();
});

/** A diag logger whose error and info calls are recorded (messages only). */
function recordDiag(): { errors: string[]; infos: string[] } {
  const seen = { errors: [] as string[], infos: [] as string[] };
  const ignore = (): void => {};
  diag.setLogger(
    {
      error: (m: string) => seen.errors.push(m),
      info: (m: string) => seen.infos.push(m),
      warn: ignore,
      debug: ignore,
      verbose: ignore,
    },
    DiagLogLevel.ALL,
  );
  return seen;
}

/** A tmpfs of `sizeKb` KiB at `<root>/mnt`, unmounted after the test. */
function tmpfs(sizeKb: number): string {
  const mnt = join(root, 'mnt');
  mkdirSync(mnt);
  mountTmpfs(mnt, sizeKb);
  mounts.push(mnt);
  return mnt;
}

describe('Spool', () => {
  describe('append / peek / ack', () => {
    it('should hand out frames oldest first and keep them until acknowledged', () => {
      const s = spool();
      s.append(payload('a'), 1);
      s.append(payload('b'), 2);
      expect(s.records).toBe(3);
      const first = s.peek()!;
      expect(first.payload.toString()).toBe('a');
      // In flight: not handed out twice.
      const second = s.peek()!;
      expect(second.payload.toString()).toBe('b');
      expect(s.peek()).toBeUndefined();
      s.release(first.ref);
      expect(s.peek()!.payload.toString()).toBe('a');
      s.ack(first.ref);
      s.ack(second.ref);
      expect(s.records).toBe(0);
      expect(s.stats()).toMatchObject({ records: 0, segments: 0, bytes: 0 });
    });

    it('should keep every payload handed out intact until it is acknowledged or released, whatever is read meanwhile', () => {
      // Replayed frames are read into a reused buffer, but only one frame
      // holds it at a time: interleaved peeks, acks and releases of frames of
      // different sizes never change the bytes of a frame still handed out.
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 8 }),
          fc.array(fc.constantFrom('peek', 'ack', 'release'), { minLength: 1, maxLength: 30 }),
          (sizes, ops) => {
            dir = join(root, `p${Math.random().toString(36).slice(2)}`);
            const s = spool({ maxBytes: 64 * 1024 * 1024 });
            const contents = sizes.map((n, i) => Buffer.alloc(n, 97 + i));
            for (const c of contents) s.append(c, 1);
            const held: Array<{ frame: SpooledFrame; expected: Buffer }> = [];
            for (const op of ops) {
              if (op === 'peek') {
                const frame = s.peek();
                if (frame) {
                  const expected = contents.find((c) => c[0] === frame.payload[0])!;
                  held.push({ frame, expected });
                }
              } else if (held.length > 0) {
                const { frame } = held.shift()!;
                if (op === 'ack') s.ack(frame.ref);
                else s.release(frame.ref);
              }
              for (const h of held) expect(h.frame.payload.equals(h.expected)).toBe(true);
            }
            s.close();
          },
        ),
        { numRuns: 60 },
      );
    });

    it('should create the directory 0700 and files 0600 only when something is written', () => {
      const s = spool();
      expect(() => statSync(dir)).toThrow();
      s.append(payload('x'), 1);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const name of readdirSync(dir))
        expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    });
  });

  describe('close', () => {
    it('should remove the directories it created when nothing is left, and keep them otherwise', () => {
      const nested = join(root, 'a', 'spool');
      dir = nested;
      const empty = spool();
      const frame = (empty.append(payload('x'), 1), empty.peek()!);
      empty.ack(frame.ref);
      empty.close();
      expect(readdirSync(root)).toEqual([]);

      const kept = spool();
      kept.append(payload('y'), 1);
      kept.close();
      expect(readdirSync(nested).filter((n) => n.endsWith('.seg'))).toHaveLength(1);
    });
  });

  describe('restart', () => {
    it('should let the next process replay what is left, without the acknowledged frames', () => {
      const first = spool();
      for (const p of ['a', 'b', 'c', 'd']) first.append(payload(p), 1);
      const a = first.peek()!;
      first.ack(a.ref);
      const b = first.peek()!;
      first.ack(b.ref);
      first.close();
      const next = spool();
      expect(next.records).toBe(2);
      expect(next.stats().adopted).toBe(1);
      expect(drain(next)).toEqual(['c', 'd']);
      expect(readdirSync(dir).filter((n) => n.endsWith('.seg'))).toEqual([]);
    });

    it('should replay across rotated segments and keep every acknowledgement, in order, for the next process', () => {
      // Each frame fills a segment of its own: reads move from segment to
      // segment (and the active one is appended to meanwhile), and the
      // acknowledgements of several segments are written at once.
      const first = spool({ segmentBytes: 1 });
      for (const p of ['a', 'b', 'c']) first.append(payload(p), 1);
      const a = first.peek()!;
      const b = first.peek()!;
      first.append(payload('d'), 1);
      first.ack(b.ref);
      first.release(a.ref);
      const again = first.peek()!;
      expect(again.payload.toString()).toBe('a');
      const c = first.peek()!;
      expect(c.payload.toString()).toBe('c');
      first.append(payload('e'), 1);
      first.ack(c.ref);
      first.close();
      expect(readdirSync(dir).filter((n) => n.endsWith('.seg'))).toHaveLength(3);
      const next = spool();
      expect(next.records).toBe(3);
      expect(drain(next)).toEqual(['a', 'd', 'e']);
    });

    it('should not adopt the segments of a live owner', () => {
      const live = spool();
      live.append(payload('mine'), 1);
      const other = spool();
      expect(other.records).toBe(0);
      expect(other.peek()).toBeUndefined();
      expect(live.peek()!.payload.toString()).toBe('mine');
    });

    it('should adopt the segments of a dead pid and of a stale lock', () => {
      const left = spool();
      left.append(payload('from-dead'), 1);
      left.close();
      // Make the segment look like it belongs to a dead process with a fresh lock…
      const seg = readdirSync(dir).find((n) => n.endsWith('.seg'))!;
      const dead = `${deadPid()}.deadbeef`;
      renameSync(
        join(dir, seg),
        join(dir, seg.replace(/\.[0-9]+\.[0-9a-f]+\.seg$/, `.${dead}.seg`)),
      );
      writeFileSync(join(dir, `${dead}.lock`), '{}');
      // …and another to a live pid (ours) whose lock went stale.
      const stale = spool();
      stale.append(payload('from-stale'), 1);
      // By content: opening `stale` may already have adopted the dead segment,
      // so two segments can carry its owner (which comes first is the
      // directory's order).
      const staleSeg = readdirSync(dir)
        .filter((n) => n.includes(stale.owner) && n.endsWith('.seg'))
        .find((n) => readFileSync(join(dir, n)).includes('from-stale'))!;
      const staleOwner = `${process.pid}.0000aaaa`;
      renameSync(join(dir, staleSeg), join(dir, staleSeg.replace(stale.owner, staleOwner)));
      writeFileSync(join(dir, `${staleOwner}.lock`), '{}');
      const old = new Date(Date.now() - 120_000);
      utimesSync(join(dir, `${staleOwner}.lock`), old, old);
      stale.close();

      const adopter = spool();
      expect(drain(adopter).sort()).toEqual(['from-dead', 'from-stale']);
      expect(readdirSync(dir).filter((n) => n.endsWith('.lock'))).toEqual([
        `${adopter.owner}.lock`,
      ]);
    });
  });

  describe('damage', () => {
    it('should skip a torn write and garbage, count them, and keep the good frames', () => {
      const drops: Array<[string, number]> = [];
      const s = spool();
      for (const p of ['one', 'two', 'three']) s.append(payload(p), 5);
      s.close();
      const seg = join(
        dir,
        readdirSync(dir).find((n) => n.endsWith('.seg'))!,
      );
      const data = readFileSync(seg);
      const frames = scanFrames(data).frames;
      // Flip a payload byte of the second frame, and tear the end off the file.
      const at = frames[1]!.offset + 17;
      data[at] = data[at]! ^ 0xff;
      writeFileSync(seg, Buffer.concat([data, Buffer.from('OLKF\0\0\0')]));
      const next = spool({ onDrop: (reason, n) => drops.push([reason, n]) });
      expect(drain(next)).toEqual(['one', 'three']);
      expect(drops).toEqual([['spool-damaged', 5]]);
      expect(next.stats().damaged).toEqual({ bytes: 17 + 3 + 7, records: 5 });
    });
  });

  describe('damage in a live segment', () => {
    it('should check each frame again when it is read, and skip one damaged since it was written', () => {
      const seen = recordDiag();
      const drops: Array<[string, number]> = [];
      const s = spool({ onDrop: (reason, n) => drops.push([reason, n]) });
      for (const p of ['one', 'two', 'three']) s.append(payload(p), 5);
      const seg = join(
        dir,
        readdirSync(dir).find((n) => n.endsWith('.seg'))!,
      );
      const data = readFileSync(seg);
      const second = scanFrames(data).frames[1]!;
      // One flipped payload byte of the second frame, in place (the file stays open).
      const at = second.offset + 17 + 1;
      const patched = Buffer.from(data);
      patched[at] = patched[at]! ^ 0xff;
      writeFileSync(seg, patched, { flag: 'r+' });
      expect(drain(s)).toEqual(['one', 'three']);
      expect(drops).toEqual([['spool-damaged', 5]]);
      expect(s.stats()).toMatchObject({ records: 0, damaged: { bytes: 17 + 3, records: 5 } });
      expect(seen.errors.join('\n')).toMatch(/damaged batch \(5 record/);
    });
  });

  describe('size cap', () => {
    it('should evict the oldest segments past maxBytes and count their records as spool-full', () => {
      const drops: Array<[string, number]> = [];
      const s = spool({
        maxBytes: 65_536,
        segmentBytes: 16_384,
        onDrop: (reason, n) => drops.push([reason, n]),
      });
      const big = new Uint8Array(4000).fill(65);
      for (let i = 0; i < 40; i++) s.append(big, 10);
      const stats = s.stats();
      expect(stats.bytes).toBeLessThanOrEqual(65_536);
      const evicted = drops.reduce((sum, [, n]) => sum + n, 0);
      expect(drops.every(([reason]) => reason === 'spool-full')).toBe(true);
      expect(evicted).toBe(stats.evicted);
      expect(evicted + stats.records).toBe(400);
      expect(evicted).toBeGreaterThan(0);
    });
  });

  describe('disk errors', () => {
    it('should turn itself off when the directory cannot be created, without throwing', () => {
      // A file where the directory should be: mkdir fails (ENOTDIR) even for
      // root, which a read-only directory would not stop.
      const parent = join(root, 'not-a-dir');
      writeFileSync(parent, '');
      dir = join(parent, 'spool');
      const s = spool();
      expect(s.append(payload('x'), 1)).toBeUndefined();
      expect(s.usable).toBe(false);
      expect(s.stats().usable).toBe(false);
      expect(s.peek()).toBeUndefined();
    });
  });

  // Real disks: a full tmpfs (ENOSPC) and a read-only one (EROFS).
  describe.skipIf(!CAN_MOUNT && !process.env.CI)('disk errors on a tmpfs', () => {
    it('should stop at a full disk without throwing or tearing a frame, report once, and write again once space is freed', async () => {
      const seen = recordDiag();
      dir = join(tmpfs(256), 'spool');
      // The cap is past the disk's size: the disk fills first.
      const s = spool({ maxBytes: 4 * 1024 * 1024, retryMillis: 200 });
      const frame = (i: number) => Buffer.concat([payload(`frame-${i}:`), new Uint8Array(8000)]);
      const written: string[] = [];
      let i = 0;
      for (; i < 100; i++) {
        const ref = s.append(frame(i), 1);
        if (!ref) break;
        written.push(`frame-${i}:`);
      }
      expect(written.length).toBeGreaterThan(5);
      expect(i).toBeLessThan(100);
      expect(s.usable).toBe(false);
      // Within the retry delay: more appends fail quietly; one report in all.
      expect(s.append(frame(1000), 1)).toBeUndefined();
      expect(seen.errors.filter((m) => /cannot be used \(ENOSPC\)/.test(m))).toHaveLength(1);
      // The frame that did not fit was cut off: the files hold exactly the frames counted.
      let frames = 0;
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.seg'))) {
        const scan = scanFrames(readFileSync(join(dir, name)));
        expect(scan.damagedBytes).toBe(0);
        frames += scan.frames.length;
      }
      expect(frames).toBe(written.length);
      expect(s.records).toBe(written.length);
      // Delivering the backlog frees the space…
      expect(drain(s).map((p) => p.slice(0, p.indexOf(':') + 1))).toEqual(written);
      // …and after the retry delay the spool writes again.
      await new Promise((r) => setTimeout(r, 250));
      expect(s.usable).toBe(true);
      expect(s.append(payload('after'), 1)).toBeDefined();
      expect(s.stats()).toMatchObject({ usable: true, records: 1 });
      expect(seen.infos.join('\n')).toMatch(/usable again/);
      expect(drain(s)).toEqual(['after']);
    });

    it('should retry a disk that stays full with a growing delay, without reporting again', async () => {
      const seen = recordDiag();
      const mnt = tmpfs(64);
      // A file takes all the space.
      const filler = new Uint8Array(1024);
      for (let n = 0; n < 200; n++) {
        try {
          writeFileSync(join(mnt, 'filler'), filler, { flag: 'a' });
        } catch {
          break;
        }
      }
      dir = join(mnt, 'spool');
      const s = spool({ retryMillis: 100 });
      expect(s.append(payload('x'), 1)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 130));
      // The retry is due: it fails again, and the next one waits 200 ms.
      expect(s.append(payload('y'), 1)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 130));
      expect(s.usable).toBe(false);
      expect(seen.errors).toHaveLength(1);
      rmSync(join(mnt, 'filler'));
      await new Promise((r) => setTimeout(r, 100));
      expect(s.append(payload('z'), 1)).toBeDefined();
      expect(drain(s)).toEqual(['z']);
    });

    it('should turn itself off on a read-only directory without throwing, and write again once it is writable', async () => {
      const seen = recordDiag();
      const mnt = tmpfs(256);
      dir = join(mnt, 'spool');
      mkdirSync(dir);
      remountTmpfs(mnt, 'ro');
      const s = spool({ retryMillis: 100 });
      expect(s.append(payload('x'), 1)).toBeUndefined();
      expect(s.append(payload('y'), 1)).toBeUndefined();
      expect(s.stats()).toMatchObject({ usable: false, records: 0 });
      expect(seen.errors.filter((m) => /cannot be used \(EROFS\)/.test(m))).toHaveLength(1);
      remountTmpfs(mnt, 'rw');
      await new Promise((r) => setTimeout(r, 150));
      expect(s.append(payload('z'), 1)).toBeDefined();
      expect(drain(s)).toEqual(['z']);
    });
  });
});
