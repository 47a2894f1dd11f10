import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RecordSpec } from './helpers.js';
import { PHASE_ONE, T0, lines, startCli, syntheticLine, waitFor, writeRecords } from './helpers.js';

let tmp: string;
const running: Array<ReturnType<typeof startCli>> = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'logkit-cli-follow-'));
});
afterEach(() => {
  for (const cli of running.splice(0)) cli.child.kill('SIGKILL');
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function follow(...args: string[]): ReturnType<typeof startCli> {
  const cli = startCli(['view', ...args, '--follow', '--json']);
  running.push(cli);
  return cli;
}

const messages = (cli: ReturnType<typeof startCli>): string[] =>
  lines(cli.stdout()).map((line) => JSON.parse(line).message as string);

const live = (from: number, count: number, category: string, prefix: string): RecordSpec[] =>
  Array.from({ length: count }, (_, i) => ({
    min: 1000 + from + i,
    level: 'info' as const,
    category,
    body: `${prefix} ${from + i}`,
    attrs: { 'user.id': `u-${from + i}`, padding: 'x'.repeat(200) },
  }));

describe('otel-logkit view --follow', () => {
  it('prints the last records, then new ones as they are written, across rotation', async () => {
    const dir = path.join(tmp, 'rotating');
    await writeRecords(dir, PHASE_ONE);
    const cli = follow(dir, '--tail', '2');
    await waitFor(
      () => messages(cli).length >= 2,
      () => `initial tail; stdout=${cli.stdout()} stderr=${cli.stderr()}`,
    );
    expect(messages(cli)).toEqual(['prompt built', 'tool crashed']);

    const current = path.join(dir, 'user_interactions.jsonl');
    const inodeBefore = statSync(current).ino;
    const backupsBefore = readdirSync(dir).filter((name) => name.endsWith('.gz')).length;
    await writeRecords(dir, live(0, 3, 'user', 'live'));
    await waitFor(
      () => messages(cli).length >= 5,
      () => `live records; stdout=${cli.stdout()} stderr=${cli.stderr()}`,
    );
    expect(messages(cli).slice(2)).toEqual(['live 0', 'live 1', 'live 2']);

    // More writes: the small files rotate under the follower, and a new
    // category file (security.jsonl) appears.
    await writeRecords(dir, live(3, 6, 'user', 'after rotation'));
    await writeRecords(dir, live(9, 1, 'security', 'new file'));
    expect(statSync(current).ino).not.toBe(inodeBefore);
    expect(readdirSync(dir).filter((name) => name.endsWith('.gz')).length).toBeGreaterThan(
      backupsBefore,
    );
    await waitFor(
      () => messages(cli).length >= 12,
      () => `after rotation; messages=${JSON.stringify(messages(cli))} stderr=${cli.stderr()}`,
    );
    expect(messages(cli).slice(5)).toEqual([
      'after rotation 3',
      'after rotation 4',
      'after rotation 5',
      'after rotation 6',
      'after rotation 7',
      'after rotation 8',
      'new file 9',
    ]);

    // A line written in two parts is printed once it is complete, not counted as malformed.
    const app = path.join(dir, 'app.jsonl');
    const line = syntheticLine(T0 + 2000 * 60_000, 1, 1, 'split line');
    appendFileSync(app, line.slice(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(messages(cli)).toHaveLength(12);
    appendFileSync(app, `${line.slice(40)}\n`);
    await waitFor(
      () => messages(cli).length >= 13,
      () => `split line; stdout=${cli.stdout()}`,
    );
    expect(messages(cli).at(-1)).toBe('split line 0');

    // Filters apply to followed records too.
    cli.child.kill('SIGTERM');
    const { code } = await cli.exited;
    expect(code).toBe(0);
    expect(cli.stderr()).toBe('');
    // Nothing was printed twice.
    expect(new Set(messages(cli)).size).toBe(messages(cli).length);
  });

  it('applies the filters to new records and starts at the end with --tail 0', async () => {
    const dir = path.join(tmp, 'filtered');
    await writeRecords(dir, PHASE_ONE);
    const cli = follow(dir, '--tail', '0', '--level', 'warn', '--category', 'user');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(cli.stdout()).toBe('');
    await writeRecords(dir, [
      { min: 500, level: 'info', category: 'user', body: 'ignored: info' },
      { min: 501, level: 'warn', category: 'tool', body: 'ignored: tool' },
      { min: 502, level: 'error', category: 'user', body: 'shown: user error' },
    ]);
    await waitFor(
      () => messages(cli).length >= 1,
      () => `filtered; stdout=${cli.stdout()} stderr=${cli.stderr()}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(messages(cli)).toEqual(['shown: user error']);
    cli.child.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);
  });

  it('follows a single file, starting with the last 10 records by default', async () => {
    const file = path.join(tmp, 'single.jsonl');
    appendFileSync(file, `${syntheticLine(T0, 12, 1000, 'old')}\n`);
    const cli = follow(file);
    await waitFor(
      () => messages(cli).length >= 10,
      () => `default tail; stdout=${cli.stdout()}`,
    );
    expect(messages(cli)[0]).toBe('old 2');
    appendFileSync(file, `${syntheticLine(T0 + 60_000, 2, 1000, 'new')}\n`);
    await waitFor(
      () => messages(cli).length >= 12,
      () => `single file; stdout=${cli.stdout()}`,
    );
    expect(messages(cli).slice(10)).toEqual(['new 0', 'new 1']);
    // Garbage appended while following is counted and reported when it stops.
    appendFileSync(file, 'garbage\n');
    await new Promise((resolve) => setTimeout(resolve, 500));
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
    expect(cli.stderr()).toMatch(/skipped 1 malformed line: .*single\.jsonl: 1 \(line 3\)/);
  });
});
