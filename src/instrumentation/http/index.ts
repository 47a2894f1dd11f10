export {
  createHttpInstrumentation,
  ERROR_TYPE_ABORTED,
  EVENT_HTTP_ACCESS,
  EVENT_HTTP_ERROR,
  HTTP_CATEGORY,
  HTTP_DURATION_BUCKETS,
  HTTP_SCOPE_NAME,
} from './createHttpInstrumentation.js';
export type {
  ExpressLikeErrorMiddleware,
  ExpressLikeMiddleware,
  ExpressLikeRequest,
  FastifyLikeInstance,
  FastifyLikePlugin,
  FastifyLikeReply,
  FastifyLikeRequest,
  HttpHandler,
  HttpInstrumentation,
  HttpInstrumentationOptions,
} from './createHttpInstrumentation.js';
export {
  ATTR_DURATION_MS,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
} from './requestAttributes.js';
