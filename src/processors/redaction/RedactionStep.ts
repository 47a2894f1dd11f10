import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { PipelineStep } from '../PipelineStep.js';
import { Redactor } from './Redactor.js';
import {
  resolveRedactionOptions,
  type RedactionOptions,
  type ResolvedRedactionOptions,
} from './RedactionOptions.js';

/** The attribute that counts the redactions made in a record (set only when there were some). */
export const ATTR_LOGKIT_REDACTION_COUNT = 'logkit.redaction.count';

/** The step's name in the `steps` option and in diag messages. */
export const REDACTION_STEP_NAME = 'redact';

/**
 * Creates the redaction step: it validates `options` (throwing a
 * LoggingConfigError that names the bad option) and compiles every rule once.
 *
 * On each record it redacts, in place, the values under secret keys at any
 * depth of the attributes and of a map body, and the secrets found by the
 * value patterns in every string of the body and the attributes and in the
 * event name and severity text; a record that changed gets
 * {@link ATTR_LOGKIT_REDACTION_COUNT}. A record without
 * secrets is not written to at all. The step fails closed: anything that
 * throws (a hostile value, a circular body, a record that refuses the change)
 * makes the pipeline drop the record as `redaction-failed`.
 */
export function createRedactionStep(options: RedactionOptions | undefined): PipelineStep {
  return redactionStepFrom(resolveRedactionOptions(options));
}

/** The redaction step of rules already resolved ({@link resolveRedactionOptions}). */
export function redactionStepFrom(options: ResolvedRedactionOptions): PipelineStep {
  return new RedactionStep(new Redactor(options));
}

class RedactionStep implements PipelineStep {
  readonly name = REDACTION_STEP_NAME;
  readonly dropReason = 'redaction-failed' as const;
  readonly failClosed = true;

  constructor(private readonly redactor: Redactor) {}

  process(record: ReadWriteLogRecord): ReadWriteLogRecord {
    const redactor = this.redactor;
    redactor.begin();
    const attributes = record.attributes;
    for (const key in attributes) {
      if (key === ATTR_LOGKIT_REDACTION_COUNT) continue;
      const value = attributes[key];
      let next: unknown;
      if (redactor.isSecretKey(key)) next = redactor.redactSecretValue(value);
      else if (typeof value === 'string') next = redactor.redactString(value);
      else if (typeof value === 'object' && value !== null) next = redactor.redactValue(value, 1);
      else continue;
      if (next !== value) {
        record.setAttribute(key, next);
        if (attributes[key] === value) {
          // The SDK's setAttribute refuses some keys (the empty one), yet a
          // step or processor may have put one there: write it directly.
          try {
            (attributes as Record<string, unknown>)[key] = next;
          } catch {
            // A frozen map: the check below fails closed.
          }
        }
        // A read-only record or a refused value would leave the secret: fail closed.
        if (attributes[key] === value) throw new Error(`attribute ${key} could not be redacted`);
      }
    }
    const body = record.body;
    if ((typeof body === 'object' && body !== null) || typeof body === 'string') {
      const next = redactor.redactValue(body, 0);
      if (next !== body) {
        record.setBody(next);
        if (record.body !== next) throw new Error('the body could not be redacted');
      }
    }
    // Free text a caller of the Logs API sets as well: redacted as strings
    // (the event name and severity text show in every output and in
    // log.record.count, which redacts them itself: LogMetrics).
    const eventName = record.eventName;
    if (typeof eventName === 'string') {
      const next = redactor.redactString(eventName);
      if (next !== eventName) {
        record.setEventName(next);
        if (record.eventName !== next) throw new Error('the event name could not be redacted');
      }
    }
    const severityText = record.severityText;
    if (typeof severityText === 'string') {
      const next = redactor.redactString(severityText);
      if (next !== severityText) {
        record.setSeverityText(next);
        if (record.severityText !== next)
          throw new Error('the severity text could not be redacted');
      }
    }
    const count = redactor.count;
    if (count > 0) {
      const previous = attributes[ATTR_LOGKIT_REDACTION_COUNT];
      record.setAttribute(
        ATTR_LOGKIT_REDACTION_COUNT,
        typeof previous === 'number' ? previous + count : count,
      );
    }
    return record;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
