import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { ScopeOf } from '../../exporters/otlp/groupLogRecords.js';
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
 * event name and severity text, and the same in its InstrumentationScope
 * (name, version, schema URL and attributes, which plain
 * `logs.getLogger(name, version, { attributes })` callers set: the record
 * gets a redacted copy, one per scope); a record that changed gets
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

/** A scope as the step hands it on, and the redactions it took. */
interface RedactedScope {
  readonly scope: ScopeOf;
  readonly count: number;
}

class RedactionStep implements PipelineStep {
  readonly name = REDACTION_STEP_NAME;
  readonly dropReason = 'redaction-failed' as const;
  readonly failClosed = true;
  /**
   * Each scope redacted once: a scope object lives as long as its SDK Logger,
   * and the copy keeps one identity per scope, as the encoders group by it.
   */
  private readonly scopes = new WeakMap<ScopeOf, RedactedScope>();
  /** The last record's scope and what it became: the usual record needs one comparison. */
  private lastScope: ScopeOf | undefined;
  private lastRedacted: RedactedScope | undefined;

  constructor(private readonly redactor: Redactor) {}

  process(record: ReadWriteLogRecord): ReadWriteLogRecord {
    const redactor = this.redactor;
    const scope = record.instrumentationScope as ScopeOf | undefined;
    // A record without a scope (not one of the SDK's) has nothing to redact there.
    const redactedScope =
      scope === undefined || scope === null
        ? undefined
        : scope === this.lastScope
          ? this.lastRedacted!
          : this.redactedScope(scope);
    let scopeCount = 0;
    if (redactedScope !== undefined && redactedScope.scope !== scope) {
      // The SDK's record has no setter for its scope; a record that refuses
      // the write (frozen, a getter) would keep the secret: fail closed.
      try {
        (record as { instrumentationScope: ScopeOf }).instrumentationScope = redactedScope.scope;
      } catch {
        // checked below
      }
      if (record.instrumentationScope !== redactedScope.scope) {
        throw new Error('the instrumentation scope could not be redacted');
      }
      scopeCount = redactedScope.count;
    }
    redactor.begin();
    const attributes = record.attributes;
    for (const key in attributes) {
      if (key === ATTR_LOGKIT_REDACTION_COUNT) continue;
      const value = attributes[key];
      const next = redactor.redactAttribute(key, value);
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
    if (
      (typeof body === 'object' && body !== null) ||
      typeof body === 'string' ||
      typeof body === 'number'
    ) {
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
    const count = redactor.count + scopeCount;
    if (count > 0) {
      const previous = attributes[ATTR_LOGKIT_REDACTION_COUNT];
      record.setAttribute(
        ATTR_LOGKIT_REDACTION_COUNT,
        typeof previous === 'number' ? previous + count : count,
      );
    }
    return record;
  }

  /**
   * `scope` with its name, version, schema URL and attribute values
   * redacted (the same object when clean), from the cache or made once.
   * Throws what the redactor throws (a hostile attribute value): the record
   * is then dropped, and the next record of the scope tries again.
   */
  private redactedScope(scope: ScopeOf): RedactedScope {
    let redacted = this.scopes.get(scope);
    if (redacted === undefined) {
      const redactor = this.redactor;
      redactor.begin();
      // Whether anything changed is decided by the values, not by the
      // redactor's count: a getter among the attributes that logs runs this
      // step again, whose begin() resets the count.
      let changed = 0;
      const copy: { -readonly [K in keyof ScopeOf]: ScopeOf[K] } = { ...scope };
      const name = redactor.redactString(scope.name);
      if (name !== scope.name) {
        copy.name = name;
        changed++;
      }
      if (typeof scope.version === 'string') {
        const version = redactor.redactString(scope.version);
        if (version !== scope.version) {
          copy.version = version;
          changed++;
        }
      }
      if (typeof scope.schemaUrl === 'string') {
        const schemaUrl = redactor.redactString(scope.schemaUrl);
        if (schemaUrl !== scope.schemaUrl) {
          copy.schemaUrl = schemaUrl;
          changed++;
        }
      }
      const attributes = scope.attributes;
      if (attributes !== undefined && attributes !== null) {
        let redactedAttributes = attributes;
        for (const key of Object.keys(attributes)) {
          const value = attributes[key];
          const next = redactor.redactAttribute(key, value);
          if (next === value) continue;
          if (redactedAttributes === attributes) redactedAttributes = { ...attributes };
          Object.defineProperty(redactedAttributes, key, {
            value: next,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          changed++;
        }
        copy.attributes = redactedAttributes;
      }
      redacted =
        changed === 0
          ? { scope, count: 0 }
          : { scope: copy, count: Math.max(redactor.count, changed) };
      this.scopes.set(scope, redacted);
    }
    this.lastScope = scope;
    this.lastRedacted = redacted;
    return redacted;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
