import { propagation, type Context } from '@opentelemetry/api';
import type { LogAttributes } from '../../logger/anyValue.js';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { getContextAttributes } from '../../logger/withContext.js';
import type { PipelineStep } from '../PipelineStep.js';

/**
 * Baggage entries copied onto records by default: the request-scoped ids
 * (semconv `user.id`, `session.id`; `request.id` by common use).
 */
export const DEFAULT_BAGGAGE_KEYS = ['user.id', 'session.id', 'request.id'] as const;

/** Options of {@link createEnrichStep}. */
export interface EnrichOptions {
  /** Attributes put on every record (already converted to AnyValue). */
  readonly attributes?: LogAttributes;
  /** Baggage keys copied onto records; `true` for every entry, `false` for none. */
  readonly baggageKeys?: readonly string[] | boolean;
}

/**
 * Adds, without overwriting what the log call gave: the attributes of
 * `withContext`, then the chosen OTel Baggage entries of the emit Context,
 * then the static attributes. Inner sources win over outer ones.
 */
export function createEnrichStep(options: EnrichOptions = {}): PipelineStep {
  const staticEntries = Object.entries(options.attributes ?? {});
  const baggageKeys = options.baggageKeys ?? DEFAULT_BAGGAGE_KEYS;
  const allBaggage = baggageKeys === true;
  const wanted = Array.isArray(baggageKeys) ? new Set(baggageKeys) : undefined;

  const addMissing = (record: ReadWriteLogRecord, key: string, value: LogAttributes[string]) => {
    // Own keys only: `constructor` is an ordinary attribute, not Object's.
    if (Object.hasOwn(record.attributes, key)) return;
    if (key === '__proto__') {
      // The SDK assigns, which would set the map's prototype: an own property instead.
      Object.defineProperty(record.attributes, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      record.setAttribute(key, value);
    }
  };

  return {
    name: 'enrich',
    dropReason: 'filtered',
    process(record: ReadWriteLogRecord, ctx: Context) {
      const fromContext = getContextAttributes(ctx);
      if (fromContext) for (const key in fromContext) addMissing(record, key, fromContext[key]);
      if (allBaggage || (wanted && wanted.size > 0)) {
        const baggage = propagation.getBaggage(ctx);
        if (baggage) {
          for (const [key, entry] of baggage.getAllEntries()) {
            if (allBaggage || wanted!.has(key)) addMissing(record, key, entry.value);
          }
        }
      }
      for (const [key, value] of staticEntries) addMissing(record, key, value);
      return record;
    },
  };
}
