import { describe, expect, it } from 'vitest';
import { createCategoryHelpers } from '../../src/categories/index.js';
import { recordDiagErrors } from '../helpers/diag.js';
import { flush, metric, recordsOf, useCategoryHelpers } from './support.js';

const { otlp, setup } = useCategoryHelpers();

describe('createCategoryHelpers', () => {
  it('should throw a clear error when no registration exists and no otlp.handle is given', () => {
    expect(() => createCategoryHelpers()).toThrow(/registerLogging\(\)/);
  });

  it('should default to the live registration', async () => {
    otlp.register();
    createCategoryHelpers().system.startup('db');
    await flush(otlp.handle!, otlp.receiver, { records: 1 });
    expect(recordsOf(otlp.receiver, 'logkit.system.startup')).toHaveLength(1);
  });
});

describe('robustness', () => {
  it('should never throw into the app and report through diag once', async () => {
    const diagErrors = recordDiagErrors();
    const helpers = setup();
    const hostile = {
      get input(): string {
        throw new Error('getter');
      },
      success: true,
      durationMs: 1,
    };
    expect(() => helpers.user.interaction(hostile)).not.toThrow();
    expect(() => helpers.user.interaction(hostile)).not.toThrow();
    expect(() =>
      helpers.llm.call({
        provider: 'p',
        model: 'm',
        inputTokens: Number.NaN,
        outputTokens: -1,
        durationMs: Number.POSITIVE_INFINITY,
        success: true,
      }),
    ).not.toThrow();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() =>
      helpers.tool.execution({ name: 't', parameters: circular, success: true, durationMs: 1 }),
    ).not.toThrow();
    await flush(otlp.handle!, otlp.receiver, { records: 2 });
    expect(diagErrors.mock.calls.filter(([m]) => m.includes('user helper failed'))).toHaveLength(1);
    // The llm record is still emitted; no metric point from invalid numbers.
    expect(recordsOf(otlp.receiver, 'logkit.llm.call')).toHaveLength(1);
    expect(metric(otlp.receiver, 'gen_ai.client.token.usage')).toBeUndefined();
    expect(
      recordsOf(otlp.receiver, 'logkit.tool.execution')[0]!.attributes[
        'gen_ai.tool.call.arguments'
      ],
    ).toMatch(/Circular/);
  });
});
