/**
 * `otel-logkit/testing`: helpers for users' own tests.
 * @packageDocumentation
 */
export { captureLogs } from './captureLogs.js';
export type { CapturedLogRecord, CapturedLogs } from './captureLogs.js';
