// The published declarations (dist/index.d.ts, dist/index.d.cts), compiled the way a
// consumer's strict project compiles them: skipLibCheck off, and without the optional peers
// (winston, winston-transport, pino) installed. `npm test` builds dist/ first.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
// A consumer project outside the repository, with otel-logkit installed as a link to it (its
// own dependencies then resolve from the repository's node_modules, as from an install's).
const DIR = mkdtempSync(path.join(os.tmpdir(), 'logkit-types-'));
mkdirSync(path.join(DIR, 'node_modules'));
symlinkSync(ROOT, path.join(DIR, 'node_modules', 'otel-logkit'), 'dir');

/** Packages the consumer does not have: otel-logkit's optional peers and what they bring. */
const ABSENT = ['winston', 'winston-transport', 'logform', 'pino'].map(
  (name) => `${path.sep}node_modules${path.sep}${name}${path.sep}`,
);
const absent = (file: string): boolean => ABSENT.some((dir) => path.normalize(file).includes(dir));

/** The diagnostics of compiling `source` as a consumer file of the given module kind. */
function compile(file: string, source: string, module: 'esm' | 'cjs'): string[] {
  writeFileSync(
    path.join(DIR, 'package.json'),
    JSON.stringify({ type: module === 'esm' ? 'module' : 'commonjs' }),
  );
  const fileName = path.join(DIR, file);
  writeFileSync(fileName, source);
  const options: ts.CompilerOptions = {
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules/@types')],
  };
  const host = ts.createCompilerHost(options);
  const fileExists = host.fileExists.bind(host);
  const directoryExists = host.directoryExists?.bind(host);
  host.fileExists = (f) => !absent(f) && fileExists(f);
  host.directoryExists = (d) => !absent(`${d}${path.sep}`) && (directoryExists?.(d) ?? true);
  const program = ts.createProgram([fileName], options, host);
  const loaded = program.getSourceFiles().map((sf) => sf.fileName);
  expect(loaded.filter(absent)).toEqual([]);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const CONSUMER = `
  import { registerLogging, winstonTransport, type WinstonTransportOptions } from 'otel-logkit';
  const handle = registerLogging('types-check');
  handle.getLogger('app').info('hello', { 'user.id': 'u1' });
  const options: WinstonTransportOptions = { level: 'info', category: 'system' };
  export const transport = winstonTransport(handle, options);
  export const flushed: Promise<void> = handle.forceFlush();
`;

const TESTING_CONSUMER = `
  import { captureLogs, type CapturedLogRecord, type CapturedLogs } from 'otel-logkit/testing';
  const capture: CapturedLogs<'audit'> = captureLogs({ levels: { audit: 14 }, level: 'debug' });
  capture.handle.getLogger('app').audit('granted', { 'user.id': 'u1' });
  export const records: Promise<CapturedLogRecord[]> = capture.records();
  export const cleared: void = capture.clear();
  export const done: Promise<void> = capture.shutdown();
`;

describe('the published type declarations', () => {
  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  it('compile in a strict ES module consumer with skipLibCheck off and no optional peers', () => {
    expect(compile('consumer.mts', CONSUMER, 'esm')).toEqual([]);
  });

  it('compile in a strict CommonJS consumer with skipLibCheck off and no optional peers', () => {
    expect(compile('consumer.cts', CONSUMER, 'cjs')).toEqual([]);
  });

  it('of otel-logkit/testing compile in a strict ES module consumer', () => {
    expect(compile('testing.mts', TESTING_CONSUMER, 'esm')).toEqual([]);
  });

  it('of otel-logkit/testing compile in a strict CommonJS consumer', () => {
    expect(compile('testing.cts', TESTING_CONSUMER, 'cjs')).toEqual([]);
  });

  it('report a misuse (the check really type-checks)', () => {
    const errors = compile(
      'misuse.mts',
      `import { registerLogging } from 'otel-logkit';\nregisterLogging({ serviceName: 42 });\n`,
      'esm',
    );
    expect(errors.join('\n')).toMatch(/number.*string|serviceName/);
  });
});
