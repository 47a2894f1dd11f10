import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { LogRecord, LoggerOptions } from '@opentelemetry/api';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { PipelineStep } from '../../../src/processors/PipelineStep.js';

/** What a step did to one record emitted through a real LoggerProvider. */
export interface Emitted {
  /** The record (read-only once emit returned). */
  record: ReadWriteLogRecord;
  /** What `process` returned, or the error it threw. */
  result: ReturnType<PipelineStep['process']> | undefined;
  error: unknown;
}

/** The logger a record is emitted from: its InstrumentationScope. */
export interface EmitScope {
  readonly name?: string;
  readonly version?: string;
  readonly options?: LoggerOptions;
}

/**
 * Emits `logRecord` through a LoggerProvider whose processor runs `step` on
 * the ReadWriteLogRecord, as the pipeline does, from the logger `scope`
 * names (`redaction-test` by default).
 */
export function emitThrough(
  step: PipelineStep,
  logRecord: LogRecord,
  scope: EmitScope = {},
): Emitted {
  let emitted: Emitted | undefined;
  const processor: LogRecordProcessor = {
    onEmit(record: ReadWriteLogRecord, context?: Context) {
      emitted = { record, result: undefined, error: undefined };
      try {
        emitted.result = step.process(record, context ?? ROOT_CONTEXT);
      } catch (error) {
        emitted.error = error;
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new LoggerProvider({ processors: [processor] });
  provider.getLogger(scope.name ?? 'redaction-test', scope.version, scope.options).emit(logRecord);
  if (emitted === undefined) throw new Error('no record was emitted');
  return emitted;
}

/** A 16-digit-or-other card number with a valid Luhn check digit. */
export function withLuhnDigit(digits: string): string {
  let sum = 0;
  let double = true;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits + String((10 - (sum % 10)) % 10);
}

export function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A well-formed JWT (HS256-shaped, signature of random bytes). */
export function makeJwt(payload: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): string {
  return `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(
    JSON.stringify(payload),
  )}.${signature}`;
}

export const SAMPLE_JWT = makeJwt(
  { sub: '1234567890', name: 'John Doe', iat: 1516239022 },
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
