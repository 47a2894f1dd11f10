import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggingHandle } from '../../LoggingHandle.js';
import { getLoggingHandle } from '../../liveHandle.js';
import {
  expressErrorMiddleware,
  expressMiddleware,
  type ExpressLikeErrorMiddleware,
  type ExpressLikeMiddleware,
} from './express.js';
import { fastifyPlugin, type FastifyLikePlugin } from './fastify.js';
import { HTTP_CATEGORY, HTTP_SCOPE_NAME } from './names.js';
import { wrapHandler, type HttpHandler } from './nodeHttp.js';
import { createRequestTracker } from './requestTracker.js';

/** Options of {@link createHttpInstrumentation}. */
export interface HttpInstrumentationOptions {
  /**
   * `logkit.category` of the access and error records. Default `http`: an
   * access log is traffic, not a user interaction, and should not be counted
   * with the `user` category's records.
   */
  readonly category?: string;
  /**
   * Requests whose `url.path` equals one of the strings or matches one of the
   * regular expressions pass through untouched: no record, no metric, no span
   * (health checks, metrics scrapes).
   */
  readonly ignorePaths?: ReadonlyArray<string | RegExp>;
  /**
   * Request headers recorded on the access record as
   * `http.request.header.<name>` (string arrays, as semconv writes them).
   * Names are matched case-insensitively. None by default: headers carry
   * credentials.
   */
  readonly captureHeaders?: readonly string[];
  /**
   * Believe `X-Forwarded-For` (first address, for `client.address`),
   * `X-Forwarded-Host` and `X-Forwarded-Proto`. Only behind a proxy that sets
   * them; default false (the socket's remote address).
   */
  readonly trustProxy?: boolean;
  /**
   * Also put `server.address` and `server.port` on the
   * `http.server.request.duration` points. Default false: semconv makes them
   * Opt-In on this metric
   * (https://opentelemetry.io/docs/specs/semconv/http/http-metrics/), and they
   * come from the client's `Host` header, so every client could mint new
   * series. The access records and spans carry them either way.
   */
  readonly metricServerAddress?: boolean;
  /** The logger name (InstrumentationScope) of the records. Default `otel-logkit.http`. */
  readonly loggerName?: string;
}

/** What {@link createHttpInstrumentation} returns. */
export interface HttpInstrumentation {
  /**
   * Wraps a `node:http` request listener: `http.createServer(http.wrap(handler))`.
   * A handler that throws or rejects gets an error record and, when nothing
   * was sent yet, a 500 response (instead of an uncaught exception).
   */
  wrap<Req extends IncomingMessage, Res extends ServerResponse>(
    handler: HttpHandler<Req, Res>,
  ): (req: Req, res: Res) => void;
  /** An Express middleware: `app.use(http.express())`, before the routes. */
  express(): ExpressLikeMiddleware;
  /**
   * An Express error middleware that writes the error record and passes the
   * error on (`next(err)`): `app.use(http.expressErrorHandler())`, after the
   * routes and before your own error handlers.
   */
  expressErrorHandler(): ExpressLikeErrorMiddleware;
  /**
   * A Fastify plugin: `await app.register(http.fastify)`. It carries
   * fastify-plugin's `skip-override` mark, so its hooks apply to the whole app.
   */
  readonly fastify: FastifyLikePlugin;
}

/**
 * HTTP request logging for `node:http`, Express and Fastify, on the OTel
 * semantic conventions for HTTP servers
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/,
 * https://opentelemetry.io/docs/specs/semconv/http/http-metrics/).
 *
 * For each request, once the response has finished (or the connection closed
 * first):
 * - one access record, event `logkit.http.access`, body `GET /orders/:id 200`,
 *   severity ERROR for 5xx and for a failure with no response, WARN for 4xx
 *   and for requests whose connection closed first, INFO otherwise; attributes `http.request.method`, `http.route`
 *   (when the framework knows it), `url.path`, `url.scheme`,
 *   `http.response.status_code`, `server.address`, `server.port`,
 *   `client.address`, `user_agent.original`, `network.protocol.version`,
 *   `http.request.body.size` / `http.response.body.size` (from
 *   content-length), `duration_ms`, `error.type` (for 5xx, failures and
 *   aborted requests; never for 4xx, as semconv asks of servers). Never the query
 *   string (`url.query` carries tokens);
 * - a point of the `http.server.request.duration` histogram (seconds, with the
 *   semconv bucket boundaries; `http.request.method`, `url.scheme`,
 *   `http.route`, `http.response.status_code`, `error.type`,
 *   `network.protocol.version`, and `server.address`/`server.port` only with
 *   `metricServerAddress`);
 * - an error record (event `logkit.http.error`, `exception.*`) when the handler
 *   throws or rejects, an error reaches `expressErrorHandler()`, or Fastify's
 *   `onError` hook runs: ERROR, or WARN when the error carries a 4xx
 *   `status`/`statusCode` (validation, not found).
 *
 * Tracing: when a span is already active (an HTTP instrumentation started
 * one), the records are written inside it and no span is created. Otherwise an
 * incoming W3C `traceparent` is continued with a SERVER span (`GET /route`),
 * active while the handler runs and ended when the response finishes.
 *
 * Nothing here throws into the application: failures are reported once through
 * OTel `diag` and the request goes on unlogged.
 *
 * @param handle - the registration; default {@link getLoggingHandle}().
 * @throws Error when no handle is given and registerLogging() has not been called.
 */
export function createHttpInstrumentation(
  handle?: LoggingHandle<string>,
  options: HttpInstrumentationOptions = {},
): HttpInstrumentation {
  const logging = handle ?? getLoggingHandle();
  if (!logging) {
    throw new Error(
      'otel-logkit: createHttpInstrumentation() found no logging handle: call registerLogging() first, or pass its handle',
    );
  }
  const tracker = createRequestTracker({
    logger: logging.getLogger(options.loggerName ?? HTTP_SCOPE_NAME, {
      category: options.category ?? HTTP_CATEGORY,
    }),
    meterProvider: logging.meterProvider,
    ignorePaths: [...(options.ignorePaths ?? [])],
    headerNames: (options.captureHeaders ?? []).map((name) => name.toLowerCase()),
    trustProxy: options.trustProxy === true,
    metricServerAddress: options.metricServerAddress === true,
  });
  return {
    wrap: (handler) => wrapHandler(tracker, handler),
    express: () => expressMiddleware(tracker),
    expressErrorHandler: () => expressErrorMiddleware(tracker),
    fastify: fastifyPlugin(tracker),
  };
}
