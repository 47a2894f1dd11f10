import type { IncomingMessage, ServerResponse } from 'node:http';
import { context as contextApi } from '@opentelemetry/api';
import type { RequestTracker } from './requestTracker.js';

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

/** The route template Express matched (`/orders/:id`, under its router's `baseUrl`). */
function expressRoute(req: ExpressLikeRequest): string | undefined {
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  if (base === '') return path;
  return path === '/' ? base : base + path;
}

/** The middleware that tracks each request and runs the rest of the chain in its context. */
export function expressMiddleware(tracker: RequestTracker): ExpressLikeMiddleware {
  return function otelLogkitExpress(req, res, next) {
    const tracked = tracker.begin(req, res, () => expressRoute(req));
    if (!tracked) {
      next();
      return;
    }
    contextApi.with(tracked.ctx, () => next());
  };
}

/** The error middleware that records the error of a tracked request and passes it on. */
export function expressErrorMiddleware(tracker: RequestTracker): ExpressLikeErrorMiddleware {
  return function otelLogkitExpressError(err, req, _res, next) {
    const tracked = tracker.inFlight(req);
    if (tracked) {
      tracked.route ??= expressRoute(req);
      tracker.fail(tracked, err);
    }
    next(err);
  };
}
