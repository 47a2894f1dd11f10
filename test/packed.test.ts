import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlpReceiver.js';
import { runProcess } from './helpers/runProcess.js';

// What users get: `npm pack` of this repository (its prepack builds dist/),
// installed in a scratch project beside the LATEST OpenTelemetry packages and
// the optional peers, then used from an ES-module and a CommonJS consumer and
// exporting over OTLP, on the Node running the suite (CI: 24 and 22).
const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURES = path.join(ROOT, 'test/fixtures/packed');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let scratch: string;
let tarballFiles: string[];
let installOutput: string;
let receiver: OtlpReceiver;

function npm(args: string[], cwd: string): string {
  return execFileSync(NPM, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });
}

/**
 * A copy of the repository's files as a fresh clone has them (no dist/), with
 * node_modules linked: packing it proves `npm pack` builds what it ships, and
 * leaves this checkout's dist/ (which other test files read) alone.
 */
function freshTree(into: string): string {
  const tree = path.join(into, 'repo');
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter((f) => f !== '' && existsSync(path.join(ROOT, f)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
    copyFileSync(path.join(ROOT, file), path.join(tree, file));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  return tree;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'logkit-packed-'));
  const tree = freshTree(scratch);
  expect(existsSync(path.join(tree, 'dist'))).toBe(false);
  const packJson = npm(['pack', '--json', '--pack-destination', scratch], tree);
  // stdout also carries the prepack build's output (colour codes hold `[`):
  // the JSON array is the last thing npm prints, from a line that is `[`.
  const jsonStart = packJson.search(/^\[\s*$/m);
  const [packed] = JSON.parse(packJson.slice(jsonStart)) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (!packed) throw new Error(`npm pack printed no package: ${packJson}`);
  tarballFiles = packed.files.map((f) => f.path);
  writeFileSync(
    path.join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch-consumer', version: '1.0.0', private: true }),
  );
  installOutput = npm(
    [
      'install',
      '--no-audit',
      '--no-fund',
      path.join(scratch, packed.filename),
      '@opentelemetry/api@latest',
      '@opentelemetry/sdk-node@latest',
      'winston',
      'winston-transport',
      'pino',
    ],
    scratch,
  );
  for (const file of readdirSync(FIXTURES)) {
    copyFileSync(path.join(FIXTURES, file), path.join(scratch, file));
  }
  receiver = await startOtlpReceiver();
}, 180_000);

afterAll(async () => {
  await receiver?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('should ship the built code of every entry point (prepack builds it)', () => {
    for (const file of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/testing/index.js',
      'dist/testing/index.cjs',
      'dist/testing/index.d.ts',
      'dist/cli/main.js',
      'README.md',
      'package.json',
    ]) {
      expect(tarballFiles, file).toContain(file);
    }
    expect(tarballFiles.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });

  it('should install beside the latest OpenTelemetry packages with one @opentelemetry/api', () => {
    expect(installOutput).not.toMatch(/ERESOLVE|overriding peer dependency/);
    const tree = JSON.parse(npm(['ls', '@opentelemetry/api', '--all', '--json'], scratch)) as Dep;
    const versions = new Set<string>();
    collectVersions(tree, '@opentelemetry/api', versions);
    expect([...versions]).toHaveLength(1);
    expect([...versions][0]).toMatch(/^1\.10\./);
  });

  for (const consumer of ['consumer.mjs', 'consumer.cjs']) {
    it(`should work from ${consumer}: main and testing entries, winston and pino bridges`, async () => {
      const run = await runProcess(process.execPath, [consumer], {
        cwd: scratch,
        timeoutMs: 30_000,
      });
      expect(run.code, run.stderr).toBe(0);
      const output = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
        sameState: boolean;
        records: { body: unknown; attributes: Record<string, unknown> }[];
      };
      // The testing entry shares the main entry's registration state.
      expect(output.sameState).toBe(true);
      expect(output.records.map((r) => r.body)).toEqual([
        'from the logger',
        'from winston',
        'from pino',
      ]);
      expect(JSON.stringify(output.records)).not.toContain('hunter2');
    });
  }

  it('should run the CLI bin', async () => {
    const bin = path.join(scratch, 'node_modules/.bin/otel-logkit');
    const run = await runProcess(bin, ['--help'], { cwd: scratch, timeoutMs: 30_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/view/);
  });

  it('should export plain Logs API and otel-logkit records over OTLP with the span ids', async () => {
    const run = await runProcess(process.execPath, ['otlp-app.mjs'], {
      cwd: scratch,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      timeoutMs: 30_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const ids = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
      traceId: string;
      spanId: string;
    };
    await receiver.waitFor(() => receiver.logs.length >= 2);
    for (const body of ['plain Logs API record', 'otel-logkit record']) {
      const record = receiver.logs.find((r) => r.body === body);
      expect(record, body).toBeDefined();
      expect(record?.traceId, body).toBe(ids.traceId);
      expect(record?.spanId, body).toBe(ids.spanId);
    }
    await receiver.waitFor(() => receiver.spans.some((s) => s.traceId === ids.traceId));
  });
});

interface Dep {
  version?: string;
  dependencies?: Record<string, Dep>;
}

function collectVersions(node: Dep, name: string, out: Set<string>): void {
  for (const [depName, dep] of Object.entries(node.dependencies ?? {})) {
    if (depName === name && dep.version) out.add(dep.version);
    collectVersions(dep, name, out);
  }
}
