import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAudit } from '../../src/audit/AuditOptions.js';

describe('resolveAudit', () => {
  it('should be off unless asked for, with its files under <logDir>/audit by default', () => {
    expect(resolveAudit(undefined, '/var/log/app', {})).toBeUndefined();
    expect(resolveAudit(false, '/var/log/app', {})).toBeUndefined();
    expect(resolveAudit(true, '/var/log/app', {})).toEqual({
      dir: path.resolve('/var/log/app/audit'),
      categories: ['security', 'audit'],
      key: undefined,
    });
  });

  it('should take the key from the option, else OTEL_LOGKIT_AUDIT_KEY', () => {
    const key = 'k'.repeat(16);
    const env = { OTEL_LOGKIT_AUDIT_KEY: 'e'.repeat(16) };
    expect(resolveAudit({ key }, '/l', env)?.key).toEqual(new Uint8Array(Buffer.from(key)));
    expect(resolveAudit(true, '/l', env)?.key).toEqual(
      new Uint8Array(Buffer.from(env.OTEL_LOGKIT_AUDIT_KEY)),
    );
  });

  it('should name the bad option or variable', () => {
    expect(() => resolveAudit('yes' as never, '/l', {})).toThrow('option audit');
    expect(() => resolveAudit({ dir: '' }, '/l', {})).toThrow('option audit.dir');
    expect(() => resolveAudit({ key: 'short' }, '/l', {})).toThrow('option audit.key');
    expect(() => resolveAudit(true, '/l', { OTEL_LOGKIT_AUDIT_KEY: 'short' })).toThrow(
      'OTEL_LOGKIT_AUDIT_KEY',
    );
  });
});
