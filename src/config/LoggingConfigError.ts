/**
 * Thrown by {@link registerLogging} when an option or environment variable is
 * invalid. Its message names the option (`option batch.maxQueueSize`) or the
 * variable (`OTEL_LOGS_EXPORTER`), the value given, and what was expected.
 * Nothing else in otel-logkit throws: a log call never does.
 */
export class LoggingConfigError extends Error {
  /** The option path (`option logDir`) or environment variable name. */
  readonly source: string;
  /** The value that was given. */
  readonly value: unknown;
  /** What was expected instead. */
  readonly expected: string;

  constructor(source: string, value: unknown, expected: string) {
    super(`otel-logkit: invalid ${source}: ${describe(value)} (expected ${expected})`);
    this.name = 'LoggingConfigError';
    this.source = source;
    this.value = value;
    this.expected = expected;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint' || typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
