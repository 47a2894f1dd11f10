import type { IncomingMessage, ServerResponse } from 'node:http';
import { context as contextApi } from '@opentelemetry/api';
import { isThenable } from '../../internal/objects.js';
import { reportOnce } from '../../internal/reportOnce.js';
import type { RequestTracker } from './requestTracker.js';

/** A `node:http` request listener. */
export type HttpHandler<Req extends IncomingMessage, Res extends ServerResponse> = (
  req: Req,
  res: Res,
) => unknown;

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

/**
 * Wraps a `node:http` request listener so each request is tracked and runs in
 * its context; a handler that throws or rejects is recorded and answered 500
 * when nothing was sent yet.
 */
export function wrapHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  tracker: RequestTracker,
  handler: HttpHandler<Req, Res>,
): (req: Req, res: Res) => void {
  return function otelLogkitHttpHandler(this: unknown, req: Req, res: Res): void {
    const tracked = tracker.begin(req, res);
    if (!tracked) {
      handler.call(this, req, res);
      return;
    }
    contextApi.with(tracked.ctx, () => {
      let result: unknown;
      try {
        result = handler.call(this, req, res);
      } catch (error) {
        tracker.fail(tracked, error);
        answerFailure(res);
        return;
      }
      if (isThenable(result)) {
        result.then(undefined, (error: unknown) => {
          tracker.fail(tracked, error);
          answerFailure(res);
        });
      }
    });
  };
}
