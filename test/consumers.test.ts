import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLogFiles, type FileRecord } from './helpers/readLogFiles.js';
import { runProcess } from './helpers/runProcess.js';

// These tests run the BUILT package (dist/), as an application installing it
// would: `npm test` builds it before vitest runs.
const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURES = path.join(ROOT, 'test/fixtures');
const BUILDS = ['dist/index.js', 'dist/index.cjs'];

/** What a consumer fixture prints: its export names and, per body, the span context expected (null: none). */
interface FixtureOutput {
  exports: string[];
  expected: Record<string, { traceId: string; spanId: string; traceFlags: number } | null>;
  /** A span with secrets, read back after it ended. */
  span: { name: string; attributes: Record<string, unknown> };
}

interface ConsumerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  output: FixtureOutput;
  records: FileRecord[];
  /** body → the raw OTLP `flags` of its record (readLogFiles does not expose them). */
  flags: Map<string, unknown>;
}

/** The raw `flags` field of every record in the `*.jsonl` files of `dir`, by body. */
function rawFlags(dir: string): Map<string, unknown> {
  const flags = new Map<string, unknown>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!line) continue;
      for (const rl of JSON.parse(line).resourceLogs) {
        for (const sl of rl.scopeLogs) {
          for (const r of sl.logRecords) flags.set(r.body.stringValue, r.flags);
        }
      }
    }
  }
  return flags;
}

async function spawnConsumer(fixture: string): Promise<ConsumerRun> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-consumer-'));
  const { code, signal, stdout, stderr } = await runProcess(
    process.execPath,
    [path.join(FIXTURES, fixture), logDir],
    // Diag at WARN, printed to stderr (runProcess passes none of the caller's OTEL_*).
    { cwd: ROOT, env: { OTEL_LOG_LEVEL: 'WARN' }, timeoutMs: 15_000 },
  );
  try {
    const output = JSON.parse(stdout) as FixtureOutput;
    return {
      code,
      signal,
      stderr,
      output,
      records: readLogFiles(logDir),
      flags: rawFlags(logDir),
    };
  } catch (error) {
    throw new Error(`${fixture} exited ${code ?? signal}; stdout: ${stdout}; stderr: ${stderr}`, {
      cause: error,
    });
  }
}

// Each fixture runs once, shared by the tests that read its result.
const runs = new Map<string, Promise<ConsumerRun>>();
function run(fixture: string): Promise<ConsumerRun> {
  let result = runs.get(fixture);
  if (!result) {
    result = spawnConsumer(fixture);
    runs.set(fixture, result);
  }
  return result;
}

beforeAll(() => {
  const missing = BUILDS.filter((file) => !existsSync(path.join(ROOT, file)));
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(' and ')} missing: these tests run the built package; build it first with \`npx tsup --silent\` (\`npm test\` does)`,
    );
  }
});

describe.each([
  { system: 'ESM', fixture: 'consumer.mjs', serviceName: 'consumer-esm' },
  { system: 'CJS', fixture: 'consumer.cjs', serviceName: 'consumer-cjs' },
])('$system consumer of the built package', ({ fixture, serviceName }) => {
  it('should exit 0 after handle.shutdown() with no diag warning or error', async () => {
    const { code, signal, stderr } = await run(fixture);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('should write every record it emitted, once, under its service.name', async () => {
    const { output, records } = await run(fixture);
    expect(records.map((r) => r.body).sort()).toEqual(Object.keys(output.expected).sort());
    for (const record of records) {
      expect(record.resource['service.name']).toBe(serviceName);
      expect(record.scope).toBe('consumer');
      expect(record.file).toBe('app.jsonl');
    }
  });

  it("should redact the application's own spans as they end", async () => {
    const { output } = await run(fixture);
    expect(output.span).toEqual({
      name: 'charge card [REDACTED]',
      attributes: {
        password: '[REDACTED]',
        note: 'Bearer [REDACTED]',
        'logkit.redaction.count': 3,
      },
    });
  });

  it('should carry the active span trace and span ids across sync, await, setTimeout, EventEmitter, Promise.all and withContext', async () => {
    const { output, records } = await run(fixture);
    const inSpan = Object.entries(output.expected).filter(([, ids]) => ids !== null);
    expect(inSpan.map(([body]) => body)).toEqual([
      'sync',
      'after await',
      'in setTimeout',
      'in listener',
      'branch a start',
      'branch b start',
      'branch b end',
      'branch a end',
      'in withContext',
    ]);
    for (const [body, ids] of inSpan) {
      const record = records.find((r) => r.body === body);
      expect(record?.traceId, body).toMatch(/^[0-9a-f]{32}$/);
      expect({ traceId: record?.traceId, spanId: record?.spanId }, body).toEqual({
        traceId: ids!.traceId,
        spanId: ids!.spanId,
      });
    }
  });

  it('should keep the two Promise.all branches on their own child spans while their records interleave', async () => {
    const { output, records } = await run(fixture);
    const bodies = records.map((r) => String(r.body));
    // The branches really ran concurrently: b started and ended while a slept.
    expect(bodies.filter((b) => b.startsWith('branch '))).toEqual([
      'branch a start',
      'branch b start',
      'branch b end',
      'branch a end',
    ]);
    const spanOf = (body: string) => records.find((r) => r.body === body)?.spanId;
    const parent = output.expected.sync!;
    expect(spanOf('branch a start')).toBe(spanOf('branch a end'));
    expect(spanOf('branch b start')).toBe(spanOf('branch b end'));
    expect(new Set([parent.spanId, spanOf('branch a end'), spanOf('branch b end')]).size).toBe(3);
    expect(records.find((r) => r.body === 'branch a end')?.traceId).toBe(parent.traceId);
    expect(records.find((r) => r.body === 'branch b end')?.traceId).toBe(parent.traceId);
  });

  it('should mark records of sampled spans with the sampled trace flag', async () => {
    const { output, flags } = await run(fixture);
    for (const [body, ids] of Object.entries(output.expected)) {
      if (ids === null) continue;
      expect(ids.traceFlags, body).toBe(1);
      expect(flags.get(body), body).toBe(1);
    }
  });

  it('should write the record emitted outside any span with no trace context', async () => {
    const { output, records, flags } = await run(fixture);
    expect(output.expected['outside span']).toBeNull();
    const record = records.find((r) => r.body === 'outside span');
    expect(record).toBeDefined();
    expect(record?.traceId).toBeUndefined();
    expect(record?.spanId).toBeUndefined();
    expect(flags.get('outside span') ?? 0).toBe(0);
  });

  it('should put the withContext attributes on the record inside it only', async () => {
    const { records } = await run(fixture);
    const withUser = records.filter((r) => r.attributes['user.id'] !== undefined);
    expect(withUser.map((r) => [r.body, r.attributes['user.id']])).toEqual([
      ['in withContext', 'u1'],
    ]);
  });
});

describe('ESM and CJS builds', () => {
  it('should export the same names, resolved by package name', async () => {
    const [esm, cjs] = await Promise.all([run('consumer.mjs'), run('consumer.cjs')]);
    expect(esm.output.exports).toContain('registerLogging');
    expect(esm.output.exports).toContain('withContext');
    expect(cjs.output.exports).toEqual(esm.output.exports);
  });
});
