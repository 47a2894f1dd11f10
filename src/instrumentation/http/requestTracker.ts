import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context as contextApi,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
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
import { errorToAttributes } from '../../logger/exceptionAttributes.js';
import type { Logger } from '../../logger/Logger.js';
import { HTTP_DURATION_BUCKETS } from '../../metrics/names.js';
import {
  redactedException,
  redactTextForOutput,
} from '../../processors/redaction/outputRedaction.js';
import { EVENT_HTTP_ACCESS, EVENT_HTTP_ERROR, HTTP_SCOPE_NAME } from './names.js';
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
import { failureSeverity, requestOutcome, statusHint } from './requestOutcome.js';

/** One request in flight. */
export interface Tracked {
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

/** What a tracker needs: where to write, and the instrumentation's resolved options. */
export interface RequestTrackerSettings {
  readonly logger: Logger<string>;
  readonly meterProvider: MeterProvider;
  readonly ignorePaths: ReadonlyArray<string | RegExp>;
  /** Lower-cased names of the request headers to record. */
  readonly headerNames: readonly string[];
  readonly trustProxy: boolean;
  readonly metricServerAddress: boolean;
}

/**
 * The request lifecycle every framework adapter drives: {@link begin} when a
 * request arrives, {@link fail} when an error reaches us, and the finish
 * (access record, histogram point, span end) on the response's `finish` or
 * `close`. Nothing here throws: failures are reported once through `diag`.
 */
export interface RequestTracker {
  /**
   * Starts tracking a request; undefined when it is ignored, already tracked
   * (by any instrumentation), or tracking failed. `routeOf` reads the route
   * template the framework matched, at the end.
   */
  begin(
    req: IncomingMessage,
    res: ServerResponse,
    routeOf?: () => string | undefined,
  ): Tracked | undefined;
  /** Records a failure of the request: the error record now, `error.type` at the end. */
  fail(tracked: Tracked, error: unknown): void;
  /** The request's tracking while it is in flight. */
  inFlight(req: IncomingMessage): Tracked | undefined;
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

/** The span name of a request: `GET`, or `GET /route` once the route is known. */
function spanName(info: RequestInfo, route?: string): string {
  const method = info.method === HTTP_REQUEST_METHOD_VALUE_OTHER ? 'HTTP' : info.method;
  return route === undefined ? method : `${method} ${route}`;
}

/** A {@link RequestTracker} writing through `settings.logger` and the registration's meter. */
export function createRequestTracker(settings: RequestTrackerSettings): RequestTracker {
  const { logger, ignorePaths, headerNames, trustProxy, metricServerAddress } = settings;
  const histogram = durationHistogram(settings.meterProvider);
  const tracer: Tracer = trace.getTracer(HTTP_SCOPE_NAME);
  const tracked = new WeakMap<IncomingMessage, Tracked>();

  const ignored = (path: string): boolean =>
    ignorePaths.some((p) => (typeof p === 'string' ? p === path : p.test(path)));

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
          spanName(info),
          { kind: SpanKind.SERVER, attributes: redactedSpanAttributes(startAttributes(info)) },
          parent,
        );
        ctx = trace.setSpan(parent, span);
        // Listeners added later (body parsers) run in the request's context.
        contextApi.bind(ctx, req);
      }
      const request: Tracked = {
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
      tracked.set(req, request);
      res.once('finish', () => finish(request));
      res.once('close', () => finish(request));
      return request;
    } catch (error) {
      reportOnce('http.begin', 'HTTP request logging failed to start for a request', error);
      return undefined;
    }
  }

  function routeOf(request: Tracked): string | undefined {
    try {
      return request.routeOf?.() ?? request.route;
    } catch {
      return request.route;
    }
  }

  function fail(request: Tracked, error: unknown): void {
    try {
      if (request.hasError) return;
      request.hasError = true;
      request.error = error;
      request.route ??= routeOf(request);
      const { info } = request;
      const target = request.route ?? info.path;
      const exception = errorToAttributes(error);
      logger.emit({
        ...failureSeverity(statusHint(error, request.res.statusCode)),
        eventName: EVENT_HTTP_ERROR,
        body: `${info.methodOriginal ?? info.method} ${target} failed: ${exception['exception.message'] ?? ''}`,
        attributes: {
          ...defined(startAttributes(info)),
          ...(request.route === undefined ? {} : { [ATTR_HTTP_ROUTE]: request.route }),
          ...exception,
        },
        context: request.ctx,
      });
      if (request.span) {
        // Span events reach the trace exporter, not the log pipeline: redacted here.
        if (error instanceof Error) request.span.recordException(redactedException(error));
        else {
          request.span.recordException(
            redactTextForOutput(exception['exception.message'] ?? String(error)),
          );
        }
      }
    } catch (failure) {
      reportOnce('http.error', 'HTTP request logging failed to record an error', failure);
    }
  }

  function finish(request: Tracked): void {
    if (request.done) return;
    request.done = true;
    try {
      tracked.delete(request.req);
      const { info, res, span } = request;
      const durationMs = performance.now() - request.startedAt;
      const aborted = !res.writableFinished;
      const status = res.headersSent ? res.statusCode : undefined;
      const route = routeOf(request);
      const { errorType, severity, statusText } = requestOutcome({
        status,
        aborted,
        // The error's name (a user's class or a thrown object's `name`) also
        // goes on the metric and the span, which pass no pipeline step.
        failureType: request.hasError
          ? redactTextForOutput(errorToAttributes(request.error)['exception.type'] ?? 'Error')
          : undefined,
      });
      logger.emit({
        ...severity,
        eventName: EVENT_HTTP_ACCESS,
        body: `${info.methodOriginal ?? info.method} ${route ?? info.path} ${statusText}`,
        attributes: defined({
          ...startAttributes(info),
          [ATTR_HTTP_ROUTE]: route,
          [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
          [ATTR_HTTP_RESPONSE_BODY_SIZE]: aborted ? undefined : responseBodySize(res),
          [ATTR_ERROR_TYPE]: errorType,
          [ATTR_DURATION_MS]: Math.round(durationMs * 1000) / 1000,
          ...request.headers,
        }),
        context: request.ctx,
      });
      // The log record's route passes the pipeline's redaction; the span's and
      // the metric's pass no pipeline step, so a literal route holding a token
      // (a webhook path) is redacted here with the registration's rules.
      const exportedRoute = route === undefined ? undefined : redactTextForOutput(route);
      const metricAttributes: Attributes = defined({
        [ATTR_HTTP_REQUEST_METHOD]: info.method,
        [ATTR_URL_SCHEME]: info.scheme,
        [ATTR_HTTP_ROUTE]: exportedRoute,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
        [ATTR_ERROR_TYPE]: errorType,
        [ATTR_NETWORK_PROTOCOL_VERSION]: info.protocolVersion,
        // The Host header's name: the client's to choose.
        [ATTR_SERVER_ADDRESS]:
          metricServerAddress && info.serverAddress !== undefined
            ? redactTextForOutput(info.serverAddress)
            : undefined,
        [ATTR_SERVER_PORT]: metricServerAddress ? info.serverPort : undefined,
      });
      histogram.record(durationMs / 1000, metricAttributes, request.ctx);
      if (span) {
        span.setAttributes(
          defined({
            [ATTR_HTTP_ROUTE]: exportedRoute,
            [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
            [ATTR_HTTP_RESPONSE_BODY_SIZE]: aborted ? undefined : responseBodySize(res),
            [ATTR_ERROR_TYPE]: errorType,
          }),
        );
        if (exportedRoute !== undefined) span.updateName(spanName(info, exportedRoute));
        if (errorType !== undefined) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
        }
        span.end();
      }
    } catch (error) {
      reportOnce('http.finish', 'HTTP request logging failed to record a request', error);
      try {
        request.span?.end();
      } catch {
        // already reported
      }
    }
  }

  return { begin, fail, inFlight: (req) => tracked.get(req) };
}
