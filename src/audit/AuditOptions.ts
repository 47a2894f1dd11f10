import path from 'node:path';
import { readSecretKey } from '../config/secretKey.js';
import { directory, fail, type Env } from '../config/validate.js';

/** The audit destination: security and audit records to their own files. */
export interface AuditOptions {
  /** Directory; default `<logDir>/audit`. */
  readonly dir?: string;
  /** Categories routed there (glob patterns); default `security` and `audit`. */
  readonly categories?: readonly string[];
  /**
   * The audit key (a string, as UTF-8, or bytes; at least 16 bytes, 32 random
   * bytes recommended). Each record's `logkit.audit.hash` is then an
   * HMAC-SHA-256 (RFC 2104) with it rather than a SHA-256, so whoever can
   * write the audit files but does not hold the key cannot rebuild a chain
   * that verifies. `OTEL_LOGKIT_AUDIT_KEY`; default none. Verify with the same
   * key (`otel-logkit verify --key-file`, or the same variable).
   */
  readonly key?: string | Uint8Array;
}

/** {@link AuditOptions} resolved: the audit destination's settings. */
export interface ResolvedAudit {
  /** The directory, absolute. */
  readonly dir: string;
  readonly categories: readonly string[];
  /** The HMAC key; undefined for a plain SHA-256 chain. */
  readonly key: Uint8Array | undefined;
}

/** The least audit key length, in bytes (half of HMAC-SHA-256's 32-byte output). */
export const AUDIT_KEY_MIN_BYTES = 16;

/**
 * Resolves the `audit` option (`OTEL_LOGKIT_AUDIT_KEY` for the key);
 * undefined when audit is off.
 * @throws {@link LoggingConfigError} naming the bad option or variable.
 */
export function resolveAudit(
  audit: boolean | AuditOptions | undefined,
  logDir: string,
  env: Env,
): ResolvedAudit | undefined {
  if (audit === undefined || audit === false) return undefined;
  const options = audit === true ? {} : audit;
  if (typeof options !== 'object' || options === null) {
    fail('option audit', audit, 'a boolean or an object');
  }
  return {
    dir: directory(
      options.dir === undefined ? undefined : { value: options.dir, source: 'option audit.dir' },
      path.join(logDir, 'audit'),
    ),
    categories: options.categories ?? ['security', 'audit'],
    key:
      options.key !== undefined
        ? readSecretKey(options.key, 'option audit.key', AUDIT_KEY_MIN_BYTES)
        : readSecretKey(
            env.OTEL_LOGKIT_AUDIT_KEY || undefined,
            'OTEL_LOGKIT_AUDIT_KEY',
            AUDIT_KEY_MIN_BYTES,
          ),
  };
}
