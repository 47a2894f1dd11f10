import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerLogging } from '../../src/index.js';
import { runCli } from './helpers.js';

let root: string;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A spool left by a registration whose endpoint was down. */
async function leaveSpool(protocol: 'http/protobuf' | 'http/json'): Promise<string> {
  const spoolDir = join(root, 'spool');
  const handle = registerLogging({
    serviceName: 'spool-view',
    endpoint: `http://127.0.0.1:${await closedPort()}`,
    protocol,
    logsExporter: 'otlp',
    metricsExporter: 'none',
    handleProcessExit: false,
    delivery: { spoolDir },
  });
  const log = handle.getLogger('checkout');
  log.info('order placed', { 'order.id': 42, 'order.paid': true });
  log.error('payment failed', { attempts: [1, 2], 'payment.ratio': 0.5 });
  await handle.shutdown();
  return spoolDir;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logkit-spool-view-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('otel-logkit view <spool dir>', () => {
  it.each(['http/protobuf', 'http/json'] as const)(
    'should summarise a %s spool and print its records as view does',
    async (protocol) => {
      const dir = await leaveSpool(protocol);
      const result = runCli(['view', dir, '--json']);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        /spool .*: 2 record\(s\) waiting in 1 batch\(es\), 1 segment\(s\)/,
      );
      const records = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({
        message: 'order placed',
        level: 'INFO',
        service: 'spool-view',
        scope: 'checkout',
        attributes: { 'order.id': 42, 'order.paid': true },
      });
      expect(records[1]).toMatchObject({
        message: 'payment failed',
        level: 'ERROR',
        attributes: { attempts: [1, 2], 'payment.ratio': 0.5 },
      });
      const errors = runCli(['view', dir, '--json', '--level', 'error']);
      expect(errors.stdout.trim().split('\n')).toHaveLength(1);
    },
  );

  it('should show what the file destination could not write yet', async () => {
    // The log directory is a file, so every write fails and the records wait.
    const logDir = join(root, 'not-a-dir');
    writeFileSync(logDir, '');
    const spoolDir = join(root, 'spool');
    const handle = registerLogging({
      serviceName: 'spool-view',
      logsExporter: 'file',
      logDir,
      metricsExporter: 'none',
      handleProcessExit: false,
      delivery: { spoolDir },
    });
    handle.getLogger('files').warn('disk trouble', { 'disk.free': 0 });
    await handle.forceFlush();
    await handle.shutdown();
    const result = runCli(['view', join(spoolDir, 'files'), '--json']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/1 record\(s\) waiting/);
    expect(JSON.parse(result.stdout)).toMatchObject({
      message: 'disk trouble',
      level: 'WARN',
      attributes: { 'disk.free': 0 },
    });
  });
});
