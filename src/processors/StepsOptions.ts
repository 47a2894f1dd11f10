import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { BuiltinStepName, LoggingOptions } from '../config/LoggingOptions.js';
import { fail } from '../config/validate.js';
import type { LogStep } from './PipelineStep.js';

/** The steps before `route`, in order. */
export type ResolvedSteps = readonly (
  Exclude<BuiltinStepName, 'route'> | LogStep | LogRecordProcessor
)[];

const BUILTIN_STEPS = ['enrich', 'redact', 'limit', 'sample', 'route'] as const;
const DEFAULT_STEPS = ['enrich', 'redact', 'limit', 'sample'] as const;

/**
 * Validates the `steps` option: built-in names (each once, `route` only
 * last, and left out: routing always runs last), functions and
 * LogRecordProcessors; the default steps when absent.
 * @throws {@link LoggingConfigError} naming `option steps[i]`.
 */
export function resolveSteps(steps: LoggingOptions['steps']): ResolvedSteps {
  if (steps === undefined) return DEFAULT_STEPS;
  if (!Array.isArray(steps)) fail('option steps', steps, 'an array');
  const out: ResolvedSteps[number][] = [];
  steps.forEach((step: unknown, index: number) => {
    const source = `option steps[${index}]`;
    if (typeof step === 'string') {
      if (!(BUILTIN_STEPS as readonly string[]).includes(step)) {
        fail(
          source,
          step,
          `one of ${BUILTIN_STEPS.join(', ')}, a function or a LogRecordProcessor`,
        );
      }
      if (step === 'route') {
        if (index !== steps.length - 1) fail(source, step, 'route only as the last step');
        return;
      }
      if (out.includes(step as never)) fail(source, step, 'each built-in step once');
      out.push(step as Exclude<BuiltinStepName, 'route'>);
    } else if (typeof step === 'function') {
      out.push(step as LogStep);
    } else if (
      step !== null &&
      typeof step === 'object' &&
      typeof (step as LogRecordProcessor).onEmit === 'function'
    ) {
      out.push(step as LogRecordProcessor);
    } else {
      fail(source, step, 'a built-in step name, a function or a LogRecordProcessor');
    }
  });
  return out;
}
