import { describe, expect, it } from 'vitest';
import { CATEGORY_EVENTS } from '../../src/categories/index.js';
import { flush, metric, point, recordsOf, useCategoryHelpers } from './support.js';

const { otlp, setup } = useCategoryHelpers();

describe('llm.call', () => {
  it('should emit an llm record and record token usage and operation duration per semconv', async () => {
    const helpers = setup();
    const base = { provider: 'openai', model: 'gpt-4o' };
    helpers.llm.call({
      ...base,
      inputTokens: 100,
      outputTokens: 20,
      durationMs: 1500,
      success: true,
      streaming: true,
    });
    helpers.llm.call({
      ...base,
      inputTokens: 50,
      outputTokens: 30,
      durationMs: 500,
      success: true,
    });
    helpers.llm.call({
      ...base,
      inputTokens: 10,
      outputTokens: 0,
      durationMs: 100,
      success: false,
      error: Object.assign(new Error('rate limited'), { name: 'RateLimitError' }),
    });
    await flush(otlp.handle!, otlp.receiver, { records: 3, metrics: true });

    const [first, , failed] = recordsOf(otlp.receiver, CATEGORY_EVENTS.llmCall);
    expect(first!.attributes).toEqual({
      'logkit.category': 'llm',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 20,
      'logkit.llm.streaming': true,
      success: true,
      duration_ms: 1500,
    });
    expect(failed).toMatchObject({ severityText: 'ERROR' });
    expect(failed!.attributes).toMatchObject({
      'error.type': 'RateLimitError',
      'exception.message': 'rate limited',
    });

    const dims = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
    };
    const tokens = metric(otlp.receiver, 'gen_ai.client.token.usage');
    expect(tokens).toMatchObject({ unit: '{token}', kind: 'histogram' });
    expect(tokens!.dataPoints).toHaveLength(2);
    expect(point(tokens, { ...dims, 'gen_ai.token.type': 'input' })).toMatchObject({
      count: 3,
      sum: 160,
    });
    expect(point(tokens, { ...dims, 'gen_ai.token.type': 'output' })).toMatchObject({
      count: 3,
      sum: 50,
    });

    const duration = metric(otlp.receiver, 'gen_ai.client.operation.duration');
    expect(duration).toMatchObject({ unit: 's', kind: 'histogram' });
    expect(point(duration, dims)).toMatchObject({ count: 2, sum: 2 });
    expect(point(duration, { ...dims, 'error.type': 'RateLimitError' })).toMatchObject({
      count: 1,
      sum: 0.1,
    });
    expect(point(duration, dims)!.explicitBounds).toContain(0.01);
  });
});
