import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/index.js';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { recordDiagErrors } from '../helpers/diag.js';

// The audit files behind the delivery path: a burst past the memory budget
// waits in the spool instead of leaving gaps in the chain, and a chain
// resumed after a restart continues after the records still in the spool.

let handle: LoggingHandle | undefined;
let root: string;
let auditDir: string;
let spoolDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logkit-audit-delivery-'));
  auditDir = join(root, 'audit');
  spoolDir = join(root, 'spool');
});
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  rmSync(root, { recursive: true, force: true });
  diag.disable();
  resetReportOnce();
});

function register(options: LoggingOptions = {}): LoggingHandle {
  handle = registerLogging({
    serviceName: 'audit-delivery-test',
    logsExporter: 'none',
    metricsExporter: 'none',
    handleProcessExit: false,
    audit: { dir: auditDir },
    batch: { scheduledDelayMillis: 50 },
    ...options,
    delivery: { spoolDir, ...options.delivery },
  });
  return handle;
}

function logAudit(h: LoggingHandle, count: number, from = 0): void {
  const log = h.getLogger('auth', { category: 'security' });
  for (let i = from; i < from + count; i++) log.info(`login ${i}`, { 'user.id': `u${i}` });
}

async function waitFor(predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const audit = () => handle!.health().destinations.find((d) => d.name === 'audit')!;

describe('the audit destination through the delivery path', () => {
  it('should write every record of a burst past the memory budget into a chain that verifies', async () => {
    const h = register({ delivery: { memoryBudget: 200 } });
    logAudit(h, 5000);
    expect(audit().queue!.size).toBeLessThanOrEqual(200);
    await h.forceFlush();
    await waitFor(async () => (await verifyAuditChain(auditDir)).records >= 5000);
    expect(await verifyAuditChain(auditDir)).toMatchObject({
      ok: true,
      records: 5000,
      head: { seq: 5000 },
    });
    expect(h.stats().dropped).toMatchObject({ 'queue-full': 0, 'export-failed': 0 });
  });

  it('should verify records holding every kind of value the encoders spell differently', async () => {
    // What is hashed and what is written must be the same spelling: the file
    // lines carry non-finite doubles, lone surrogates, big and negative ints,
    // bytes, empty maps and lists exactly as the chain hashed them.
    const h = register();
    const log = h.getLogger('auth', { category: 'security' });
    const values = {
      nan: NaN,
      inf: Infinity,
      negInf: -Infinity,
      lone: 'a\ud800b',
      loneLow: '\udc00',
      big: 2 ** 60,
      negative: -42,
      fraction: 0.1,
      bytes: new Uint8Array([0, 255, 7]),
      emptyMap: {},
      emptyList: [],
      nested: { list: [1, 'two', { three: 3.5 }], none: null },
      unicode: 'é😀',
    };
    log.info('values', values);
    log.info({ body: 'map', n: NaN } as never);
    log.warn('no attributes');
    await h.forceFlush();
    await waitFor(async () => (await verifyAuditChain(auditDir)).records >= 3);
    expect(await verifyAuditChain(auditDir)).toMatchObject({ ok: true, records: 3 });
  });

  it('should verify a record whose values a step put behind getters that answer differently each time', async () => {
    // The chain hashes the record, the delivery path encodes it again to
    // write it: each value must be read once, or the written record fails its
    // own hash (verification reported it as modified).
    let reads = 0;
    const h = register({
      steps: [
        'enrich',
        'redact',
        (record) => {
          const attributes = record.attributes as Record<string, unknown>;
          Object.defineProperty(attributes, 'changing', {
            enumerable: true,
            configurable: true,
            get: () => `read ${++reads}`,
          });
          const nested: Record<string, unknown> = {};
          Object.defineProperty(nested, 'inner', { enumerable: true, get: () => ++reads });
          attributes.nested = nested;
          return record;
        },
      ],
    });
    const log = h.getLogger('auth', { category: 'security' });
    log.info('login 1');
    log.info('login 2');
    await h.forceFlush();
    await waitFor(async () => (await verifyAuditChain(auditDir)).records >= 2);
    expect(await verifyAuditChain(auditDir)).toMatchObject({ ok: true, records: 2 });
    expect(reads).toBeGreaterThan(0);
  });

  it('should resume the chain after the records a previous process left in the spool', async () => {
    recordDiagErrors();
    // The audit directory cannot be created (a file is in its way): every
    // write fails and the records wait in the spool.
    writeFileSync(auditDir, 'in the way');
    const first = register();
    logAudit(first, 300);
    await first.forceFlush();
    expect(audit().spool!.records).toBe(300);
    await first.shutdown();
    handle = undefined;
    expect(readdirSync(join(spoolDir, 'audit')).some((n) => n.endsWith('.seg'))).toBe(true);

    rmSync(auditDir);
    const second = register();
    logAudit(second, 100, 300);
    await second.forceFlush();
    await waitFor(
      async () => existsSync(auditDir) && (await verifyAuditChain(auditDir)).records >= 400,
    );
    expect(await verifyAuditChain(auditDir)).toMatchObject({
      ok: true,
      records: 400,
      head: { seq: 400 },
    });
  });
});
