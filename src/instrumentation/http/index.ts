export {
  createHttpInstrumentation,
  type HttpInstrumentation,
  type HttpInstrumentationOptions,
} from './createHttpInstrumentation.js';
export {
  ERROR_TYPE_ABORTED,
  EVENT_HTTP_ACCESS,
  EVENT_HTTP_ERROR,
  HTTP_CATEGORY,
  HTTP_SCOPE_NAME,
} from './names.js';
export { HTTP_DURATION_BUCKETS } from '../../metrics/names.js';
export type {
  ExpressLikeErrorMiddleware,
  ExpressLikeMiddleware,
  ExpressLikeRequest,
} from './express.js';
export type {
  FastifyLikeInstance,
  FastifyLikePlugin,
  FastifyLikeReply,
  FastifyLikeRequest,
} from './fastify.js';
export type { HttpHandler } from './nodeHttp.js';
export {
  ATTR_DURATION_MS,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
} from './requestAttributes.js';
