import { describe, expect, it } from 'vitest';
import { SecurityMonitor, type SecurityAlert } from '../../src/categories/index.js';

function monitorWithClock(options: ConstructorParameters<typeof SecurityMonitor>[1] = {}) {
  const clock = { now: 0 };
  const alerts: SecurityAlert[] = [];
  const monitor = new SecurityMonitor((a) => alerts.push(a), { ...options, now: () => clock.now });
  return { clock, alerts, monitor };
}

describe('SecurityMonitor', () => {
  it('should alert on the 5th failed login of one user within 5 minutes, then start again', () => {
    const { clock, alerts, monitor } = monitorWithClock();
    for (let i = 0; i < 4; i++) {
      monitor.loginFailed('eve', '10.0.0.1');
      clock.now += 60_000;
    }
    expect(alerts).toHaveLength(0);
    clock.now -= 1; // the 5th at 4 min 59.999 s after the 1st
    monitor.loginFailed('eve');
    expect(alerts).toEqual([
      { type: 'brute_force', user: 'eve', address: '10.0.0.1', count: 5, windowMillis: 300_000 },
    ]);
    for (let i = 0; i < 4; i++) monitor.loginFailed('eve');
    expect(alerts).toHaveLength(1);
    monitor.loginFailed('eve');
    expect(alerts).toHaveLength(2);
  });

  it('should not alert when failures are spread over more than the window (sliding)', () => {
    const { clock, alerts, monitor } = monitorWithClock();
    for (let i = 0; i < 20; i++) {
      monitor.loginFailed('slow');
      clock.now += 75_000; // 4 per 5 minutes at most
    }
    expect(alerts).toHaveLength(0);
  });

  it('should alert on the 10th rate-limit violation of one address within a minute', () => {
    const { clock, alerts, monitor } = monitorWithClock();
    for (let i = 0; i < 9; i++) {
      expect(monitor.rateLimitViolation('1.2.3.4')).toBe(false);
      monitor.rateLimitViolation('5.6.7.8');
      clock.now += 1_000;
    }
    expect(monitor.rateLimitViolation('1.2.3.4')).toBe(true);
    expect(alerts).toEqual([
      { type: 'rate_abuse', address: '1.2.3.4', count: 10, windowMillis: 60_000 },
    ]);
  });

  it('should take configured thresholds and ignore invalid ones', () => {
    const { monitor } = monitorWithClock({
      bruteForce: { failures: 2, windowMillis: 10 },
      rateAbuse: { violations: -1, windowMillis: Number.NaN },
    });
    expect(monitor.thresholds).toEqual({
      bruteForce: { count: 2, windowMillis: 10 },
      rateAbuse: { count: 10, windowMillis: 60_000 },
    });
  });

  it('should keep bounded memory', () => {
    const { alerts, monitor } = monitorWithClock({ maxTrackedKeys: 100 });
    for (let i = 0; i < 10_000; i++) {
      monitor.loginFailed(`user${i}`);
      monitor.rateLimitViolation(`10.0.${i >> 8}.${i & 255}`);
    }
    expect(monitor.trackedKeys).toBeLessThanOrEqual(200);
    expect(alerts).toHaveLength(0);
    // A hot key keeps being tracked while others come and go.
    for (let i = 0; i < 5; i++) {
      monitor.loginFailed('hot');
      monitor.loginFailed(`cold${i}`);
    }
    expect(alerts.map((a) => a.user)).toEqual(['hot']);
  });
});
