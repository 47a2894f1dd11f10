import { describe, expect, it } from 'vitest';
import { CATEGORY_EVENTS } from '../../src/categories/index.js';
import { flush, recordsOf, useCategoryHelpers } from './support.js';

const { otlp, setup } = useCategoryHelpers();

describe('security', () => {
  it('should emit security events, WARN when denied', async () => {
    const helpers = setup();
    helpers.security.event({ type: 'login', allowed: true, user: 'ann', address: '10.0.0.1' });
    helpers.security.event({
      type: 'access',
      resource: '/admin',
      action: 'read',
      allowed: false,
      reason: 'no role',
      user: 'bob',
    });
    await flush(otlp.handle!, otlp.receiver, { records: 2 });

    const [allowed, denied] = recordsOf(otlp.receiver, CATEGORY_EVENTS.securityEvent);
    expect(allowed).toMatchObject({ severityText: 'INFO' });
    expect(allowed!.attributes).toEqual({
      'logkit.category': 'security',
      'logkit.security.type': 'login',
      'logkit.security.allowed': true,
      'user.id': 'ann',
      'client.address': '10.0.0.1',
    });
    expect(denied).toMatchObject({ severityText: 'WARN', body: 'access read /admin denied' });
    expect(denied!.attributes).toMatchObject({
      'logkit.security.resource': '/admin',
      'logkit.security.action': 'read',
      'logkit.security.allowed': false,
      'logkit.security.reason': 'no role',
    });
  });

  it('should raise one security.alert for brute force and one for rate abuse, within the window', async () => {
    let now = 1_000_000;
    const helpers = setup({
      security: {
        bruteForce: { failures: 3, windowMillis: 60_000 },
        rateAbuse: { violations: 2, windowMillis: 1_000 },
        now: () => now,
      },
    });
    const { monitor } = helpers.security;
    monitor.loginFailed('eve', '10.0.0.9');
    now += 59_000;
    monitor.loginFailed('eve');
    monitor.loginFailed('ann'); // another user does not count
    expect(otlp.receiver.logs).toHaveLength(0);
    now += 500;
    expect(monitor.loginFailed('eve', '10.0.0.7')).toBe(true); // third within 60 s
    expect(monitor.loginFailed('eve')).toBe(false); // reset after the alert

    monitor.rateLimitViolation('10.1.1.1');
    now += 1_500; // the first violation left the window
    monitor.rateLimitViolation('10.1.1.1');
    now += 10;
    monitor.rateLimitViolation('10.1.1.1');
    await flush(otlp.handle!, otlp.receiver, { records: 2 });

    const alerts = recordsOf(otlp.receiver, 'security.alert');
    expect(alerts).toHaveLength(2);
    expect(otlp.receiver.logs).toHaveLength(2);
    expect(alerts[0]).toMatchObject({ severityText: 'ERROR', severityNumber: 17 });
    expect(alerts[0]!.attributes).toEqual({
      'logkit.category': 'security',
      'logkit.security.alert.type': 'brute_force',
      'logkit.security.alert.count': 3,
      'logkit.security.alert.window_ms': 60_000,
      'user.id': 'eve',
      'client.address': '10.0.0.7',
    });
    expect(alerts[1]!.attributes).toEqual({
      'logkit.category': 'security',
      'logkit.security.alert.type': 'rate_abuse',
      'logkit.security.alert.count': 2,
      'logkit.security.alert.window_ms': 1_000,
      'client.address': '10.1.1.1',
    });
  });

  it('should use the default thresholds (5 in 5 min, 10 in 1 min)', () => {
    const helpers = setup();
    expect(helpers.security.monitor.thresholds).toEqual({
      bruteForce: { count: 5, windowMillis: 300_000 },
      rateAbuse: { count: 10, windowMillis: 60_000 },
    });
  });
});
