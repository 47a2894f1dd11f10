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
