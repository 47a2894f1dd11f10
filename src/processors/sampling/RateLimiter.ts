import { reportOnce } from '../../internal/reportOnce.js';

/** Keys whose buckets are kept; beyond it the oldest key is forgotten. */
export const MAX_RATE_LIMIT_KEYS = 10_000;

/** The key under which suppressions are summarised once {@link MAX_RATE_LIMIT_KEYS} keys have some. */
export const OVERFLOW_KEY = '(other keys)';

interface Bucket {
  tokens: number;
  last: number;
}

/** Settings of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  readonly perSecond: number;
  /** >= 1. */
  readonly burst: number;
  readonly windowMillis: number;
  /** Milliseconds, monotonic. */
  readonly now: () => number;
  /** Called once per key and window with the number of records suppressed. */
  readonly summarise: (key: string, suppressed: number) => void;
}

/**
 * A token bucket per key, refilled continuously at `perSecond` up to `burst`.
 * Suppressed records are counted per key; at the end of each window (a timer
 * that runs only while something is suppressed, and never holds the process
 * open) and on {@link flush}, `summarise` is called once per key.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly suppressed = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RateLimiterOptions) {}

  /** Takes a token for `key`: true to keep the record, false if it is suppressed. */
  tryAcquire(key: string): boolean {
    const { perSecond, burst, now } = this.options;
    const t = now();
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_RATE_LIMIT_KEYS) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
      this.buckets.set(key, { tokens: burst - 1, last: t });
      return true;
    }
    const elapsed = t > bucket.last ? t - bucket.last : 0;
    const tokens = Math.min(burst, bucket.tokens + (elapsed * perSecond) / 1000);
    bucket.last = t;
    if (tokens >= 1) {
      bucket.tokens = tokens - 1;
      return true;
    }
    bucket.tokens = tokens;
    this.suppress(key);
    return false;
  }

  /** Summarises what was suppressed so far and ends the window. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.suppressed.size === 0) return;
    const entries = [...this.suppressed];
    this.suppressed.clear();
    for (const [key, count] of entries) {
      try {
        this.options.summarise(key, count);
      } catch (error) {
        reportOnce('sampling:summary', 'could not emit a rate-limit summary', error);
      }
    }
  }

  /** Summarises what is pending and stops the timer; later suppressions are not summarised. */
  shutdown(): void {
    this.flush();
    this.closed = true;
  }

  private suppress(key: string): void {
    if (this.closed) return;
    const count = this.suppressed.get(key);
    if (count !== undefined) {
      this.suppressed.set(key, count + 1);
    } else if (this.suppressed.size < MAX_RATE_LIMIT_KEYS) {
      this.suppressed.set(key, 1);
    } else {
      this.suppressed.set(OVERFLOW_KEY, (this.suppressed.get(OVERFLOW_KEY) ?? 0) + 1);
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.options.windowMillis);
      this.timer.unref();
    }
  }
}
