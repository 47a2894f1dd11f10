import type { IncomingMessage, ServerResponse } from 'node:http';
import { context as contextApi } from '@opentelemetry/api';
import { reportOnce } from '../../internal/reportOnce.js';
import type { RequestTracker } from './requestTracker.js';

/** The request shape the Fastify hooks read (Fastify's `FastifyRequest` has it). */
export interface FastifyLikeRequest {
  readonly raw: IncomingMessage;
  readonly routeOptions?: { readonly url?: string | undefined } | undefined;
}

/** The reply shape the Fastify hooks read (Fastify's `FastifyReply` has it). */
export interface FastifyLikeReply {
  readonly raw: ServerResponse;
}

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

type HookDone = (err?: Error) => void;

/**
 * The plugin adding an `onRequest` hook (tracks the request and runs the rest
 * in its context) and an `onError` hook (records the error).
 */
export function fastifyPlugin(tracker: RequestTracker): FastifyLikePlugin {
  const plugin = function otelLogkitFastify(
    instance: FastifyLikeInstance,
    _options: unknown,
    done: (err?: Error) => void,
  ): void {
    try {
      instance.addHook(
        'onRequest',
        (request: FastifyLikeRequest, reply: FastifyLikeReply, hookDone: HookDone) => {
          const tracked = tracker.begin(request.raw, reply.raw, () => request.routeOptions?.url);
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
          const tracked = tracker.inFlight(request.raw);
          if (tracked) tracker.fail(tracked, error);
          hookDone();
        },
      );
    } catch (error) {
      reportOnce('http.fastify', 'the Fastify plugin could not add its hooks', error);
    }
    done();
  } as FastifyLikePlugin;
  Object.defineProperties(plugin, {
    // What fastify-plugin sets: the hooks apply to the parent (the whole app),
    // not only to an encapsulated child context.
    [Symbol.for('skip-override')]: { value: true },
    [Symbol.for('fastify.display-name')]: { value: 'otel-logkit-http' },
  });
  return plugin;
}
