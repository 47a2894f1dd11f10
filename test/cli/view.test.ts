/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- parsed JSON output */
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_RECORDS,
  BIN,
  PHASE_ONE,
  PHASE_TWO,
  T0,
  TRACE_A,
  TRACE_B,
  lines,
  runCli,
  runShell,
  syntheticLine,
  writeRecords,
} from './helpers.js';

let tmp: string;
let logs: string;

// Messages in time order, as `view` must print them.
const inTimeOrder = [...ALL_RECORDS].sort((a, b) => a.min - b.min);
const iso = (min: number): string => new Date(T0 + min * 60_000).toISOString();

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'logkit-cli-view-'));
  logs = path.join(tmp, 'logs');
  await writeRecords(logs, PHASE_ONE);
  await writeRecords(logs, PHASE_TWO, { batch: true });
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function viewJson(...args: string[]): Array<Record<string, any>> {
  const result = runCli(['view', logs, '--json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return lines(result.stdout).map((line) => JSON.parse(line));
}

describe('otel-logkit view on files written by the file exporter', () => {
  it('reads the current files and their gzip backups', () => {
    const names = readdirSync(logs);
    expect(names.some((name) => /^user_interactions\.jsonl\.\d\.gz$/.test(name))).toBe(true);
    expect(names).toContain('user_interactions.jsonl');
    expect(names).toContain('app.jsonl');
  });

  it('prints every record once, in time order across files, one aligned line each', () => {
    const result = runCli(['view', logs]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const out = lines(result.stdout);
    expect(out).toHaveLength(ALL_RECORDS.length);
    // time, level, category, service, trace, message
    expect(out[0]).toBe(
      `${iso(0)} INFO  user        checkout         ${TRACE_A.slice(0, 8)} user signed in user.id=u-1 success=true duration_ms=100`,
    );
    expect(out.map((line) => line.slice(0, 24))).toEqual(inTimeOrder.map((spec) => iso(spec.min)));
    for (const [index, spec] of inTimeOrder.entries()) expect(out[index]).toContain(spec.body);
    // No colours in a pipe.
    expect(result.stdout).not.toContain('\x1b[');
    // The stacktrace stays out of the one-line view; the exception type is shown.
    const failed = out.find((line) => line.includes('payment failed'))!;
    expect(failed).toContain('exception.type=CardError');
    expect(failed).not.toContain('stacktrace');
    // Levels, categories and missing values are aligned columns.
    expect(out.find((line) => line.includes('cache warmed'))).toMatch(
      /^\S+ INFO {2,3}- {11}checkout {9}- {8}cache warmed entries=42$/,
    );
    expect(out.find((line) => line.includes('service listening'))).toMatch(/ NOTICE system /);
  });

  it('prints flat NDJSON records with --json', () => {
    const records = viewJson();
    expect(records).toHaveLength(ALL_RECORDS.length);
    const first = records[0]!;
    expect(Object.keys(first)).toEqual([
      'time',
      'time_unix_nano',
      'level',
      'severity_number',
      'category',
      'service',
      'message',
      'trace_id',
      'span_id',
      'scope',
      'event_name',
      'attributes',
      'resource',
      'file',
    ]);
    expect(first).toMatchObject({
      time: iso(0),
      time_unix_nano: `${BigInt(T0) * 1_000_000n}`,
      level: 'INFO',
      severity_number: 9,
      category: 'user',
      service: 'checkout',
      message: 'user signed in',
      trace_id: TRACE_A,
      span_id: '000000000000abcd',
      scope: 'shop.user',
      event_name: null,
      attributes: { 'user.id': 'u-1', success: true, duration_ms: 100, 'logkit.category': 'user' },
      resource: { 'service.name': 'checkout', 'service.version': '1.4.0' },
    });
    expect(first.file).toMatch(/user_interactions\.jsonl(\.\d\.gz)?$/);
    const cache = records.find((record) => record.message === 'cache warmed')!;
    expect(cache).toMatchObject({ category: null, trace_id: null, span_id: null, level: 'INFO' });
    const notice = records.find((record) => record.message === 'service listening')!;
    expect(notice).toMatchObject({ level: 'NOTICE', severity_number: 10 });
    const failed = records.find((record) => record.message === 'payment failed')!;
    expect(failed.attributes['exception.stacktrace']).toContain('at pay (shop.js:1:1)');
    // Records of one batch line are sorted by time, whatever their scope.
    expect(records.map((record) => record.time)).toEqual(inTimeOrder.map((spec) => iso(spec.min)));
  });

  it.each([
    [['--category', 'user'], ALL_RECORDS.filter((s) => s.category === 'user')],
    [
      ['--category', 'user,llm'],
      ALL_RECORDS.filter((s) => s.category === 'user' || s.category === 'llm'),
    ],
    [
      ['--category', 'tool', '--category', 'system'],
      ALL_RECORDS.filter((s) => s.category === 'tool' || s.category === 'system'),
    ],
    [['--level', 'warn'], ALL_RECORDS.filter((s) => ['warn', 'error', 'fatal'].includes(s.level))],
    [['--level', 'ERROR'], ALL_RECORDS.filter((s) => ['error', 'fatal'].includes(s.level))],
    [['--level', '10'], ALL_RECORDS.filter((s) => !['debug', 'info'].includes(s.level))],
    [['--level', 'notice'], ALL_RECORDS.filter((s) => !['debug', 'info'].includes(s.level))],
    [['--since', iso(100)], ALL_RECORDS.filter((s) => s.min >= 100)],
    [['--until', iso(100)], ALL_RECORDS.filter((s) => s.min < 100)],
    [
      ['--since', iso(60), '--until', iso(200)],
      ALL_RECORDS.filter((s) => s.min >= 60 && s.min < 200),
    ],
    [['--since', String((T0 + 240 * 60_000) / 1000)], ALL_RECORDS.filter((s) => s.min >= 240)],
    [['--keyword', 'signed'], ALL_RECORDS.filter((s) => s.body.includes('signed'))],
    [['--keyword', 'SIGNED', '-i'], ALL_RECORDS.filter((s) => s.body.includes('signed'))],
    [['--keyword', 'u-4'], ALL_RECORDS.filter((s) => s.attrs?.['user.id'] === 'u-4')],
    [
      ['--keyword', 'Timeout'],
      ALL_RECORDS.filter((s) => s.attrs?.['exception.type'] === 'TimeoutError'),
    ],
    [
      ['--grep', '^user signed (in|out)$'],
      ALL_RECORDS.filter((s) => s.body.startsWith('user signed')),
    ],
    [
      ['--grep', 'claude-\\w'],
      ALL_RECORDS.filter((s) => s.attrs?.['gen_ai.request.model'] === 'claude-x'),
    ],
    [
      ['--grep', 'PAYMENT', '--ignore-case'],
      ALL_RECORDS.filter((s) => s.body.startsWith('payment')),
    ],
    [['--trace-id', TRACE_A], ALL_RECORDS.filter((s) => s.trace === TRACE_A)],
    [
      ['--trace-id', TRACE_B.slice(0, 8).toUpperCase()],
      ALL_RECORDS.filter((s) => s.trace === TRACE_B),
    ],
    [['--attr', 'user.id=u-1'], ALL_RECORDS.filter((s) => s.attrs?.['user.id'] === 'u-1')],
    [['--attr', 'success=false'], ALL_RECORDS.filter((s) => s.attrs?.success === false)],
    [
      ['--attr', 'gen_ai.usage.input_tokens=200'],
      ALL_RECORDS.filter((s) => s.attrs?.['gen_ai.usage.input_tokens'] === 200),
    ],
    [['--attr', 'service.version=1.4.0'], ALL_RECORDS],
    [['--service', 'checkout'], ALL_RECORDS],
    // Combinations.
    [
      ['--category', 'user', '--level', 'warn'],
      ALL_RECORDS.filter((s) => s.category === 'user' && ['warn', 'error'].includes(s.level)),
    ],
    [
      ['--category', 'llm', '--attr', 'gen_ai.request.model=gpt-x', '--since', iso(100)],
      ALL_RECORDS.filter((s) => s.category === 'llm' && s.min >= 100),
    ],
    [['--keyword', 'tool', '--level', 'error', '--trace-id', TRACE_A], []],
    [
      ['--attr', 'user.id=u-4', '--attr', 'success=true'],
      ALL_RECORDS.filter((s) => s.attrs?.['user.id'] === 'u-4' && s.attrs.success === true),
    ],
    [
      ['--grep', 'executed', '--keyword', 'weather', '--until', iso(200)],
      ALL_RECORDS.filter(
        (s) => s.body === 'tool executed' && s.attrs?.['gen_ai.tool.name'] === 'weather',
      ),
    ],
  ])('filters with %j', (args, expected) => {
    const result = runCli(['view', logs, '--json', ...args]);
    const wanted = [...expected].sort((a, b) => a.min - b.min).map((s) => iso(s.min));
    expect(result.status).toBe(wanted.length > 0 ? 0 : 1);
    const got = lines(result.stdout).map((line) => JSON.parse(line).time as string);
    expect(got).toEqual(wanted);
  });

  it('prints the last N matching records with --tail', () => {
    const last = viewJson('--tail', '3');
    expect(last.map((record) => record.message)).toEqual([
      'job failed',
      'user signed out',
      'heartbeat',
    ]);
    const lastWarn = viewJson('--tail', '2', '--level', 'warn');
    expect(lastWarn.map((record) => record.message)).toEqual(['slow page', 'job failed']);
    const human = runCli(['view', logs, '-n', '1']);
    expect(lines(human.stdout)).toHaveLength(1);
    expect(human.stdout).toContain('heartbeat');
    expect(viewJson('--tail', '1000')).toHaveLength(ALL_RECORDS.length);
  });

  it('lists the files with size, record count and time range', () => {
    const result = runCli(['view', logs, '--list']);
    expect(result.status).toBe(0);
    const out = lines(result.stdout);
    expect(out[0]).toMatch(/^FILE +SIZE +RECORDS +FIRST +LAST$/);
    const files = readdirSync(logs);
    expect(out).toHaveLength(files.length + 2);
    expect(out.at(-1)).toMatch(
      new RegExp(`^${files.length} files, .+, ${ALL_RECORDS.length} records$`),
    );
    // Backups first, oldest first, then the current file.
    const userRows = out.filter((line) => line.includes('user_interactions'));
    expect(userRows.at(-1)).toContain('user_interactions.jsonl ');
    expect(userRows.at(-2)).toContain('user_interactions.jsonl.1.gz');

    const json = runCli(['view', logs, '--list', '--json']);
    const rows = lines(json.stdout).map((line) => JSON.parse(line));
    expect(rows).toHaveLength(files.length);
    expect(rows.reduce((sum, row) => sum + row.records, 0)).toBe(ALL_RECORDS.length);
    const app = rows.find((row) => row.file.endsWith('app.jsonl'));
    expect(app).toEqual({
      file: path.join(logs, 'app.jsonl'),
      size_bytes: readFileSync(path.join(logs, 'app.jsonl')).length,
      gzip: false,
      records: 2,
      first: iso(150),
      last: iso(300),
      malformed_lines: 0,
    });
    expect(rows.filter((row) => row.gzip).length).toBeGreaterThan(0);
    for (const row of rows) expect(row.gzip).toBe(row.file.endsWith('.gz'));

    const filtered = runCli(['view', logs, '--list', '--json', '--level', 'error']);
    const errorRows = lines(filtered.stdout).map((line) => JSON.parse(line));
    expect(errorRows.reduce((sum, row) => sum + row.records, 0)).toBe(4);
  });

  it('reads single files, gzip ones included, and the default directory', () => {
    const gz = readdirSync(logs).find((name) => name.endsWith('.gz'))!;
    const one = runCli(['view', path.join(logs, gz), '--json']);
    expect(one.status).toBe(0);
    expect(lines(one.stdout).length).toBeGreaterThan(0);
    const byEnv = runCli(['view', '--json'], { OTEL_LOGKIT_LOG_DIR: logs });
    expect(lines(byEnv.stdout)).toHaveLength(ALL_RECORDS.length);
    const byCwd = runCli(['view', '--json', '--level', 'fatal'], {});
    // ./logs of the project: whatever is there, never an error about the path.
    expect([0, 1, 2]).toContain(byCwd.status);
    // The same file twice counts once.
    const twice = runCli(['view', '--json', logs, path.join(logs, 'app.jsonl')]);
    expect(lines(twice.stdout)).toHaveLength(ALL_RECORDS.length);
  });

  it('colours with --color and under FORCE_COLOR; never with --no-color', () => {
    const coloured = runCli(['view', logs, '--color']);
    expect(coloured.stdout).toContain('\x1b[');
    expect(coloured.stdout).toContain('\x1b[31mERROR'); // red level
    const forced = runCli(['view', logs], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\x1b[');
    const off = runCli(['view', logs, '--no-color'], { FORCE_COLOR: '1' });
    expect(off.stdout).not.toContain('\x1b[');
    const noColor = runCli(['view', logs], { NO_COLOR: '1' });
    expect(noColor.stdout).not.toContain('\x1b[');
    // Colours never reach --json.
    expect(runCli(['view', logs, '--json', '--color']).stdout).not.toContain('\x1b[');
  });
});

// A pseudo-terminal through util-linux `script`, so stdout is a TTY.
const hasScript = runShell('command -v script').status === 0;

// Skipped only on a user's machine without util-linux `script`; in CI it runs
// (and fails clearly if `script` is missing).
describe.skipIf(!hasScript && !process.env.CI)('on a terminal', () => {
  it('should have util-linux `script` to make a pseudo-terminal', () => {
    expect(hasScript, 'install util-linux (the `script` command)').toBe(true);
  });

  const onTty = (args: string, env: Record<string, string> = {}): string => {
    const vars = Object.entries(env)
      .map(([key, value]) => `${key}=${value} `)
      .join('');
    const result = runShell(
      `${vars}script -qec '"${process.execPath}" "${BIN}" view "${logs}" ${args}' /dev/null`,
    );
    expect(result.status).toBe(0);
    return result.stdout;
  };

  it('colours by default, and not with NO_COLOR or --no-color', () => {
    expect(onTty('--tail 3')).toContain('\x1b[');
    expect(onTty('--tail 3', { NO_COLOR: '1' })).not.toContain('\x1b[');
    expect(onTty('--tail 3 --no-color')).not.toContain('\x1b[');
    expect(onTty('--tail 3 --color', { NO_COLOR: '1' })).toContain('\x1b[');
  });

  it('escapes control characters in records', () => {
    const file = path.join(tmp, 'escapes.jsonl');
    writeFileSync(file, `${syntheticLine(T0, 1, 1, 'evil\u001b[2Jline\nforged')}\n`);
    const result = runCli(['view', file, '--color']);
    expect(result.stdout).toContain('evil\\u001b[2Jline\\nforged');
    expect(lines(result.stdout)).toHaveLength(1);
  });
});

describe('exit codes and errors', () => {
  it('exits 1 when nothing matched, with a note on stderr', () => {
    for (const args of [
      ['--category', 'nope'],
      ['--service', 'other'],
      ['--since', '1h'],
      ['--trace-id', 'ffff'],
    ]) {
      const result = runCli(['view', logs, ...args]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('no matching records');
    }
    const empty = path.join(tmp, 'empty');
    rmSync(empty, { recursive: true, force: true });
    cpSync(logs, empty, { recursive: true, filter: (src) => !src.includes('.jsonl') });
    const none = runCli(['view', empty]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no log files');
  });

  it('exits 2 with a clear message for a missing path', () => {
    const missing = path.join(tmp, 'nope.jsonl');
    const result = runCli(['view', missing]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`otel-logkit: no such file or directory: ${missing}\n`);
    const stats = runCli(['stats', logs, missing]);
    expect(stats.status).toBe(2);
    const defaultDir = runCli(['view'], { OTEL_LOGKIT_LOG_DIR: missing });
    expect(defaultDir.status).toBe(2);
    expect(defaultDir.stderr).toContain('OTEL_LOGKIT_LOG_DIR');
  });

  it.each([
    ['--level', 'loud'],
    ['--level', '25'],
    ['--since', 'yesterday-ish'],
    ['--until', 'soon'],
    ['--since', iso(100), '--until', iso(50)],
    ['--tail', '-1'],
    ['--tail', 'x'],
    ['--grep', '('],
    ['--attr', 'novalue'],
    ['--attr', '=x'],
    ['--trace-id', 'xyz'],
    ['--keyword', ''],
    ['--bogus'],
    ['--list', '--follow'],
    ['--list', '--tail', '3'],
    ['--level'],
  ])('exits 2 on a bad flag: %j', (...args) => {
    const result = runCli(['view', logs, ...args]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^otel-logkit: /);
    expect(result.stderr).toMatch(/--help/);
  });

  it('counts malformed lines (garbage, a truncated last line) and reports them at the end', () => {
    const broken = path.join(tmp, 'broken');
    rmSync(broken, { recursive: true, force: true });
    cpSync(logs, broken, { recursive: true });
    appendFileSync(path.join(broken, 'app.jsonl'), 'this is not json\n{"resourceLogs":42}\n\n');
    const llm = path.join(broken, 'llm_calls.jsonl');
    const lastLine = lines(readFileSync(llm, 'utf8')).at(-1)!;
    appendFileSync(llm, lastLine.slice(0, 100)); // a write cut short: no newline, not JSON
    writeFileSync(path.join(broken, 'binary.json'), Buffer.from([0, 1, 2, 255, 10, 254, 10]));

    const result = runCli(['view', broken, '--json']);
    expect(result.status).toBe(0);
    expect(lines(result.stdout)).toHaveLength(ALL_RECORDS.length);
    expect(result.stderr).toContain('skipped 5 malformed lines');
    expect(result.stderr).toMatch(/app\.jsonl: 2 \(lines \d+, \d+\)/);
    expect(result.stderr).toMatch(/llm_calls\.jsonl: 1 \(line \d+\)/);
    expect(result.stderr).toMatch(/binary\.json: 2 \(lines 1, 2\)/);
    expect(result.stderr).not.toMatch(/at .*\.js/); // no stack trace

    // With filters too (lines skipped unparsed are still counted when visibly broken).
    const filtered = runCli(['view', broken, '--level', 'fatal']);
    expect(filtered.status).toBe(0);
    expect(filtered.stderr).toMatch(/skipped \d malformed line/);

    const list = runCli(['view', broken, '--list', '--json']);
    const app = lines(list.stdout)
      .map((line) => JSON.parse(line))
      .find((row) => row.file.endsWith('app.jsonl'));
    expect(app.malformed_lines).toBe(2);

    const stats = runCli(['stats', broken, '--json']);
    expect(JSON.parse(stats.stdout).malformed_lines).toBe(5);
    expect(JSON.parse(stats.stdout).records).toBe(ALL_RECORDS.length);
  });

  it('reads a corrupt gzip backup up to the damage and counts the rest as malformed', () => {
    const corrupt = path.join(tmp, 'corrupt');
    rmSync(corrupt, { recursive: true, force: true });
    cpSync(logs, corrupt, { recursive: true });
    const gz = readdirSync(corrupt).find((name) => name.endsWith('.gz'))!;
    const bytes = readFileSync(path.join(corrupt, gz));
    writeFileSync(path.join(corrupt, gz), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const result = runCli(['view', corrupt, '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('malformed');
    expect(lines(result.stdout).length).toBeLessThan(ALL_RECORDS.length);
  });
});

describe('pipes', () => {
  it('ends quietly when the reader closes the pipe (| head -1)', () => {
    const big = path.join(tmp, 'big.jsonl');
    const text: string[] = [];
    for (let i = 0; i < 400; i++)
      text.push(syntheticLine(T0 + i * 100_000, 50, 1000, 'x'.repeat(40)));
    writeFileSync(big, `${text.join('\n')}\n`);
    for (const args of ['', '--json', '--category system --json']) {
      const result = runShell(
        `{ "${process.execPath}" "${BIN}" view "${big}" ${args}; echo "exit=$?" >&2; } | head -1`,
      );
      expect(lines(result.stdout)).toHaveLength(1);
      expect(result.stderr.trim()).toBe('exit=0');
    }
  });

  it('runs relative --since / --until against the clock', () => {
    const now = Date.now();
    const file = path.join(tmp, 'recent.jsonl');
    const line = (ms: number, body: string): string => syntheticLine(ms, 1, 1, body);
    writeFileSync(
      file,
      `${[line(now - 3 * 3600_000, 'three hours'), line(now - 30 * 60_000, 'half hour'), line(now - 60_000, 'one minute')].join('\n')}\n`,
    );
    const since = runCli(['view', file, '--since', '1h', '--json']);
    expect(lines(since.stdout).map((l) => JSON.parse(l).message)).toEqual([
      'half hour 0',
      'one minute 0',
    ]);
    const window = runCli(['view', file, '--since', '2h', '--until', '10m', '--json']);
    expect(lines(window.stdout).map((l) => JSON.parse(l).message)).toEqual(['half hour 0']);
    const combined = runCli(['view', file, '--since', '1d', '--until', '1h30m', '--json']);
    expect(lines(combined.stdout).map((l) => JSON.parse(l).message)).toEqual(['three hours 0']);
  });
});
