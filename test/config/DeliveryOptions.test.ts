import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoggingConfigError } from '../../src/config/LoggingConfigError.js';
import { resolveConfig } from '../../src/config/resolveConfig.js';

describe('resolveConfig delivery', () => {
  it('should default to a spool under the log directory', () => {
    expect(resolveConfig({ logDir: '/var/log/app' }, {}).delivery).toEqual({
      spool: { dir: path.resolve('/var/log/app/spool'), maxBytes: 256 * 1024 * 1024 },
      memoryBudget: 2048,
      deadlineMillis: 3000,
      unhealthyAfterMillis: 60_000,
    });
  });

  it('should read the OTEL_LOGKIT_* variables, and let options win over them', () => {
    const env = {
      OTEL_LOGKIT_SPOOL_DIR: '/tmp/spool-env',
      OTEL_LOGKIT_SPOOL_MAX_BYTES: '1048576',
      OTEL_LOGKIT_MEMORY_BUDGET: '100',
      OTEL_LOGKIT_DELIVERY_DEADLINE: '1500',
      OTEL_LOGKIT_SPOOL_UNHEALTHY_AFTER: '5000',
    };
    expect(resolveConfig({}, env).delivery).toEqual({
      spool: { dir: '/tmp/spool-env', maxBytes: 1_048_576 },
      memoryBudget: 100,
      deadlineMillis: 1500,
      unhealthyAfterMillis: 5000,
    });
    expect(
      resolveConfig({ delivery: { spoolDir: '/tmp/opt', memoryBudget: 7 } }, env).delivery,
    ).toMatchObject({ spool: { dir: '/tmp/opt' }, memoryBudget: 7 });
  });

  it('should turn the spool off with OTEL_LOGKIT_SPOOL=false or spool: false', () => {
    expect(resolveConfig({}, { OTEL_LOGKIT_SPOOL: 'false' }).delivery.spool).toBeUndefined();
    expect(resolveConfig({ delivery: { spool: false } }, {}).delivery.spool).toBeUndefined();
  });

  it('should cap the default deadline at a shorter shutdownTimeoutMillis', () => {
    expect(resolveConfig({ shutdownTimeoutMillis: 1000 }, {}).delivery.deadlineMillis).toBe(1000);
  });

  const bad: Array<[string, Parameters<typeof resolveConfig>[0], Record<string, string>, RegExp]> =
    [
      ['spool flag', {}, { OTEL_LOGKIT_SPOOL: 'maybe' }, /OTEL_LOGKIT_SPOOL: "maybe"/],
      ['empty dir', { delivery: { spoolDir: '' } }, {}, /option delivery.spoolDir/],
      [
        'tiny cap',
        { delivery: { spoolMaxBytes: 1000 } },
        {},
        /option delivery.spoolMaxBytes: 1000.*>= 65536/,
      ],
      ['cap env', {}, { OTEL_LOGKIT_SPOOL_MAX_BYTES: '1GB' }, /OTEL_LOGKIT_SPOOL_MAX_BYTES: "1GB"/],
      ['zero budget', { delivery: { memoryBudget: 0 } }, {}, /option delivery.memoryBudget: 0/],
      [
        'deadline past the shutdown timeout',
        { delivery: { deadlineMillis: 9000 } },
        {},
        /option delivery.deadlineMillis: 9000.*at most shutdownTimeoutMillis \(5000\)/,
      ],
      [
        'unhealthy env',
        {},
        { OTEL_LOGKIT_SPOOL_UNHEALTHY_AFTER: '-1' },
        /OTEL_LOGKIT_SPOOL_UNHEALTHY_AFTER: "-1"/,
      ],
    ];
  it.each(bad)(
    'should reject a bad %s with a LoggingConfigError naming it',
    (_, options, env, message) => {
      expect(() => resolveConfig(options, env)).toThrow(LoggingConfigError);
      expect(() => resolveConfig(options, env)).toThrow(message);
    },
  );
});
