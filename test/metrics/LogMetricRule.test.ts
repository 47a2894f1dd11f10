import { describe, expect, it } from 'vitest';
import { LoggingConfigError } from '../../src/config/LoggingConfigError.js';
import { resolveConfig } from '../../src/config/resolveConfig.js';
import { resolveMetricRules, type LogMetricRule } from '../../src/metrics/LogMetricRule.js';

describe('resolveMetricRules', () => {
  it('should return no rules for none, and a copy of valid rules', () => {
    expect(resolveMetricRules(undefined)).toEqual([]);
    const rules: LogMetricRule[] = [
      { match: { eventName: 'order.*' }, name: 'orders', instrument: 'counter' },
      { match: { category: 'llm' }, name: 'tokens', instrument: 'histogram', attribute: 'n' },
    ];
    const resolved = resolveMetricRules(rules);
    expect(resolved).toEqual(rules);
    expect(resolved).not.toBe(rules);
  });

  it('should name the bad field of the bad rule', () => {
    const bad = (rule: unknown) => () => resolveMetricRules([rule as LogMetricRule]);
    expect(bad(null)).toThrow(LoggingConfigError);
    expect(bad({ match: { category: 'a' }, name: '1x', instrument: 'counter' })).toThrow(
      /option metricRules\[0\]\.name/,
    );
    expect(bad({ match: { category: 'a' }, name: 'x', instrument: 'gauge' })).toThrow(
      /option metricRules\[0\]\.instrument/,
    );
    expect(bad({ match: {}, name: 'x', instrument: 'counter' })).toThrow(
      /option metricRules\[0\]\.match/,
    );
  });

  it('should run in the config phase', () => {
    expect(() =>
      resolveConfig({ metricRules: [{ match: {}, name: 'x', instrument: 'counter' }] }, {}),
    ).toThrow(/option metricRules\[0\]\.match/);
  });
});
