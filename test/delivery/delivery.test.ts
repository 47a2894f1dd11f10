/**
 * Zero-loss delivery end to end: child processes of the built package (run
 * `npx tsup` first) log to a loopback receiver that misbehaves, and every
 * record must arrive exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCountingReceiver, type CountingReceiver } from '../helpers/countingReceiver.js';
import { CAN_MOUNT, mountTmpfs, remountTmpfs, unmountTmpfs } from '../helpers/tmpfs.js';

const ROOT = resolve(import.meta.dirname, '../..');
const APP = join(ROOT, 'test/fixtures/delivery-app.mjs');

interface AppEvent {
  event: string;
  logged: number;
  maxRssKb?: number;
  stats?: { received: number; dropped: Record<string, number> };
}

interface App {
  readonly child: ChildProcess;
  readonly events: AppEvent[];
  readonly stderr: () => string;
  /** Resolves with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once an event matching `predicate` was printed. */
  until(predicate: (e: AppEvent) => boolean, timeoutMs?: number): Promise<AppEvent>;
}

let receiver: CountingReceiver;
let root: string;
const children: ChildProcess[] = [];

function startApp(env: Record<string, string>): App {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTEL_')) childEnv[k] = v;
  const child = spawn(process.execPath, [APP], {
    cwd: root,
    env: {
      ...childEnv,
      NODE_PATH: join(ROOT, 'node_modules'),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGKIT_LOG_DIR: join(root, 'logs'),
      OTEL_BLRP_SCHEDULE_DELAY: '200',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const events: AppEvent[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as AppEvent);
    for (const w of [...waiters]) w();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => {
      for (const w of [...waiters]) w();
      done({ code, signal });
    }),
  );
  return {
    child,
    events,
    stderr: () => stderr,
    exited,
    until(predicate, timeoutMs = 30_000) {
      return new Promise<AppEvent>((ok, fail) => {
        const check = (): void => {
          const found = events.find(predicate);
          if (found) {
            cleanup();
            ok(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            fail(new Error(`app exited before the event; stderr:\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          fail(new Error(`no such event within ${timeoutMs} ms; stderr:\n${stderr}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

async function runToEnd(env: Record<string, string>, timeoutMs = 120_000): Promise<App> {
  const app = startApp(env);
  const timer = setTimeout(() => app.child.kill('SIGKILL'), timeoutMs);
  const { code } = await app.exited;
  clearTimeout(timer);
  expect(code, app.stderr()).toBe(0);
  return app;
}

const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.seg'));

beforeAll(async () => {
  receiver = await startCountingReceiver();
});
afterAll(async () => {
  await receiver.stop();
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logkit-delivery-e2e-'));
});
const mounts: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const m of mounts.splice(0)) unmountTmpfs(m);
  receiver.setFault({ kind: 'ok' });
  await receiver.start().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe('zero-loss delivery (child processes)', () => {
  it('should deliver bursts of 200,000 and 1,000,000 records once each, with peak RSS not growing with the burst', async () => {
    const small = await runToEnd({ COUNT: '200000', TAG: 'b200k' });
    expect(receiver.check('b200k', 200_000)).toEqual({ missing: [], duplicated: [] });
    const large = await runToEnd({ COUNT: '1000000', TAG: 'b1m' });
    expect(receiver.check('b1m', 1_000_000)).toEqual({ missing: [], duplicated: [] });
    const rss = (app: App) => app.events.find((e) => e.event === 'done')!.maxRssKb! / 1024;
    const [smallMb, largeMb] = [rss(small), rss(large)];
    console.log(`peak RSS: 200k burst ${smallMb.toFixed(0)} MB, 1M burst ${largeMb.toFixed(0)} MB`);
    // Generous: five times the records must not cost twice the memory.
    expect(largeMb).toBeLessThan(smallMb * 2);
    for (const app of [small, large]) {
      const dropped = app.events.at(-1)!.stats!.dropped;
      expect(Object.values(dropped).every((n) => n === 0)).toBe(true);
    }
  }, 240_000);

  it('should write every record of a 200,000-record burst to the files of the embedded default, once', async () => {
    const logDir = join(root, 'logs');
    const app = await runToEnd({
      COUNT: '200000',
      TAG: 'file',
      LOGS_EXPORTER: 'file',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_LOGKIT_LOG_DIR: logDir,
      // One file, so rotation (which deletes old backups by design) loses nothing.
      OTEL_LOGKIT_MAX_FILE_BYTES: String(1024 * 1024 * 1024),
    });
    const seen = new Uint8Array(200_000);
    for (const line of readFileSync(join(logDir, 'app.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      const request = JSON.parse(line) as {
        resourceLogs: { scopeLogs: { logRecords: { body: { stringValue: string } }[] }[] }[];
      };
      for (const rl of request.resourceLogs)
        for (const sl of rl.scopeLogs)
          for (const lr of sl.logRecords) seen[Number(lr.body.stringValue.slice(5))]!++;
    }
    expect(seen.every((n) => n === 1)).toBe(true);
    const done = app.events.find((e) => e.event === 'done')!;
    expect(Object.values(done.stats!.dropped).every((n) => n === 0)).toBe(true);
    console.log(
      `embedded default, 200k burst to files: peak RSS ${Math.round(done.maxRssKb! / 1024)} MB`,
    );
    // Nothing is left waiting: the spool directory is gone again.
    expect(readdirSync(logDir)).toEqual(['app.jsonl']);
  }, 120_000);

  it('should keep what was logged during an outage through SIGTERM, and deliver it once from the next process', async () => {
    await receiver.stop();
    const spoolDir = join(root, 'spool');
    const first = startApp({
      COUNT: '100000',
      RATE: '1000',
      TAG: 'term',
      END: 'wait',
      OTEL_LOGKIT_SPOOL_DIR: spoolDir,
    });
    await first.until((e) => e.event === 'progress' && e.logged >= 2500);
    const atSignal = first.events.filter((e) => e.event === 'progress').at(-1)!.logged;
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const ended = await first.exited;
    const took = Date.now() - signalled;
    expect(ended.signal).toBe('SIGTERM');
    // The default delivery deadline is 3 s, the exit hooks' 5 s; an outage
    // found before the signal needs neither.
    expect(took).toBeLessThan(5000);
    const logged = first.events.filter((e) => e.event === 'progress').at(-1)!.logged;
    expect(segments(spoolDir).length).toBeGreaterThan(0);

    await receiver.start();
    await runToEnd({ COUNT: '0', TAG: 'next', END: 'flush', OTEL_LOGKIT_SPOOL_DIR: spoolDir });
    // Everything logged before the signal arrives once; the app may log on
    // while it shuts down (see the next test), never twice.
    expect(receiver.check('term', atSignal)).toEqual({ missing: [], duplicated: [] });
    expect(receiver.check('term', logged).duplicated).toEqual([]);
    expect(segments(spoolDir)).toEqual([]);
  }, 60_000);

  it('should end within the deadline on SIGTERM while the endpoint hangs, and lose nothing', async () => {
    receiver.setFault({ kind: 'hang' });
    const spoolDir = join(root, 'spool');
    const first = startApp({
      COUNT: '100000',
      RATE: '1000',
      TAG: 'hung',
      END: 'wait',
      OTEL_LOGKIT_SPOOL_DIR: spoolDir,
      // The hang is not noticed before the signal: the request in flight
      // would time out after 10 s.
      OTEL_EXPORTER_OTLP_TIMEOUT: '10000',
      OTEL_LOGKIT_DELIVERY_DEADLINE: '1000',
    });
    await first.until((e) => e.event === 'progress' && e.logged >= 1500);
    const atSignal = first.events.filter((e) => e.event === 'progress').at(-1)!.logged;
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const ended = await first.exited;
    const took = Date.now() - signalled;
    expect(ended.signal).toBe('SIGTERM');
    // The flush before the providers shut down and the processor's own
    // shutdown each wait at most the 1 s deadline.
    expect(took).toBeLessThan(4000);
    const logged = first.events.filter((e) => e.event === 'progress').at(-1)!.logged;

    receiver.setFault({ kind: 'ok' });
    await runToEnd({ COUNT: '0', TAG: 'next', END: 'flush', OTEL_LOGKIT_SPOOL_DIR: spoolDir });
    // Everything logged before the signal arrives once. The app keeps
    // logging while it shuts down; what it logs after the processor stopped
    // is counted as dropped in the dying process, never sent twice.
    expect(receiver.check('hung', atSignal)).toEqual({ missing: [], duplicated: [] });
    expect(receiver.check('hung', logged).duplicated).toEqual([]);
  }, 60_000);

  it('should keep what reached the spool through kill -9 (the loss window is what was in memory)', async () => {
    await receiver.stop();
    const spoolDir = join(root, 'spool');
    const app = startApp({
      COUNT: '100000',
      RATE: '1000',
      TAG: 'kill',
      END: 'wait',
      OTEL_LOGKIT_SPOOL_DIR: spoolDir,
    });
    await app.until((e) => e.event === 'progress' && e.logged >= 3000);
    app.child.kill('SIGKILL');
    await app.exited;
    const logged = app.events.filter((e) => e.event === 'progress').at(-1)!.logged;

    await receiver.start();
    await runToEnd({ COUNT: '0', TAG: 'next', END: 'flush', OTEL_LOGKIT_SPOOL_DIR: spoolDir });
    const { missing, duplicated } = receiver.check('kill', logged);
    expect(duplicated).toEqual([]);
    const delivered = receiver.total('kill');
    const lost = logged - delivered;
    console.log(
      `kill -9 at 1,000 rec/s during an outage: ${logged} logged, ${delivered} delivered, ${lost} lost`,
    );
    // During an outage each full batch (512) and, every scheduled delay
    // (200 ms here), the partial one are spooled: the window is at most one
    // batch or one delay's records, whichever comes first.
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThanOrEqual(512);
    // Only the newest records can be missing.
    if (missing.length > 0) expect(Math.abs(missing[0]!)).toBeGreaterThanOrEqual(logged - 512);
  }, 60_000);

  it('should let two processes share a spool directory without sending a segment twice', async () => {
    await receiver.stop();
    const spoolDir = join(root, 'spool');
    const env = { RATE: '0', END: 'shutdown', OTEL_LOGKIT_SPOOL_DIR: spoolDir };
    // Two live processes spool at the same time during the outage…
    const [a, b] = await Promise.all([
      runToEnd({ ...env, COUNT: '20000', TAG: 'twoA' }),
      runToEnd({ ...env, COUNT: '20000', TAG: 'twoB' }),
    ]);
    expect(a.events.at(-1)!.stats!.dropped['export-failed']).toBe(0);
    expect(b.events.at(-1)!.stats!.dropped['export-failed']).toBe(0);
    expect(segments(spoolDir).length).toBeGreaterThanOrEqual(2);
    await receiver.start();
    // …and two live processes replay it at the same time: each segment once.
    await Promise.all([
      runToEnd({ COUNT: '0', TAG: 'x', END: 'flush', OTEL_LOGKIT_SPOOL_DIR: spoolDir }),
      runToEnd({ COUNT: '0', TAG: 'y', END: 'flush', OTEL_LOGKIT_SPOOL_DIR: spoolDir }),
    ]);
    expect(receiver.check('twoA', 20_000)).toEqual({ missing: [], duplicated: [] });
    expect(receiver.check('twoB', 20_000)).toEqual({ missing: [], duplicated: [] });
    expect(segments(spoolDir)).toEqual([]);
  }, 60_000);

  // A spool directory on a full tmpfs (ENOSPC) and on a read-only one (EROFS).
  describe.skipIf(!CAN_MOUNT && !process.env.CI)('disk errors', () => {
    function tmpfs(sizeKb: number): string {
      const mnt = join(root, 'mnt');
      mkdirSync(mnt);
      mountTmpfs(mnt, sizeKb);
      mounts.push(mnt);
      return mnt;
    }
    const dropped = (app: App) =>
      Object.values(app.events.at(-1)!.stats!.dropped).reduce((a, b) => a + b, 0);
    /** Diag reports of the spool turned off by `code` (OTEL_LOG_LEVEL prints diag to stderr). */
    const reports = (app: App, code: string) =>
      app.stderr().split(`cannot be used (${code})`).length - 1;

    it('should not crash on a full spool disk: every record of a burst is delivered or counted, one diag report', async () => {
      const mnt = tmpfs(256);
      for (let n = 0; n < 1000; n++) {
        try {
          writeFileSync(join(mnt, 'filler'), new Uint8Array(4096), { flag: 'a' });
        } catch {
          break;
        }
      }
      const app = await runToEnd({
        COUNT: '50000',
        TAG: 'enospc',
        OTEL_LOGKIT_SPOOL_DIR: join(mnt, 'spool'),
        OTEL_LOG_LEVEL: 'error',
      });
      const lost = dropped(app);
      expect(lost).toBeGreaterThan(0);
      expect(receiver.total('enospc') + lost).toBe(50_000);
      expect(receiver.check('enospc', 0).duplicated).toEqual([]);
      expect(reports(app, 'ENOSPC')).toBe(1);
    }, 60_000);

    it('should not crash on a read-only spool directory during an outage: every record is counted, one diag report', async () => {
      await receiver.stop();
      const mnt = tmpfs(256);
      mkdirSync(join(mnt, 'spool'));
      remountTmpfs(mnt, 'ro');
      const app = await runToEnd({
        COUNT: '5000',
        TAG: 'erofs',
        OTEL_LOGKIT_SPOOL_DIR: join(mnt, 'spool'),
        OTEL_LOG_LEVEL: 'error',
      });
      expect(dropped(app)).toBe(5000);
      expect(reports(app, 'EROFS')).toBe(1);
    }, 60_000);
  });
});
