import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams, SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { AnyValue, AnyValueMap } from '../../src/logger/anyValue.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { ATTR_LOGKIT_CATEGORY } from '../../src/attributes.js';
import { FileLogRecordExporter } from '../../src/exporters/FileLogRecordExporter.js';
import { BUILTIN_LEVELS } from '../../src/logger/levels.js';
import type { BuiltinLevelName } from '../../src/logger/levels.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'dist/cli/main.js');
export const COLLECTOR_FIXTURE = path.join(ROOT, 'test/fixtures/collector-file-exporter.jsonl');

/** Runs the built CLI; NO_COLOR and FORCE_COLOR are cleared unless `env` sets them. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: cliEnv(env),
    maxBuffer: 64 * 1024 * 1024,
  });
}

export function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  delete merged.NO_COLOR;
  delete merged.FORCE_COLOR;
  delete merged.OTEL_LOGKIT_LOG_DIR;
  delete merged.OTEL_LOGKIT_AUDIT_KEY;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Starts the CLI in the background, collecting its output. */
export function startCli(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv() });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until `check` holds, polling; throws with `describe()` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Non-empty output lines. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** `2025-01-01T00:00:00Z`, the time the generated records start at. */
export const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);
export const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

/** One record to emit: minutes after {@link T0}, level, category, body, attributes. */
export interface RecordSpec {
  min: number;
  level: BuiltinLevelName;
  category?: string;
  scope?: string;
  body: string;
  attrs?: AnyValueMap;
  trace?: string;
}

const r = (
  min: number,
  level: BuiltinLevelName,
  category: string | undefined,
  body: string,
  attrs: Record<string, AnyValue> = {},
  extra: Partial<RecordSpec> = {},
): RecordSpec => ({ min, level, category, body, attrs, ...extra });

/**
 * Records written one export per record (a SimpleLogRecordProcessor), over
 * four hours, every category, several levels, two traces.
 */
export const PHASE_ONE: RecordSpec[] = [
  r(
    0,
    'info',
    'user',
    'user signed in',
    { 'user.id': 'u-1', success: true, duration_ms: 100 },
    { trace: TRACE_A },
  ),
  r(10, 'debug', 'user', 'page viewed', { 'user.id': 'u-1', duration_ms: 20 }),
  r(
    20,
    'info',
    'llm',
    'model call completed',
    {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-x',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 40,
      duration_ms: 500,
      success: true,
    },
    { trace: TRACE_A },
  ),
  r(
    30,
    'info',
    'tool',
    'tool executed',
    { 'gen_ai.tool.name': 'search', success: true, duration_ms: 30 },
    { trace: TRACE_A },
  ),
  r(40, 'warn', 'user', 'checkout slow', { 'user.id': 'u-2', success: true, duration_ms: 900 }),
  r(
    60,
    'error',
    'user',
    'payment failed',
    {
      'exception.type': 'CardError',
      'exception.message': 'declined',
      'exception.stacktrace': 'CardError: declined\n    at pay (shop.js:1:1)',
      success: false,
      duration_ms: 300,
    },
    { trace: TRACE_B },
  ),
  r(
    80,
    'info',
    'llm',
    'model call completed',
    {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-x',
      'gen_ai.usage.input_tokens': 200,
      'gen_ai.usage.output_tokens': 80,
      duration_ms: 1500,
    },
    { trace: TRACE_B },
  ),
  r(90, 'info', 'tool', 'tool executed', { 'gen_ai.tool.name': 'search', success: false }),
  r(100, 'info', 'tool', 'tool executed', { 'gen_ai.tool.name': 'weather', success: true }),
  r(120, 'notice', 'system', 'service listening', { 'server.port': 8080 }),
  r(150, 'info', undefined, 'cache warmed', { entries: 42 }),
  r(180, 'fatal', 'system', 'out of memory', {
    'exception.type': 'RangeError',
    'exception.message': 'heap',
  }),
  r(200, 'info', 'user', 'user signed out', { 'user.id': 'u-1', success: true, duration_ms: 50 }),
  r(210, 'debug', 'llm', 'prompt built', { 'gen_ai.request.model': 'gpt-x' }),
  r(240, 'error', 'tool', 'tool crashed', {
    'gen_ai.tool.name': 'weather',
    success: false,
    'exception.type': 'TimeoutError',
  }),
];

/**
 * Records exported in one batch (a BatchLogRecordProcessor flushed once): one
 * line per category file, the records grouped by scope, so not in time order
 * within the line.
 */
export const PHASE_TWO: RecordSpec[] = [
  r(
    250,
    'info',
    'user',
    'user signed in',
    { 'user.id': 'u-3', success: true, duration_ms: 150 },
    { scope: 'web' },
  ),
  r(
    260,
    'info',
    'user',
    'user signed in',
    { 'user.id': 'u-4', success: false, duration_ms: 250 },
    { scope: 'mobile' },
  ),
  r(270, 'warn', 'user', 'slow page', { 'user.id': 'u-3' }, { scope: 'web' }),
  r(
    280,
    'info',
    'llm',
    'model call completed',
    {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-x',
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.output_tokens': 120,
      duration_ms: 700,
    },
    { scope: 'agent' },
  ),
  r(
    300,
    'error',
    undefined,
    'job failed',
    { 'exception.type': 'TimeoutError' },
    { scope: 'worker' },
  ),
  r(
    330,
    'info',
    'user',
    'user signed out',
    { 'user.id': 'u-4', success: true, duration_ms: 50 },
    { scope: 'mobile' },
  ),
  r(360, 'info', 'system', 'heartbeat', {}, { scope: 'web' }),
];

export const ALL_RECORDS = [...PHASE_ONE, ...PHASE_TWO];

/** Options of the file exporter used by the tests: small files, so they rotate. */
export interface WriteOptions {
  maxFileBytes?: number;
  maxBackups?: number;
  serviceName?: string;
  /** One export per record (default) or one batch for all. */
  batch?: boolean;
  /** Time base instead of {@link T0}, ms. */
  base?: number;
}

/**
 * Writes `specs` into `dir` through the real FileLogRecordExporter behind an
 * SDK LoggerProvider, as an application using otel-logkit would.
 */
export async function writeRecords(
  dir: string,
  specs: RecordSpec[],
  options: WriteOptions = {},
): Promise<void> {
  const exporter = new FileLogRecordExporter({
    dir,
    maxFileBytes: options.maxFileBytes ?? 1500,
    maxBackups: options.maxBackups ?? 5,
  });
  const processor = options.batch
    ? new BatchLogRecordProcessor({
        exporter,
        scheduledDelayMillis: 60_000,
        maxExportBatchSize: 512,
        maxQueueSize: 2048,
      })
    : new SimpleLogRecordProcessor({ exporter });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? 'checkout',
      'service.version': '1.4.0',
    }),
    processors: [processor],
  });
  const base = options.base ?? T0;
  for (const spec of specs) {
    const level = BUILTIN_LEVELS[spec.level];
    const attributes: AnyValueMap = { ...spec.attrs };
    if (spec.category !== undefined) attributes[ATTR_LOGKIT_CATEGORY] = spec.category;
    provider.getLogger(spec.scope ?? `shop.${spec.category ?? 'app'}`).emit({
      severityNumber: level.severityNumber,
      severityText: level.severityText,
      body: spec.body,
      attributes,
      timestamp: new Date(base + spec.min * 60_000),
      ...(spec.trace
        ? {
            context: trace.setSpanContext(ROOT_CONTEXT, {
              traceId: spec.trace,
              spanId: `${spec.min.toString(16).padStart(4, '0')}00000000abcd`,
              traceFlags: TraceFlags.SAMPLED,
            }),
          }
        : {}),
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

/** A synthetic OTLP/JSON line of `count` records starting at `startMs`, one per `stepMs`. */
export function syntheticLine(
  startMs: number,
  count: number,
  stepMs = 1000,
  body = 'synthetic',
): string {
  const records = [];
  for (let i = 0; i < count; i++) {
    const ns = `${BigInt(startMs + i * stepMs) * 1_000_000n}`;
    records.push({
      timeUnixNano: ns,
      observedTimeUnixNano: ns,
      severityNumber: i % 4 === 3 ? 13 : 9,
      severityText: i % 4 === 3 ? 'WARN' : 'INFO',
      body: { stringValue: `${body} ${i}` },
      attributes: [{ key: 'logkit.category', value: { stringValue: 'system' } }],
    });
  }
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'synth' } }] },
        scopeLogs: [{ scope: { name: 'synth' }, logRecords: records }],
      },
    ],
  });
}

/** Quick synchronous shell run (for `| head`). */
export function runShell(script: string): SpawnSyncReturns<string> {
  return spawnSync('sh', ['-c', script], { encoding: 'utf8', env: cliEnv() });
}
