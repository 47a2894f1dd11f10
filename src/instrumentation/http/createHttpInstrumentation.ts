import { BUILTIN_LEVELS } from '../../logger/levels.js';
import { HTTP_DURATION_BUCKETS } from '../../metrics/names.js';
import { isThenable } from '../../internal/objects.js';
import {
  redactedException,
  redactTextForOutput,
} from '../../processors/redaction/outputRedaction.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context as contextApi,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type MeterProvider,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_SCHEME,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import { reportOnce } from '../../internal/reportOnce.js';
import type { LoggingHandle } from '../../LoggingHandle.js';
import { errorToAttributes } from '../../logger/exceptionAttributes.js';
import type { Logger } from '../../logger/Logger.js';
import { getLoggingHandle } from '../../liveHandle.js';
import {
  ATTR_DURATION_MS,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  capturedHeaders,
  defined,
  readRequest,
  responseBodySize,
  startAttributes,
  type RequestInfo,
} from './requestAttributes.js';

/** The `logkit.category` of HTTP records unless `options.category` says otherwise. */
export const HTTP_CATEGORY = 'http';
/** The event name of the access record (one per request). */
export const EVENT_HTTP_ACCESS = 'logkit.http.access';
/** The event name of the error record (a handler threw or rejected, or an error reached the framework). */
export const EVENT_HTTP_ERROR = 'logkit.http.error';
/** The InstrumentationScope of the records, the histogram and the spans. */
export const HTTP_SCOPE_NAME = 'otel-logkit.http';
/** `error.type` of a request whose connection closed before the response was sent in full. */
export const ERROR_TYPE_ABORTED = 'aborted';
export { HTTP_DURATION_BUCKETS } from '../../metrics/names.js';

// The access records' severities, from the level table.
const INFO = severityOf(BUILTIN_LEVELS.info);
const WARN = severityOf(BUILTIN_LEVELS.warn);
const ERROR = severityOf(BUILTIN_LEVELS.error);

function severityOf(level: { severityNumber: number; severityText: string }) {
  return { severityNumber: level.severityNumber, severityText: level.severityText };
}

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

/** A `node:http` request listener. */
export type HttpHandler<Req extends IncomingMessage, Res extends ServerResponse> = (
  req: Req,
  res: Res,
) => unknown;

/** The request shape the Express middleware reads (Express's `Request` has it). */
export interface ExpressLikeRequest extends IncomingMessage {
  route?: { path?: unknown } | undefined;
  baseUrl?: string;
}

/** An Express middleware, typed structurally so express is never imported. */
export type ExpressLikeMiddleware = (
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** An Express error middleware (four parameters, as Express requires). */
export type ExpressLikeErrorMiddleware = (
  err: unknown,
  req: ExpressLikeRequest,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** The request shape the Fastify hooks read (Fastify's `FastifyRequest` has it). */
export interface FastifyLikeRequest {
  readonly raw: IncomingMessage;
  readonly routeOptions?: { readonly url?: string | undefined } | undefined;
}

/** The reply shape the Fastify hooks read (Fastify's `FastifyReply` has it). */
export interface FastifyLikeReply {
  readonly raw: ServerResponse;
}

type HookDone = (err?: Error) => void;

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLikeInstance {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Fastify's overloads are generic; only the hook shapes below are relied on.
  addHook(name: string, hook: (...args: any[]) => unknown): unknown;
}

/** A Fastify plugin (`app.register(plugin)`), marked as fastify-plugin marks plugins. */
export interface FastifyLikePlugin {
  (instance: FastifyLikeInstance, options: unknown, done: (err?: Error) => void): void;
  readonly [key: symbol]: unknown;
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

/** One request in flight. */
interface Tracked {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  readonly startedAt: number;
  /** The context the request runs in: ours (with our span) or the one that was active. */
  readonly ctx: Context;
  /** Our SERVER span, when we started one. */
  readonly span: Span | undefined;
  readonly routeOf: (() => string | undefined) | undefined;
  readonly headers: Record<string, string[]>;
  route: string | undefined;
  error: unknown;
  hasError: boolean;
  done: boolean;
}

const histograms = new WeakMap<MeterProvider, Histogram>();
/** Requests some instrumentation tracks, so two (a wrap and a middleware) never log one twice. */
const claimed = new WeakSet<IncomingMessage>();

/** One histogram per MeterProvider, however many instrumentations are created. */
function durationHistogram(meterProvider: MeterProvider): Histogram {
  let histogram = histograms.get(meterProvider);
  if (!histogram) {
    histogram = meterProvider
      .getMeter(HTTP_SCOPE_NAME)
      .createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
        description: 'Duration of HTTP server requests.',
        unit: 's',
        advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS] },
      });
    histograms.set(meterProvider, histogram);
  }
  return histogram;
}

/**
 * The status an error will be answered with, when it says (`status` /
 * `statusCode`, as http-errors and Fastify's errors carry) or the response
 * already has an error status; undefined otherwise.
 */
function statusHint(error: unknown, res: ServerResponse): number | undefined {
  const valid = (value: unknown): number | undefined =>
    typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
      ? value
      : undefined;
  if (typeof error === 'object' && error !== null) {
    try {
      const { statusCode, status } = error as { statusCode?: unknown; status?: unknown };
      const hinted = valid(statusCode) ?? valid(status);
      if (hinted !== undefined) return hinted;
    } catch {
      // a throwing getter: no hint
    }
  }
  return valid(res.statusCode);
}

function expressRoute(req: ExpressLikeRequest): string | undefined {
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  if (base === '') return path;
  return path === '/' ? base : base + path;
}

/**
 * Span attributes pass no pipeline step: their strings (`url.path`, which
 * can hold a token or, in an absolute-form request target, URL credentials;
 * `user_agent.original`) are redacted here with the registration's rules.
 */
function redactedSpanAttributes(
  attributes: Record<string, string | number | string[] | undefined>,
): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out[key] = typeof value === 'string' ? redactTextForOutput(value) : value;
  }
  return out;
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
  const logger: Logger<string> = logging.getLogger(options.loggerName ?? HTTP_SCOPE_NAME, {
    category: options.category ?? HTTP_CATEGORY,
  });
  const histogram = durationHistogram(logging.meterProvider);
  const tracer = trace.getTracer(HTTP_SCOPE_NAME);
  const ignore = [...(options.ignorePaths ?? [])];
  const headerNames = (options.captureHeaders ?? []).map((name) => name.toLowerCase());
  const trustProxy = options.trustProxy === true;
  const metricServerAddress = options.metricServerAddress === true;
  const inFlight = new WeakMap<IncomingMessage, Tracked>();

  const ignored = (path: string): boolean =>
    ignore.some((p) => (typeof p === 'string' ? p === path : p.test(path)));

  /** Starts tracking a request; undefined when it is ignored, already tracked, or tracking failed. */
  function begin(
    req: IncomingMessage,
    res: ServerResponse,
    routeOf?: () => string | undefined,
  ): Tracked | undefined {
    try {
      if (claimed.has(req)) return undefined;
      const info = readRequest(req, trustProxy);
      if (ignored(info.path)) return undefined;
      const active = contextApi.active();
      const existing = trace.getSpan(active);
      let ctx = active;
      let span: Span | undefined;
      if (!existing || !isSpanContextValid(existing.spanContext())) {
        const parent = propagation.extract(active, req.headers);
        span = tracer.startSpan(
          info.method === HTTP_REQUEST_METHOD_VALUE_OTHER ? 'HTTP' : info.method,
          { kind: SpanKind.SERVER, attributes: redactedSpanAttributes(startAttributes(info)) },
          parent,
        );
        ctx = trace.setSpan(parent, span);
        // Listeners added later (body parsers) run in the request's context.
        contextApi.bind(ctx, req);
      }
      const tracked: Tracked = {
        req,
        res,
        info,
        startedAt: performance.now(),
        ctx,
        span,
        routeOf,
        headers: capturedHeaders(req, headerNames),
        route: undefined,
        error: undefined,
        hasError: false,
        done: false,
      };
      claimed.add(req);
      inFlight.set(req, tracked);
      res.once('finish', () => finish(tracked));
      res.once('close', () => finish(tracked));
      return tracked;
    } catch (error) {
      reportOnce('http.begin', 'HTTP request logging failed to start for a request', error);
      return undefined;
    }
  }

  function routeOf(tracked: Tracked): string | undefined {
    try {
      return tracked.routeOf?.() ?? tracked.route;
    } catch {
      return tracked.route;
    }
  }

  /** Records a failure of the request: the error record now, `error.type` at the end. */
  function fail(tracked: Tracked, error: unknown): void {
    try {
      if (tracked.hasError) return;
      tracked.hasError = true;
      tracked.error = error;
      tracked.route ??= routeOf(tracked);
      const { info } = tracked;
      const target = tracked.route ?? info.path;
      const exception = errorToAttributes(error);
      const hint = statusHint(error, tracked.res);
      logger.emit({
        // An error the app answers with a 4xx (validation, not found) is the
        // client's: WARN; anything else ERROR.
        ...(hint !== undefined && hint < 500 ? WARN : ERROR),
        eventName: EVENT_HTTP_ERROR,
        body: `${info.methodOriginal ?? info.method} ${target} failed: ${exception['exception.message'] ?? ''}`,
        attributes: {
          ...defined(startAttributes(info)),
          ...(tracked.route === undefined ? {} : { [ATTR_HTTP_ROUTE]: tracked.route }),
          ...exception,
        },
        context: tracked.ctx,
      });
      if (tracked.span) {
        // Span events reach the trace exporter, not the log pipeline: redacted here.
        if (error instanceof Error) tracked.span.recordException(redactedException(error));
        else {
          tracked.span.recordException(
            redactTextForOutput(exception['exception.message'] ?? String(error)),
          );
        }
      }
    } catch (failure) {
      reportOnce('http.error', 'HTTP request logging failed to record an error', failure);
    }
  }

  function finish(tracked: Tracked): void {
    if (tracked.done) return;
    tracked.done = true;
    try {
      inFlight.delete(tracked.req);
      const { info, res, span } = tracked;
      const durationMs = performance.now() - tracked.startedAt;
      const aborted = !res.writableFinished;
      const status = res.headersSent ? res.statusCode : undefined;
      const route = routeOf(tracked);
      // semconv: a 4xx is the client's error, so a server request has
      // `error.type` only for 5xx, a thrown error with no response sent, or
      // a connection that closed before the response was complete.
      const errorType =
        status !== undefined && status < 500 && !aborted
          ? undefined
          : tracked.hasError
            ? (errorToAttributes(tracked.error)['exception.type'] ?? 'Error')
            : status !== undefined && status >= 500
              ? String(status)
              : ERROR_TYPE_ABORTED;
      const severity =
        errorType === undefined
          ? status !== undefined && status >= 400
            ? WARN
            : INFO
          : errorType === ERROR_TYPE_ABORTED && !tracked.hasError
            ? WARN
            : ERROR;
      const method = info.methodOriginal ?? info.method;
      logger.emit({
        ...severity,
        eventName: EVENT_HTTP_ACCESS,
        body: `${method} ${route ?? info.path} ${status ?? ERROR_TYPE_ABORTED}${status !== undefined && aborted ? ` ${ERROR_TYPE_ABORTED}` : ''}`,
        attributes: defined({
          ...startAttributes(info),
          [ATTR_HTTP_ROUTE]: route,
          [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
          [ATTR_HTTP_RESPONSE_BODY_SIZE]: aborted ? undefined : responseBodySize(res),
          [ATTR_ERROR_TYPE]: errorType,
          [ATTR_DURATION_MS]: Math.round(durationMs * 1000) / 1000,
          ...tracked.headers,
        }),
        context: tracked.ctx,
      });
      const metricAttributes: Attributes = defined({
        [ATTR_HTTP_REQUEST_METHOD]: info.method,
        [ATTR_URL_SCHEME]: info.scheme,
        [ATTR_HTTP_ROUTE]: route,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
        [ATTR_ERROR_TYPE]: errorType,
        [ATTR_NETWORK_PROTOCOL_VERSION]: info.protocolVersion,
        [ATTR_SERVER_ADDRESS]: metricServerAddress ? info.serverAddress : undefined,
        [ATTR_SERVER_PORT]: metricServerAddress ? info.serverPort : undefined,
      });
      histogram.record(durationMs / 1000, metricAttributes, tracked.ctx);
      if (span) {
        span.setAttributes(
          defined({
            [ATTR_HTTP_ROUTE]: route,
            [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
            [ATTR_HTTP_RESPONSE_BODY_SIZE]: aborted ? undefined : responseBodySize(res),
            [ATTR_ERROR_TYPE]: errorType,
          }),
        );
        if (route !== undefined) {
          span.updateName(
            `${info.method === HTTP_REQUEST_METHOD_VALUE_OTHER ? 'HTTP' : info.method} ${route}`,
          );
        }
        if (errorType !== undefined) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
        }
        span.end();
      }
    } catch (error) {
      reportOnce('http.finish', 'HTTP request logging failed to record a request', error);
      try {
        tracked.span?.end();
      } catch {
        // already reported
      }
    }
  }

  /** Answers 500 after a handler failed, unless a response is already under way. */
  function answerFailure(res: ServerResponse): void {
    try {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else if (!res.writableEnded) {
        res.end();
      }
    } catch (error) {
      reportOnce('http.answer', 'could not answer 500 after a handler failed', error);
    }
  }

  const wrap = <Req extends IncomingMessage, Res extends ServerResponse>(
    handler: HttpHandler<Req, Res>,
  ): ((req: Req, res: Res) => void) => {
    return function otelLogkitHttpHandler(this: unknown, req: Req, res: Res): void {
      const tracked = begin(req, res);
      if (!tracked) {
        handler.call(this, req, res);
        return;
      }
      contextApi.with(tracked.ctx, () => {
        let result: unknown;
        try {
          result = handler.call(this, req, res);
        } catch (error) {
          fail(tracked, error);
          answerFailure(res);
          return;
        }
        if (isThenable(result)) {
          result.then(undefined, (error: unknown) => {
            fail(tracked, error);
            answerFailure(res);
          });
        }
      });
    };
  };

  const express = (): ExpressLikeMiddleware =>
    function otelLogkitExpress(req, res, next) {
      const tracked = begin(req, res, () => expressRoute(req));
      if (!tracked) {
        next();
        return;
      }
      contextApi.with(tracked.ctx, () => next());
    };

  const expressErrorHandler = (): ExpressLikeErrorMiddleware =>
    function otelLogkitExpressError(err, req, _res, next) {
      const tracked = inFlight.get(req);
      if (tracked) {
        tracked.route ??= expressRoute(req);
        fail(tracked, err);
      }
      next(err);
    };

  const fastify = function otelLogkitFastify(
    instance: FastifyLikeInstance,
    _options: unknown,
    done: (err?: Error) => void,
  ): void {
    try {
      instance.addHook(
        'onRequest',
        (request: FastifyLikeRequest, reply: FastifyLikeReply, hookDone: HookDone) => {
          const tracked = begin(request.raw, reply.raw, () => request.routeOptions?.url);
          if (!tracked) {
            hookDone();
            return;
          }
          contextApi.with(tracked.ctx, () => hookDone());
        },
      );
      instance.addHook(
        'onError',
        (
          request: FastifyLikeRequest,
          _reply: FastifyLikeReply,
          error: unknown,
          hookDone: HookDone,
        ) => {
          const tracked = inFlight.get(request.raw);
          if (tracked) fail(tracked, error);
          hookDone();
        },
      );
    } catch (error) {
      reportOnce('http.fastify', 'the Fastify plugin could not add its hooks', error);
    }
    done();
  } as FastifyLikePlugin;
  Object.defineProperties(fastify, {
    // What fastify-plugin sets: the hooks apply to the parent (the whole app),
    // not only to an encapsulated child context.
    [Symbol.for('skip-override')]: { value: true },
    [Symbol.for('fastify.display-name')]: { value: 'otel-logkit-http' },
  });

  return { wrap, express, expressErrorHandler, fastify };
}
