import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogStep, PipelineStep } from './PipelineStep.js';

/**
 * Wraps a user step, a function or a LogRecordProcessor, as a
 * {@link PipelineStep}. A function returning `null` drops the record
 * (counted as `filtered`); a processor may change the record and never drops it.
 */
export function toPipelineStep(step: LogStep | LogRecordProcessor, index: number): PipelineStep {
  if (typeof step === 'function') {
    return {
      name: step.name || `step[${index}]`,
      dropReason: 'filtered',
      process: (record, ctx) => step(record, ctx),
    };
  }
  return {
    name: step.constructor.name || `step[${index}]`,
    dropReason: 'filtered',
    process(record, ctx) {
      step.onEmit(record, ctx);
      return record;
    },
    forceFlush: () => step.forceFlush(),
    shutdown: () => step.shutdown(),
  };
}
