import type { AnyValue } from '../../logger/anyValue.js';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { PipelineStep } from '../PipelineStep.js';
import type { ResolvedLimits } from './LimitsOptions.js';

/** The marker appended to a truncated string. */
export function truncationMarker(removed: number): string {
  return `…[truncated ${removed} chars]`;
}

function truncate(value: string, limit: number): string {
  return value.length > limit
    ? value.slice(0, limit) + truncationMarker(value.length - limit)
    : value;
}

/** Truncates the strings of an AnyValue; returns the same object when nothing changed. */
function limitValue(value: AnyValue, limit: number): AnyValue {
  if (typeof value === 'string') return truncate(value, limit);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    let out: AnyValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const limited = limitValue(value[i], limit);
      if (limited !== value[i]) (out ??= value.slice())[i] = limited;
    }
    return out ?? value;
  }
  let out: Record<string, AnyValue> | undefined;
  for (const key in value) {
    const limited = limitValue(value[key], limit);
    if (limited !== value[key]) (out ??= { ...value })[key] = limited;
  }
  return out ?? value;
}

/**
 * Adds to a record's `droppedAttributesCount`. The interface declares it
 * writable, but the SDK's LogRecordImpl (sdk-logs 0.223, and still 3.1.1) has
 * only a getter over `_droppedAttributesCount`, so that field is what has to
 * change.
 */
function addDroppedAttributes(record: ReadWriteLogRecord, count: number): void {
  const internal = record as unknown as { _droppedAttributesCount?: unknown };
  if (typeof internal._droppedAttributesCount === 'number') {
    internal._droppedAttributesCount += count;
  } else {
    record.droppedAttributesCount += count;
  }
}

/**
 * Truncates long string attribute values and string bodies, each marked with
 * `…[truncated N chars]`, and drops attributes past the count limit (counted
 * in the record's `droppedAttributesCount`, the OTel data model's marker).
 */
export function createLimitsStep(limits: ResolvedLimits): PipelineStep {
  const { attributeValueLength, attributeCount, bodyLength } = limits;
  const limitValues = Number.isFinite(attributeValueLength);
  const limitCount = Number.isFinite(attributeCount);
  const limitBody = Number.isFinite(bodyLength);
  return {
    name: 'limit',
    dropReason: 'filtered',
    process(record: ReadWriteLogRecord) {
      if (limitBody && typeof record.body === 'string' && record.body.length > bodyLength) {
        record.setBody(truncate(record.body, bodyLength));
      }
      if (limitValues || limitCount) {
        const attributes = record.attributes as Record<string, AnyValue>;
        let seen = 0;
        let dropped = 0;
        for (const key in attributes) {
          if (limitCount && ++seen > attributeCount) {
            delete attributes[key];
            dropped++;
            continue;
          }
          if (limitValues) {
            const value = attributes[key];
            const limited = limitValue(value, attributeValueLength);
            if (limited !== value) attributes[key] = limited;
          }
        }
        if (dropped > 0) addDroppedAttributes(record, dropped);
      }
      return record;
    },
  };
}
