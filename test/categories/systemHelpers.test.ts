import { describe, expect, it } from 'vitest';
import { flush, useCategoryHelpers } from './support.js';

const { otlp, setup } = useCategoryHelpers();

describe('system', () => {
  it('should emit startup, shutdown, error, warning and configChange records', async () => {
    const helpers = setup();
    helpers.system.startup('db', { pool: 10 });
    helpers.system.shutdown('db');
    helpers.system.error('db', new Error('lost connection'), { retry: 3 });
    helpers.system.warning('cache', 'slow evictions', { ms: 900 });
    helpers.system.configChange('pool', { key: 'size', from: 10, to: 20 });
    await flush(otlp.handle!, otlp.receiver, { records: 5 });

    const byEvent = Object.fromEntries(otlp.receiver.logs.map((r) => [r.eventName, r]));
    expect(Object.keys(byEvent).sort()).toEqual(
      [
        'logkit.system.config_change',
        'logkit.system.error',
        'logkit.system.shutdown',
        'logkit.system.startup',
        'logkit.system.warning',
      ].sort(),
    );
    for (const r of otlp.receiver.logs) expect(r.attributes['logkit.category']).toBe('system');
    expect(byEvent['logkit.system.startup']).toMatchObject({
      severityText: 'INFO',
      body: 'db started',
      attributes: { 'logkit.system.component': 'db', 'logkit.details': { pool: 10 } },
    });
    expect(byEvent['logkit.system.error']).toMatchObject({
      severityText: 'ERROR',
      attributes: {
        'logkit.system.component': 'db',
        'exception.type': 'Error',
        'exception.message': 'lost connection',
        'logkit.details': { retry: 3 },
      },
    });
    expect(byEvent['logkit.system.warning']).toMatchObject({
      severityText: 'WARN',
      body: 'slow evictions',
    });
    expect(byEvent['logkit.system.config_change']!.attributes).toMatchObject({
      'logkit.system.component': 'pool',
      'logkit.system.config_change': { key: 'size', from: 10, to: 20 },
    });
  });
});
