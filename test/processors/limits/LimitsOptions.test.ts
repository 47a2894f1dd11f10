import { describe, expect, it } from 'vitest';
import { collectWarnings } from '../../../src/config/validate.js';
import { resolveLimits } from '../../../src/processors/limits/LimitsOptions.js';

describe('resolveLimits', () => {
  it('should default to no length limits and 128 attributes, or 500 characters with the summary preset', () => {
    expect(resolveLimits(undefined, {})).toEqual({
      attributeValueLength: Number.POSITIVE_INFINITY,
      attributeCount: 128,
      bodyLength: Number.POSITIVE_INFINITY,
    });
    expect(resolveLimits({ preset: 'summary', bodyLength: 80 }, {})).toEqual({
      attributeValueLength: 500,
      attributeCount: 128,
      bodyLength: 80,
    });
  });

  it('should read the variables under the options', () => {
    const env = {
      OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64',
      OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: '10',
      OTEL_LOGKIT_BODY_LENGTH_LIMIT: '100',
    };
    expect(resolveLimits({ attributeCount: 5 }, env)).toEqual({
      attributeValueLength: 64,
      attributeCount: 5,
      bodyLength: 100,
    });
  });

  it('should throw for a bad option or OTEL_LOGKIT_ variable and warn for a bad spec variable', () => {
    expect(() => resolveLimits({ preset: 'short' as 'summary' }, {})).toThrow(
      'option limits.preset',
    );
    expect(() => resolveLimits({ bodyLength: 0 }, {})).toThrow('option limits.bodyLength');
    expect(() => resolveLimits({}, { OTEL_LOGKIT_BODY_LENGTH_LIMIT: 'x' })).toThrow(
      'OTEL_LOGKIT_BODY_LENGTH_LIMIT',
    );
    const { value, warnings } = collectWarnings(() =>
      resolveLimits({}, { OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT: 'many' }),
    );
    expect(value.attributeCount).toBe(128);
    expect(warnings).toEqual([
      'otel-logkit: ignoring OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT="many" (expected a whole number >= 0)',
    ]);
  });
});
