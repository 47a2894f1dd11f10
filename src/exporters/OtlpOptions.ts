import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  LoggingOptions,
  OtlpProtocol,
  OtlpCompression,
  OtlpSignalOptions,
  OtlpTlsOptions,
} from '../config/LoggingOptions.js';
import { fail, integer, oneOf, pick, reject, type Env, type Sourced } from '../config/validate.js';

/** TLS material of one signal's exporter, read from the files at setup. */
export interface ResolvedOtlpTls {
  /** Trusted root certificates (PEM), for a server certificate not signed by a public CA. */
  readonly ca?: Buffer;
  /** The client certificate chain (PEM), for mTLS. */
  readonly cert?: Buffer;
  /** The client private key (PEM), for mTLS. */
  readonly key?: Buffer;
}

/** Per-signal OTLP settings after resolution. */
export interface ResolvedOtlpSignal {
  /** The full URL for OTLP/HTTP; for gRPC the server's `scheme://host:port`. */
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly protocol: OtlpProtocol;
  readonly compression: OtlpCompression;
  readonly timeoutMillis: number;
  readonly tls: ResolvedOtlpTls;
}

/** The options {@link resolveOtlp} reads. */
export type OtlpOptions = Pick<
  LoggingOptions,
  | 'endpoint'
  | 'logsEndpoint'
  | 'metricsEndpoint'
  | 'tracesEndpoint'
  | 'headers'
  | 'logsHeaders'
  | 'metricsHeaders'
  | 'tracesHeaders'
  | 'protocol'
  | 'compression'
  | 'otlpTimeoutMillis'
  | 'tls'
  | 'logsOtlp'
  | 'metricsOtlp'
  | 'tracesOtlp'
>;

/** The OTLP settings of the three signals. */
export interface ResolvedOtlp {
  readonly logs: ResolvedOtlpSignal;
  readonly metrics: ResolvedOtlpSignal;
  readonly traces: ResolvedOtlpSignal;
  /** Whether an endpoint was given for the signal (then its exporter defaults to `otlp`). */
  readonly explicit: {
    readonly logs: boolean;
    readonly metrics: boolean;
    readonly traces: boolean;
  };
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const COMPRESSIONS: readonly OtlpCompression[] = ['none', 'gzip'];
const DEFAULT_OTLP_BASE = 'http://localhost:4318';
/** The spec's default for `grpc`: the endpoint is used as is, with no signal path. */
const DEFAULT_OTLP_GRPC = 'http://localhost:4317';
const SIGNAL_PATHS = { logs: 'v1/logs', metrics: 'v1/metrics', traces: 'v1/traces' } as const;

/** An absolute http(s) URL. */
function url(picked: Sourced<unknown> | undefined): string | undefined {
  if (!picked) return undefined;
  const { value } = picked;
  let parsed: URL | undefined;
  try {
    parsed = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return reject(picked, 'an absolute http:// or https:// URL', undefined);
  }
  return parsed.href;
}

/** Joins an OTLP base URL and a signal path the way the spec asks (one slash between). */
function signalUrl(base: string, signalPath: string): string {
  return base.endsWith('/') ? `${base}${signalPath}` : `${base}/${signalPath}`;
}

/**
 * Parses `OTEL_EXPORTER_OTLP_HEADERS` (W3C Baggage-like `k=v,k2=v2`, values
 * URL-encoded), or checks a headers option.
 */
function headers(picked: Sourced<unknown> | undefined): Record<string, string> {
  if (!picked) return {};
  const { value, source } = picked;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') fail(`${source}.${k}`, v, 'a string');
      out[k] = v;
    }
    return out;
  }
  if (typeof value !== 'string') return fail(source, value, 'comma-separated key=value pairs');
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    // A bad pair in a spec variable is skipped (as @opentelemetry/core does), with a warning.
    if (!key) {
      reject({ ...picked, value: pair }, 'comma-separated key=value pairs', undefined);
      continue;
    }
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      reject({ ...picked, value: pair }, 'URL-encoded key=value pairs', undefined);
    }
  }
  return out;
}

/**
 * Resolves the OTLP exporter settings of logs, metrics and traces, each field
 * from the signal's option, the common option, the signal's
 * `OTEL_EXPORTER_OTLP_<SIGNAL>_*` variable, the common variable, then the
 * default, as the OTLP exporter spec orders them.
 * @throws {@link LoggingConfigError} naming a bad option; a bad variable is
 *   ignored with a warning.
 */
export function resolveOtlp(options: OtlpOptions, env: Env): ResolvedOtlp {
  const endpoint = url(pick(options.endpoint, 'endpoint', env, 'OTEL_EXPORTER_OTLP_ENDPOINT'));
  const commonHeaders = headers(
    pick(options.headers, 'headers', env, 'OTEL_EXPORTER_OTLP_HEADERS'),
  );

  const signal = (
    name: 'logs' | 'metrics' | 'traces',
    signalEndpoint: string | undefined,
    signalHeaders: Readonly<Record<string, string>> | undefined,
    own: OtlpSignalOptions | undefined,
  ): ResolvedOtlpSignal & { explicit: boolean } => {
    const upper = name.toUpperCase();
    // Per field: the signal's option, the common option, the signal's env
    // var, the common env var, the default.
    const setting = (
      key: 'protocol' | 'compression' | 'timeoutMillis',
      common: unknown,
      commonName: string,
      envSuffix: string,
    ): Sourced<unknown> | undefined =>
      own?.[key] !== undefined
        ? { value: own[key], source: `option ${name}Otlp.${key}` }
        : common !== undefined
          ? { value: common, source: `option ${commonName}` }
          : (pick(undefined, key, env, `OTEL_EXPORTER_OTLP_${upper}_${envSuffix}`) ??
            pick(undefined, key, env, `OTEL_EXPORTER_OTLP_${envSuffix}`));
    const protocol = oneOf(
      setting('protocol', options.protocol, 'protocol', 'PROTOCOL'),
      PROTOCOLS,
      'http/protobuf',
    );
    const ownUrl = url(
      pick(signalEndpoint, `${name}Endpoint`, env, `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`),
    );
    return {
      // The spec: the per-signal URL is used as is; the base gets the
      // signal's path for OTLP/HTTP and is used as is for gRPC.
      url:
        ownUrl ??
        (protocol === 'grpc'
          ? (endpoint ?? DEFAULT_OTLP_GRPC)
          : signalUrl(endpoint ?? DEFAULT_OTLP_BASE, SIGNAL_PATHS[name])),
      explicit: ownUrl !== undefined || endpoint !== undefined,
      headers: {
        ...commonHeaders,
        ...headers(
          pick(signalHeaders, `${name}Headers`, env, `OTEL_EXPORTER_OTLP_${upper}_HEADERS`),
        ),
      },
      protocol,
      compression: oneOf(
        setting('compression', options.compression, 'compression', 'COMPRESSION'),
        COMPRESSIONS,
        'none',
      ),
      timeoutMillis: integer(
        setting('timeoutMillis', options.otlpTimeoutMillis, 'otlpTimeoutMillis', 'TIMEOUT'),
        10_000,
        { min: 1 },
      ),
      tls: resolveTls(name, own?.tls, options.tls, env),
    };
  };
  const { explicit: logsExplicit, ...logs } = signal(
    'logs',
    options.logsEndpoint,
    options.logsHeaders,
    options.logsOtlp,
  );
  const { explicit: metricsExplicit, ...metrics } = signal(
    'metrics',
    options.metricsEndpoint,
    options.metricsHeaders,
    options.metricsOtlp,
  );
  const { explicit: tracesExplicit, ...traces } = signal(
    'traces',
    options.tracesEndpoint,
    options.tracesHeaders,
    options.tracesOtlp,
  );
  return {
    logs,
    metrics,
    traces,
    explicit: { logs: logsExplicit, metrics: metricsExplicit, traces: tracesExplicit },
  };
}

/**
 * Reads the TLS files of one signal: the option, else
 * `OTEL_EXPORTER_OTLP_<SIGNAL>_CERTIFICATE` / `_CLIENT_KEY` /
 * `_CLIENT_CERTIFICATE`, else the same without the signal. An unreadable file
 * named by an option fails at startup; one named by an env var is ignored
 * with a warning, as the SDK's own exporters do.
 */
function resolveTls(
  name: 'logs' | 'metrics' | 'traces',
  own: OtlpTlsOptions | undefined,
  common: OtlpTlsOptions | undefined,
  env: Env,
): ResolvedOtlpTls {
  for (const [tls, optionName] of [
    [own, `${name}Otlp.tls`],
    [common, 'tls'],
  ] as const) {
    if (tls !== undefined && (typeof tls !== 'object' || tls === null)) {
      fail(`option ${optionName}`, tls, 'an object');
    }
  }
  const upper = name.toUpperCase();
  // Per file: the signal's option, the common option, the signal's env var, the common one.
  const source = (key: keyof OtlpTlsOptions, envSuffix: string): Sourced<unknown> | undefined =>
    own?.[key] !== undefined
      ? { value: own[key], source: `option ${name}Otlp.tls.${key}` }
      : common?.[key] !== undefined
        ? { value: common[key], source: `option tls.${key}` }
        : (pick(undefined, key, env, `OTEL_EXPORTER_OTLP_${upper}_${envSuffix}`) ??
          pick(undefined, key, env, `OTEL_EXPORTER_OTLP_${envSuffix}`));
  const read = (picked: Sourced<unknown> | undefined): Buffer | undefined => {
    if (!picked) return undefined;
    if (typeof picked.value !== 'string' || !picked.value) {
      return reject(picked, 'a file path', undefined);
    }
    try {
      return readFileSync(path.resolve(picked.value));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return reject(picked, `a readable PEM file (${code})`, undefined);
    }
  };
  const certSource = source('clientCertificateFile', 'CLIENT_CERTIFICATE');
  const keySource = source('clientKeyFile', 'CLIENT_KEY');
  const ca = read(source('certificateFile', 'CERTIFICATE'));
  const cert = read(certSource);
  const key = read(keySource);
  if ((cert === undefined) !== (key === undefined)) {
    const given = (cert === undefined ? keySource : certSource)!;
    reject(
      given,
      `a client key and a client certificate together (mTLS); ${
        cert === undefined ? 'no certificate' : 'no key'
      } was given or could be read`,
      undefined,
    );
    return { ca };
  }
  return { ca, cert, key };
}
