import { describe, expect, it } from 'vitest';
import { CATEGORY_EVENTS } from '../../src/categories/index.js';
import { flush, recordsOf, useCategoryHelpers } from './support.js';

const { otlp, setup } = useCategoryHelpers();

describe('user.interaction', () => {
  it('should emit one user record with a truncated response summary, tool calls and the error', async () => {
    const helpers = setup();
    helpers.user.interaction({
      input: 'what is the weather?',
      response: 'x'.repeat(600),
      toolCalls: ['weather', { name: 'geo' }],
      success: true,
      durationMs: 120,
    });
    helpers.user.interaction({
      input: 'again',
      success: false,
      durationMs: 5,
      error: new TypeError('boom'),
    });
    await flush(otlp.handle!, otlp.receiver, { records: 2 });

    const [ok, failed] = recordsOf(otlp.receiver, CATEGORY_EVENTS.userInteraction);
    expect(ok).toMatchObject({ severityText: 'INFO', severityNumber: 9 });
    expect(ok!.attributes).toEqual({
      'logkit.category': 'user',
      'logkit.user.input': 'what is the weather?',
      'logkit.user.response': `${'x'.repeat(500)}…[truncated 100 chars]`,
      'logkit.user.tool_calls': ['weather', 'geo'],
      success: true,
      duration_ms: 120,
    });
    expect(failed).toMatchObject({ severityText: 'ERROR' });
    expect(failed!.attributes).toMatchObject({
      'logkit.category': 'user',
      success: false,
      'exception.type': 'TypeError',
      'exception.message': 'boom',
    });
    expect(failed!.attributes['exception.stacktrace']).toMatch(/TypeError: boom/);
  });
});
