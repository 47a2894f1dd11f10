import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_RECORDS, PHASE_ONE, PHASE_TWO, T0, lines, runCli, writeRecords } from './helpers.js';

let tmp: string;
let logs: string;
const iso = (min: number): string => new Date(T0 + min * 60_000).toISOString();

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'logkit-cli-stats-'));
  logs = path.join(tmp, 'logs');
  await writeRecords(logs, PHASE_ONE);
  await writeRecords(logs, PHASE_TWO, { batch: true });
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('otel-logkit stats', () => {
  it('reports exact figures for a known input (--json)', () => {
    const result = runCli(['stats', logs, '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toEqual({
      records: ALL_RECORDS.length,
      first: iso(0),
      last: iso(360),
      malformed_lines: 0,
      by_level: { DEBUG: 2, INFO: 13, NOTICE: 1, WARN: 2, ERROR: 3, FATAL: 1 },
      by_category: { user: 9, llm: 4, tool: 4, system: 3, '(none)': 2 },
      by_service: { checkout: 22 },
      user_interactions: {
        count: 9,
        with_outcome: 7,
        succeeded: 5,
        success_rate: 5 / 7,
        avg_duration_ms: 1820 / 8,
      },
      llm_calls: {
        count: 3,
        with_usage: 3,
        input_tokens: 600,
        output_tokens: 240,
        avg_input_tokens: 200,
        avg_output_tokens: 80,
        avg_tokens_per_call: 280,
        avg_duration_ms: 900,
        by_provider: {
          openai: { count: 2, input_tokens: 400, output_tokens: 160 },
          anthropic: { count: 1, input_tokens: 200, output_tokens: 80 },
        },
        by_model: {
          'gpt-x': { count: 2, input_tokens: 400, output_tokens: 160 },
          'claude-x': { count: 1, input_tokens: 200, output_tokens: 80 },
        },
      },
      tool_executions: {
        count: 4,
        with_outcome: 4,
        succeeded: 2,
        success_rate: 0.5,
        top_tools: [
          { name: 'search', count: 2, success_rate: 0.5 },
          { name: 'weather', count: 2, success_rate: 0.5 },
        ],
      },
      errors: {
        count: 4,
        top_exception_types: [
          { type: 'TimeoutError', count: 2 },
          { type: 'CardError', count: 1 },
          { type: 'RangeError', count: 1 },
        ],
      },
    });
  });

  it('prints a readable report', () => {
    const result = runCli(['stats', logs]);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Records  22  ${iso(0)} → ${iso(360)}`);
    expect(out).toMatch(/By level\n +DEBUG +2 +9\.1%\n +INFO +13 +59\.1%\n +NOTICE +1/);
    expect(out).toMatch(/By category\n +user +9 +40\.9%/);
    expect(out).toMatch(/By service\n +checkout +22 +100\.0%/);
    expect(out).toContain('User interactions  9');
    expect(out).toMatch(/success rate +71\.4% \(5 of 7 with an outcome\)/);
    expect(out).toMatch(/average duration +227\.5 ms/);
    expect(out).toContain('LLM calls  3');
    expect(out).toMatch(/input tokens +600 \(average 200\.0\)/);
    expect(out).toMatch(/output tokens +240 \(average 80\.0\)/);
    expect(out).toMatch(/tokens per call +280\.0 on average \(3 calls reporting usage\)/);
    expect(out).toMatch(/average duration +900\.0 ms/);
    expect(out).toMatch(
      /by provider\n +openai +2 calls, 400 in, 160 out\n +anthropic +1 call, 200 in, 80 out/,
    );
    expect(out).toMatch(/by model\n +gpt-x +2 calls, 400 in, 160 out/);
    expect(out).toContain('Tool executions  4');
    expect(out).toMatch(/most used\n +search +2, success 50\.0%\n +weather +2, success 50\.0%/);
    expect(out).toContain('Errors  4 at ERROR or above');
    expect(out).toMatch(/top exception types\n +TimeoutError +2\n +CardError +1\n +RangeError +1/);
    expect(out).not.toContain('\x1b[');
    expect(runCli(['stats', logs, '--color']).stdout).toContain('\x1b[1m');
  });

  it('takes the same filters', () => {
    const llm = JSON.parse(runCli(['stats', logs, '--json', '--category', 'llm']).stdout);
    expect(llm.records).toBe(4);
    expect(llm.llm_calls.count).toBe(3);
    expect(llm.tool_executions.count).toBe(0);
    expect(llm.user_interactions).toEqual({
      count: 0,
      with_outcome: 0,
      succeeded: 0,
      success_rate: null,
      avg_duration_ms: null,
    });

    const window = JSON.parse(
      runCli(['stats', logs, '--json', '--since', iso(60), '--until', iso(250), '--level', 'info'])
        .stdout,
    );
    // 60 payment failed, 80 llm, 90 tool, 100 tool, 120 notice, 150 cache, 180 fatal, 200 signed out, 240 crashed
    expect(window.records).toBe(9);
    expect(window.by_level).toEqual({ INFO: 5, NOTICE: 1, ERROR: 2, FATAL: 1 });
    expect(window.errors.count).toBe(3);
    expect(window.first).toBe(iso(60));
    expect(window.last).toBe(iso(240));

    const top = JSON.parse(runCli(['stats', logs, '--json', '--top', '1']).stdout);
    expect(top.tool_executions.top_tools).toEqual([
      { name: 'search', count: 2, success_rate: 0.5 },
    ]);
    expect(top.errors.top_exception_types).toEqual([{ type: 'TimeoutError', count: 2 }]);
  });

  it('exits 1 with an all-zero report when nothing matched, 2 on bad flags', () => {
    const none = runCli(['stats', logs, '--json', '--service', 'nope']);
    expect(none.status).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({ records: 0, first: null, by_level: {} });
    expect(runCli(['stats', logs, '--top', '0']).status).toBe(2);
    expect(runCli(['stats', logs, '--tail', '3']).status).toBe(2);
    expect(runCli(['stats', logs, '--level', 'nope']).status).toBe(2);
  });
});
