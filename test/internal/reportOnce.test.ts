// What otel-logkit hands to the diag logger (printed to the console with
// OTEL_LOG_LEVEL) is redacted: an error's text may quote the value that
// failed, and a configuration warning quotes the bad value.
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerLogging, type LoggingHandle } from '../../src/index.js';
import { reportOnce, resetReportOnce } from '../../src/internal/reportOnce.js';
import { SAMPLE_JWT } from '../processors/redaction/helpers.js';

const TOKEN = 'ghp_Qx7Lm2Np9Rs4Tv6Wy8Za1Bc3De5Fg0Hj2Kl4';

/** Every diag call's arguments, as given. */
function captureDiag(): unknown[][] {
  const calls: unknown[][] = [];
  const push = (...args: unknown[]): void => void calls.push(args);
  diag.setLogger(
    { error: push, warn: push, info: push, debug: push, verbose: push },
    { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true },
  );
  return calls;
}

let handle: LoggingHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  diag.disable();
  resetReportOnce();
  vi.unstubAllEnvs();
});

describe('reportOnce', () => {
  it('should hand diag the error with its name, message and stack redacted, and its code', () => {
    const calls = captureDiag();
    const error = Object.assign(new Error(`bad key ${SAMPLE_JWT}`), { code: 'EBADKEY' });
    error.name = `KeyError ${TOKEN}`;
    reportOnce('test:redacted', 'a value could not be converted', error);
    reportOnce('test:string', 'a string was thrown', `thrown ${TOKEN}`);
    const ours = calls.filter((c) => String(c[0]).startsWith('otel-logkit:'));
    expect(ours).toHaveLength(2);
    const [message, reported] = ours[0] as [string, Error & { code?: string }];
    expect(message).toBe('otel-logkit: a value could not be converted');
    expect(reported).toBeInstanceOf(Error);
    expect(reported.message).toBe('bad key [REDACTED]');
    expect(reported.name).toBe('KeyError [REDACTED]');
    expect(reported.code).toBe('EBADKEY');
    expect(reported.stack).toContain('[REDACTED]');
    expect(ours[1]![1]).toBe('thrown [REDACTED]');
    const all = JSON.stringify(calls.map((c) => c.map((a) => (a instanceof Error ? a.stack : a))));
    expect(all).not.toContain(TOKEN.slice(4, 20));
    expect(all).not.toContain(SAMPLE_JWT.slice(10, 30));
  });

  it('should redact the configuration warnings registerLogging hands diag', () => {
    const calls = captureDiag();
    // A malformed percent-escape: the variable is ignored with a warning that quotes it.
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', `authorization=Bearer ${TOKEN}%ZZ`);
    handle = registerLogging({
      serviceName: 'diag-redaction-test',
      logsExporter: 'none',
      metricsExporter: 'none',
      traces: false,
      handleProcessExit: false,
    });
    const warnings = calls.map((c) => String(c[0])).filter((m) => m.includes('OTEL_EXPORTER'));
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) {
      expect(warning).toContain('[REDACTED]');
      expect(warning).not.toContain(TOKEN.slice(4, 20));
    }
  });
});
