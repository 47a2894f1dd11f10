import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLogFiles } from '../helpers/readLogFiles.js';

const CHILD = path.resolve(import.meta.dirname, '../fixtures/exit-child.mjs');

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  logDir: string;
}

/** Runs the fixture; `signal` is sent once it prints `ready`. */
function runChild(mode: string, signal?: NodeJS.Signals): Promise<ChildResult> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-exit-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, mode, logDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (signal && d.toString().includes('ready')) child.kill(signal);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${mode} did not exit; stderr: ${stderr}`));
    }, 15_000);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stderr, logDir });
    });
  });
}

function bodies(logDir: string): string[] {
  return readLogFiles(logDir).map((r) => String(r.body));
}

const expected = Array.from({ length: 50 }, (_, i) => `record ${i}`);

describe('installExitHooks', () => {
  it('should flush every record before a natural exit, with exit code 0', async () => {
    const result = await runChild('natural');
    expect(result.code).toBe(0);
    const records = readLogFiles(result.logDir);
    expect(records.map((r) => r.body)).toEqual(expected);
    expect(new Set(records.map((r) => r.traceId)).size).toBe(1);
    expect(records[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(records[0]!.file).toBe('system_health.jsonl');
  });

  it('should flush every record on SIGTERM and still die of the signal', async () => {
    const result = await runChild('sigterm', 'SIGTERM');
    expect(result.signal).toBe('SIGTERM');
    expect(bodies(result.logDir)).toEqual(expected);
  });

  it('should flush every record on SIGINT and still die of the signal', async () => {
    const result = await runChild('sigint', 'SIGINT');
    expect(result.signal).toBe('SIGINT');
    expect(bodies(result.logDir)).toEqual(expected);
  });

  it('should leave the exit to an application SIGTERM handler, losing nothing', async () => {
    const result = await runChild('app-handler', 'SIGTERM');
    expect(result.code).toBe(0);
    expect(bodies(result.logDir)).toEqual([...expected, 'app shutting down']);
  });

  it('should record an uncaught exception as FATAL, flush, print it and exit 1', async () => {
    const result = await runChild('uncaught');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('boom from child');
    const records = readLogFiles(result.logDir);
    expect(records.slice(0, 50).map((r) => r.body)).toEqual(expected);
    const fatal = records.find((r) => r.severityText === 'FATAL');
    expect(fatal?.body).toBe('uncaught exception');
    expect(fatal?.attributes['exception.message']).toBe('boom from child');
    expect(fatal?.attributes['exception.type']).toBe('Error');
  });
});
