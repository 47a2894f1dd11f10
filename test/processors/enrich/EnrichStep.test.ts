import { context, propagation } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { withContext } from '../../../src/index.js';
import { useCaptureLogs } from '../../helpers/useCaptureLogs.js';

const logs = useCaptureLogs({ serviceName: 'pipeline-test' });
const { register, records } = logs;

describe('enrich', () => {
  it('should add static, withContext and Baggage attributes without overwriting the call', async () => {
    register({ attributes: { region: 'eu-1', team: 'pay' } });
    const log = logs.handle!.getLogger('enrich');
    const baggage = propagation.createBaggage({
      'user.id': { value: 'u-from-baggage' },
      'session.id': { value: 's-1' },
      unrelated: { value: 'not copied' },
    });
    await context.with(propagation.setBaggage(context.active(), baggage), () =>
      withContext({ 'request.id': 'r-1' }, () => {
        log.info('enriched', { team: 'call-wins' });
        return Promise.resolve();
      }),
    );
    expect((await records())[0]!.attributes).toEqual({
      team: 'call-wins',
      region: 'eu-1',
      'request.id': 'r-1',
      'user.id': 'u-from-baggage',
      'session.id': 's-1',
    });
  });

  it('should copy every Baggage entry with baggageKeys true, none with false', async () => {
    register({ baggageKeys: true });
    const baggage = propagation.createBaggage({ anything: { value: 'v' } });
    context.with(propagation.setBaggage(context.active(), baggage), () =>
      logs.handle!.getLogger('b').info('all'),
    );
    expect((await records())[0]!.attributes.anything).toBe('v');
  });
});
