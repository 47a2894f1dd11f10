import { describe, expect, it } from 'vitest';
import { CATEGORY_EVENTS, CATEGORY_METRICS } from '../../src/categories/index.js';
import { flush, metric, point, recordsOf, useCategoryHelpers } from './support.js';

const { otlp, setup } = useCategoryHelpers();

describe('tool.execution', () => {
  it('should emit a tool record with gen_ai attributes and record gen_ai.execute_tool.duration', async () => {
    const helpers = setup();
    helpers.tool.execution({
      name: 'search',
      server: 'mcp://files',
      parameters: { q: 'a'.repeat(600) },
      result: ['r1'],
      success: true,
      durationMs: 250,
    });
    helpers.tool.execution({
      name: 'search',
      success: false,
      durationMs: 750,
      error: new RangeError('too many'),
    });
    await flush(otlp.handle!, otlp.receiver, { records: 2, metrics: true });

    const [ok, failed] = recordsOf(otlp.receiver, CATEGORY_EVENTS.toolExecution);
    expect(ok!.attributes).toMatchObject({
      'logkit.category': 'tool',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'search',
      'logkit.tool.server': 'mcp://files',
      'gen_ai.tool.call.result': '["r1"]',
      success: true,
      duration_ms: 250,
    });
    const args = ok!.attributes['gen_ai.tool.call.arguments'] as string;
    expect(args.startsWith('{"q":"aaa')).toBe(true);
    expect(args).toMatch(/…\[truncated 108 chars\]$/);
    expect(failed).toMatchObject({ severityText: 'ERROR' });
    expect(failed!.attributes).toMatchObject({
      'error.type': 'RangeError',
      'exception.type': 'RangeError',
    });

    const m = metric(otlp.receiver, CATEGORY_METRICS.toolDuration.name);
    expect(m).toMatchObject({ name: 'gen_ai.execute_tool.duration', unit: 's', kind: 'histogram' });
    expect(m!.dataPoints).toHaveLength(2);
    expect(
      point(m, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' }),
    ).toMatchObject({ count: 1, sum: 0.25 });
    expect(
      point(m, {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'search',
        'error.type': 'RangeError',
      }),
    ).toMatchObject({ count: 1, sum: 0.75 });
  });
});
