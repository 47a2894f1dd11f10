import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'dist/cli/main.js');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

function run(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

describe('otel-logkit CLI', () => {
  it('should be the package bin, with a node shebang', () => {
    expect(path.resolve(ROOT, pkg.bin['otel-logkit']!)).toBe(BIN);
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('should print the package version', () => {
    const result = run('--version');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('should print help with no arguments and with --help', () => {
    for (const args of [[], ['--help'], ['-h']]) {
      const result = run(...args);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Usage: otel-logkit');
    }
  });

  it('should print the help of each command', () => {
    for (const command of ['view', 'stats']) {
      for (const args of [
        [command, '--help'],
        ['help', command],
      ]) {
        const result = run(...args);
        expect(result.status).toBe(0);
        expect(result.stdout).toContain(`Usage: otel-logkit ${command} [options] [paths...]`);
        expect(result.stdout).toContain('--since <time>');
        expect(result.stdout).toContain('Exit codes: 0');
      }
    }
    expect(run('view', '--help').stdout).toContain('--follow');
    expect(run('stats', '--help').stdout).toContain('--top <n>');
  });

  it('should exit 2 with usage on an unknown command or flag', () => {
    for (const args of [['frobnicate'], ['--nope'], ['view', '--nope'], ['stats', '--tail', '1']]) {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('Usage: otel-logkit');
    }
  });
});
