import { describe, expect, it } from 'vitest';
import { useCaptureLogs } from '../../helpers/useCaptureLogs.js';

const logs = useCaptureLogs({ serviceName: 'pipeline-test' });
const { register, records } = logs;

describe('limits', () => {
  it('should truncate long attribute values, nested strings and the body, marking each', async () => {
    register({ limits: { attributeValueLength: 10, bodyLength: 12 } });
    logs.handle!.getLogger('limits').info('a body that is far too long', {
      short: 'ok',
      long: 'x'.repeat(25),
      nested: { deep: ['y'.repeat(11)] },
      n: 12345678901234,
    });
    const [record] = await records();
    expect(record!.body).toBe('a body that …[truncated 15 chars]');
    expect(record!.attributes).toMatchObject({
      short: 'ok',
      long: `${'x'.repeat(10)}…[truncated 15 chars]`,
      nested: { deep: [`${'y'.repeat(10)}…[truncated 1 chars]`] },
      n: 12345678901234,
    });
  });

  it('should drop attributes past the count, counting them in droppedAttributesCount', async () => {
    register({ limits: { attributeCount: 3 } });
    logs.handle!.getLogger('limits').info('many', { a: 1, b: 2, c: 3, d: 4, e: 5 });
    const [record] = await records();
    expect(Object.keys(record!.attributes)).toEqual(['a', 'b', 'c']);
    expect(record!.droppedAttributesCount).toBe(2);
  });

  it('should honour OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT and the summary preset', async () => {
    process.env.OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT = '5';
    try {
      register({ limits: { preset: 'summary' } });
    } finally {
      delete process.env.OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT;
    }
    logs.handle!.getLogger('limits').info('r'.repeat(600), { response: 'abcdefgh' });
    const [record] = await records();
    expect(record!.attributes.response).toBe('abcde…[truncated 3 chars]');
    expect(record!.body).toBe(`${'r'.repeat(500)}…[truncated 100 chars]`);
  });

  it('should reject bad limits at setup', () => {
    expect(() => register({ limits: { bodyLength: 0 } })).toThrow(/limits.bodyLength: 0/);
    expect(() => register({ limits: { preset: 'tiny' as never } })).toThrow(/limits.preset/);
  });
});
