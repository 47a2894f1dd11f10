/** A count within a sliding window: `count` events within `windowMillis` raise an alert. */
export interface Threshold {
  /** Events within the window that raise an alert (at least 1). */
  readonly count: number;
  /** The window, in milliseconds. */
  readonly windowMillis: number;
}

/** Thresholds of a {@link SecurityMonitor}. */
export interface SecurityThresholds {
  /** Failed logins of one user. Default 5 within 300 000 ms. */
  readonly bruteForce?: { readonly failures: number; readonly windowMillis: number };
  /** Rate-limit violations from one address. Default 10 within 60 000 ms. */
  readonly rateAbuse?: { readonly violations: number; readonly windowMillis: number };
}

/** Options of a {@link SecurityMonitor}. */
export interface SecurityMonitorOptions extends SecurityThresholds {
  /** The clock, in milliseconds; default `Date.now`. For tests. */
  readonly now?: () => number;
  /** Users / addresses tracked at once per kind; the least recently seen is forgotten past it. Default 10 000. */
  readonly maxTrackedKeys?: number;
}

/** What a {@link SecurityMonitor} reports when a threshold is reached. */
export interface SecurityAlert {
  readonly type: 'brute_force' | 'rate_abuse';
  /** The user, for `brute_force`. */
  readonly user?: string;
  /** The client address: the one of `rate_abuse`, the last seen for `brute_force`. */
  readonly address?: string;
  /** Events counted within the window (the threshold). */
  readonly count: number;
  readonly windowMillis: number;
}

export const DEFAULT_THRESHOLDS = {
  bruteForce: { failures: 5, windowMillis: 300_000 },
  rateAbuse: { violations: 10, windowMillis: 60_000 },
} as const;

const DEFAULT_MAX_TRACKED_KEYS = 10_000;

/**
 * Sliding-window counters per key. Each key keeps at most `count` timestamps
 * and at most `maxKeys` keys are kept (least recently seen dropped first), so
 * memory is bounded whatever the traffic.
 */
class SlidingWindow {
  private readonly entries = new Map<string, { times: number[]; address?: string }>();

  constructor(
    private readonly threshold: Threshold,
    private readonly maxKeys: number,
  ) {}

  /**
   * Records one event for `key` at `now`. When it reaches the threshold the
   * key is reset and the entry returned (with the last address seen).
   */
  hit(key: string, now: number, address?: string): { address?: string } | undefined {
    const { count, windowMillis } = this.threshold;
    const entry = this.entries.get(key) ?? { times: [] };
    this.entries.delete(key); // re-inserted below: Map order is least recently seen first
    const from = now - windowMillis;
    let first = 0;
    while (first < entry.times.length && (entry.times[first] as number) <= from) first++;
    if (first > 0) entry.times.splice(0, first);
    entry.times.push(now);
    if (entry.times.length > count) entry.times.splice(0, entry.times.length - count);
    if (address !== undefined) entry.address = address;
    if (entry.times.length >= count) return entry;
    this.entries.set(key, entry);
    while (this.entries.size > this.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return undefined;
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.entries.size;
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? value : fallback;
}

/**
 * Watches failed logins and rate-limit violations and calls `onAlert` once
 * when one user has `bruteForce.failures` failed logins, or one address
 * `rateAbuse.violations` violations, within the window; the key's count then
 * starts again from zero.
 */
export class SecurityMonitor {
  private readonly now: () => number;
  private readonly bruteForce: SlidingWindow;
  private readonly rateAbuse: SlidingWindow;
  /** The thresholds in use. */
  readonly thresholds: {
    readonly bruteForce: Threshold;
    readonly rateAbuse: Threshold;
  };

  constructor(
    private readonly onAlert: (alert: SecurityAlert) => void,
    options: SecurityMonitorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const maxKeys = positive(options.maxTrackedKeys, DEFAULT_MAX_TRACKED_KEYS);
    this.thresholds = {
      bruteForce: {
        count: Math.floor(
          positive(options.bruteForce?.failures, DEFAULT_THRESHOLDS.bruteForce.failures),
        ),
        windowMillis: positive(
          options.bruteForce?.windowMillis,
          DEFAULT_THRESHOLDS.bruteForce.windowMillis,
        ),
      },
      rateAbuse: {
        count: Math.floor(
          positive(options.rateAbuse?.violations, DEFAULT_THRESHOLDS.rateAbuse.violations),
        ),
        windowMillis: positive(
          options.rateAbuse?.windowMillis,
          DEFAULT_THRESHOLDS.rateAbuse.windowMillis,
        ),
      },
    };
    this.bruteForce = new SlidingWindow(this.thresholds.bruteForce, maxKeys);
    this.rateAbuse = new SlidingWindow(this.thresholds.rateAbuse, maxKeys);
  }

  /** A failed login of `user` (from `address`). Returns whether it raised an alert. */
  loginFailed(user: string, address?: string): boolean {
    const key = String(user);
    const reached = this.bruteForce.hit(
      key,
      this.now(),
      address === undefined ? undefined : String(address),
    );
    if (!reached) return false;
    this.onAlert({
      type: 'brute_force',
      user: key,
      ...(reached.address === undefined ? {} : { address: reached.address }),
      count: this.thresholds.bruteForce.count,
      windowMillis: this.thresholds.bruteForce.windowMillis,
    });
    return true;
  }

  /** A rate-limit violation by `address`. Returns whether it raised an alert. */
  rateLimitViolation(address: string): boolean {
    const key = String(address);
    if (!this.rateAbuse.hit(key, this.now())) return false;
    this.onAlert({
      type: 'rate_abuse',
      address: key,
      count: this.thresholds.rateAbuse.count,
      windowMillis: this.thresholds.rateAbuse.windowMillis,
    });
    return true;
  }

  /** Users and addresses currently tracked; for tests. */
  get trackedKeys(): number {
    return this.bruteForce.size + this.rateAbuse.size;
  }
}
