import { spawnSync } from 'node:child_process';
import {
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
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type SpoolOptions } from '../../../src/exporters/spool/Spool.js';
import { resetReportOnce } from '../../../src/internal/reportOnce.js';
import { scanFrames } from '../../../src/exporters/spool/spoolFormat.js';

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

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(root, { recursive: true, force: true });
  resetReportOnce();
});

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
});
