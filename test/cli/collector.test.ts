/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- parsed JSON output */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_FIXTURE, lines, runCli } from './helpers.js';

// The fixture is written from the OTLP/JSON encoding rules the Collector's
// file exporter follows: hex ids (some upper-case), int64 as strings and as
// numbers, severityNumber as numbers and as enum names, two resources in one
// request, a record with only observedTimeUnixNano, a structured body, a
// double as "NaN", bytes as base64, an eventName.

const at = (second: number): string => new Date(Date.UTC(2025, 2, 1, 10, 0, second)).toISOString();

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'logkit-cli-collector-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function view(...args: string[]): Array<Record<string, any>> {
  const result = runCli(['view', COLLECTOR_FIXTURE, '--json', ...args]);
  expect(result.stderr).toBe('');
  return lines(result.stdout).map((line) => JSON.parse(line));
}

describe('the Collector file exporter format', () => {
  it('decodes every record, whatever encoding variant it uses', () => {
    const records = view();
    expect(records.map((record) => record.time)).toEqual(
      Array.from({ length: 12 }, (_, second) => at(second)),
    );
    expect(records[0]).toMatchObject({
      level: 'INFO',
      severity_number: 9,
      category: 'user',
      service: 'payments',
      message: 'payment authorized',
      trace_id: '5b8efff798038103d269b633813fc60c',
      span_id: 'eee19b7ec3c1b174',
      scope: 'payments.api',
      attributes: { success: true, duration_ms: 120, 'order.amount': 19.99 },
      resource: {
        'service.name': 'payments',
        'service.version': '2.3.0',
        'service.namespace': 'shop',
        'deployment.environment.name': 'production',
        'host.name': 'node-7',
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': 'payments-6d9f-xk2',
        'process.pid': 4242,
        'telemetry.sdk.language': 'go',
      },
    });
    // Enum by name.
    expect(records[1]).toMatchObject({ level: 'WARN', severity_number: 13 });
    expect(records[1]!.attributes).toMatchObject({ duration_ms: 340, 'retry.count': 2 });
    // Only observedTimeUnixNano; enum name without severityText.
    expect(records[3]).toMatchObject({
      time: at(3),
      level: 'INFO',
      severity_number: 9,
      trace_id: null,
      service: 'inference-gateway',
      attributes: { 'gen_ai.usage.input_tokens': 800, tags: ['a', 'b'] },
    });
    // The second resource of the same line.
    expect(records[4]).toMatchObject({
      service: 'agent-runtime',
      scope: 'agent.tools',
      attributes: { payload: 'aGVsbG8=', duration_ms: 45 },
    });
    // Structured body, NaN double.
    expect(records[8]).toMatchObject({
      level: 'ERROR',
      category: null,
      message: '{"reason":"timeout","attempt":3}',
      body: { reason: 'timeout', attempt: 3 },
      attributes: { 'exception.type': 'TimeoutError', ratio: 'NaN' },
    });
    expect(records[9]).toMatchObject({ level: 'FATAL', event_name: 'payments.ledger.down' });
    expect(records[11]).toMatchObject({ level: 'INFO2', severity_number: 10 });
  });

  it.each([
    [
      ['--level', 'warn'],
      [1, 5, 7, 8, 9],
    ],
    [
      ['--level', 'SEVERITY_NUMBER_ERROR'],
      [7, 8, 9],
    ],
    [
      ['--service', 'payments'],
      [0, 1, 7, 8, 9],
    ],
    [
      ['--service', 'agent-runtime,inference-gateway'],
      [2, 3, 4, 5, 6, 10, 11],
    ],
    [
      ['--trace-id', '5B8EFFF7'],
      [0, 1, 7],
    ],
    [
      ['--since', at(3)],
      [3, 4, 5, 6, 7, 8, 9, 10, 11],
    ],
    [['--since', at(3), '--until', at(4)], [3]],
    [
      ['--attr', 'cloud.region=eu-west-1'],
      [2, 3, 10, 11],
    ],
    [
      ['--attr', 'gen_ai.tool.name=search_catalog'],
      [4, 5],
    ],
    [['--attr', 'gen_ai.usage.input_tokens=1200'], [2]],
    [['--keyword', 'timeout'], [8]],
    [
      ['--keyword', 'gpt-4o'],
      [2, 10, 11],
    ],
    [['--grep', '^card'], [7]],
    [['--grep', 'insufficient\\s+funds'], [7]],
    [
      ['--category', 'llm', '--level', 'info'],
      [2, 3, 11],
    ],
  ])('filters with %j', (args, seconds) => {
    expect(view(...args).map((record) => record.time)).toEqual(seconds.map(at));
  });

  it('computes the statistics', () => {
    const result = runCli(['stats', COLLECTOR_FIXTURE, '--json']);
    expect(result.status).toBe(0);
    const stats = JSON.parse(result.stdout);
    expect(stats).toMatchObject({
      records: 12,
      by_level: { DEBUG: 1, INFO: 5, INFO2: 1, WARN: 2, ERROR: 2, FATAL: 1 },
      by_category: { llm: 4, tool: 3, user: 3, '(none)': 2 },
      by_service: { payments: 5, 'inference-gateway': 4, 'agent-runtime': 3 },
      user_interactions: {
        count: 3,
        with_outcome: 2,
        succeeded: 1,
        success_rate: 0.5,
        avg_duration_ms: 230,
      },
      llm_calls: {
        count: 3,
        input_tokens: 2100,
        output_tokens: 550,
        avg_tokens_per_call: 2650 / 3,
        avg_duration_ms: 1025.25,
        by_provider: {
          openai: { count: 2, input_tokens: 1300, output_tokens: 350 },
          anthropic: { count: 1, input_tokens: 800, output_tokens: 200 },
        },
        by_model: {
          'gpt-4o': { count: 1, input_tokens: 1200, output_tokens: 300 },
          'claude-sonnet': { count: 1, input_tokens: 800, output_tokens: 200 },
          'gpt-4o-mini': { count: 1, input_tokens: 100, output_tokens: 50 },
        },
      },
      tool_executions: {
        count: 3,
        succeeded: 2,
        top_tools: [
          { name: 'search_catalog', count: 2, success_rate: 0.5 },
          { name: 'get_weather', count: 1, success_rate: 1 },
        ],
      },
      errors: {
        count: 3,
        top_exception_types: [
          { type: 'TimeoutError', count: 2 },
          { type: 'CardDeclinedError', count: 1 },
        ],
      },
    });
  });

  it('reads a gzip-compressed Collector file and a directory of them, in time order', () => {
    const dir = path.join(tmp, 'collector');
    rmSync(dir, { recursive: true, force: true });
    const all = lines(readFileSync(COLLECTOR_FIXTURE, 'utf8'));
    // The Collector's rotation names backups by time; any name ending in .json(.gz) is read.
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'logs-2025-03-01T10-00-05.000.json.gz'),
      gzipSync(`${all.slice(0, 2).join('\n')}\n`),
    );
    writeFileSync(path.join(dir, 'logs.json'), `${all.slice(2).join('\n')}\n`);
    copyFileSync(COLLECTOR_FIXTURE, path.join(tmp, 'copy.ndjson'));
    const result = runCli(['view', dir, '--json']);
    expect(result.status).toBe(0);
    expect(lines(result.stdout).map((line) => JSON.parse(line).time)).toEqual(
      Array.from({ length: 12 }, (_, second) => at(second)),
    );
    const ndjson = runCli(['view', path.join(tmp, 'copy.ndjson'), '--tail', '1', '--json']);
    expect(JSON.parse(ndjson.stdout).time).toBe(at(11));
  });
});
