import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SeverityNumber } from '@opentelemetry/api';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { registerLogging, type LoggingOptions, verifyAuditChain } from '../../../src/index.js';
import { readLogFiles } from '../../helpers/readLogFiles.js';
import { useCaptureLogs } from '../../helpers/useCaptureLogs.js';

const logs = useCaptureLogs({ serviceName: 'pipeline-test' });
const { register, records } = logs;

describe('routing', () => {
  function twoDestinations(routing: LoggingOptions['routing']) {
    const a = new InMemoryLogRecordExporter();
    const b = new InMemoryLogRecordExporter();
    // Only these two destinations (no capture of every record): straight registerLogging.
    logs.adopt(
      registerLogging({
        serviceName: 'pipeline-test',
        logsExporter: 'none',
        handleProcessExit: false,
        destinations: { a, b },
        routing,
      }),
    );
    return { a, b };
  }

  it('should apply a minimum level per destination', async () => {
    const { a, b } = twoDestinations({ a: { minLevel: 'debug' }, b: { minLevel: 'info' } });
    const log = logs.handle!.getLogger('route', { level: 'debug' });
    log.debug('detail');
    log.info('summary');
    expect((await records(a)).map((r) => r.body)).toEqual(['detail', 'summary']);
    expect((await records(b)).map((r) => r.body)).toEqual(['summary']);
  });

  it('should include and exclude by event name and category globs', async () => {
    const { a, b } = twoDestinations({
      a: { include: { eventName: 'gen_ai.*', category: ['tool'] } },
      b: { exclude: { category: 'llm' } },
    });
    const llm = logs.handle!.getLogger('llm', { category: 'llm' });
    const tool = logs.handle!.getLogger('tool', { category: 'tool' });
    llm.emit({
      eventName: 'gen_ai.client.inference',
      body: 'inference',
      severityNumber: SeverityNumber.INFO,
    });
    llm.info('plain llm');
    tool.info('tool ran');
    expect((await records(a)).map((r) => r.body)).toEqual(['inference', 'tool ran']);
    expect((await records(b)).map((r) => r.body)).toEqual(['tool ran']);
  });

  it('should count a record that no destination accepts as filtered', async () => {
    twoDestinations({ a: { minLevel: 'error' }, b: { minLevel: 'error' } });
    logs.handle!.getLogger('x').info('nowhere');
    await logs.handle!.forceFlush();
    expect(logs.handle!.stats().dropped.filtered).toBe(1);
  });

  it('should send security and audit records to the audit files too', async () => {
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-audit-'));
    register({ logDir, logsExporter: 'file', audit: true });
    logs
      .handle!.getLogger('sec', { category: 'security' })
      .warn('login failed', { 'user.id': 'u1' });
    logs.handle!.getLogger('aud', { category: 'audit' }).info('role granted');
    logs.handle!.getLogger('app').info('ordinary');
    await logs.handle!.forceFlush();
    const audit = readLogFiles(path.join(logDir, 'audit'));
    expect(audit.map((r) => r.body).sort()).toEqual(['login failed', 'role granted']);
    // The audit records form a verifiable hash chain.
    expect(audit.every((r) => typeof r.attributes['logkit.audit.hash'] === 'string')).toBe(true);
    expect(await verifyAuditChain(path.join(logDir, 'audit'))).toMatchObject({
      ok: true,
      records: 2,
    });
    expect(
      readLogFiles(logDir)
        .map((r) => r.body)
        .sort(),
    ).toEqual(['login failed', 'ordinary', 'role granted']);
  });

  it('should key the audit chain with audit.key', async () => {
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-audit-keyed-'));
    const key = 'an audit key of 32 bytes or more';
    register({ logDir, logsExporter: 'file', audit: { key } });
    logs.handle!.getLogger('sec', { category: 'security' }).warn('login failed');
    await logs.handle!.forceFlush();
    const dir = path.join(logDir, 'audit');
    expect(readLogFiles(dir)[0]!.attributes['logkit.audit.alg']).toBe('hmac-sha256');
    await expect(
      verifyAuditChain(dir, { key: new TextEncoder().encode(key) }),
    ).resolves.toMatchObject({ ok: true, records: 1 });
    await expect(verifyAuditChain(dir)).rejects.toMatchObject({ code: 'ERR_AUDIT_KEY_REQUIRED' });
  });

  it('should reject a routing rule for an unknown destination or with a bad level', () => {
    expect(() => register({ routing: { kafka: {} } })).toThrow(/option routing.kafka/);
    expect(() => register({ routing: { console: { minLevel: 'loud' } } })).toThrow(
      /routing.console.minLevel: "loud"/,
    );
  });
});
