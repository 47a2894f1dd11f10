import type { LoggingOptions } from '../config/LoggingOptions.js';
import { fail } from '../config/validate.js';

/** The Prometheus pull endpoint's settings (`@opentelemetry/exporter-prometheus`'s own defaults where absent). */
export interface ResolvedPrometheus {
  readonly port?: number;
  readonly host?: string;
  readonly endpoint?: string;
}

/**
 * Validates the `prometheus` option; undefined when the endpoint is off,
 * `{}` for the exporter's defaults.
 * @throws {@link LoggingConfigError} naming `option prometheus` or `option prometheus.port`.
 */
export function resolvePrometheus(
  prometheus: LoggingOptions['prometheus'],
): ResolvedPrometheus | undefined {
  if (prometheus === undefined || prometheus === false) return undefined;
  if (prometheus === true) return {};
  if (typeof prometheus !== 'object' || prometheus === null) {
    fail('option prometheus', prometheus, 'a boolean or { port, host, endpoint }');
  }
  if (
    prometheus.port !== undefined &&
    (!Number.isInteger(prometheus.port) || prometheus.port < 0 || prometheus.port > 65535)
  ) {
    fail('option prometheus.port', prometheus.port, 'a port number from 0 to 65535');
  }
  return prometheus;
}
