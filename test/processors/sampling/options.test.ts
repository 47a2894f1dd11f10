import { ROOT_CONTEXT } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import type { ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { LoggingConfigError } from '../../../src/config/LoggingConfigError.js';
import type { SamplingOptions } from '../../../src/processors/sampling/SamplingOptions.js';
import { resolveSamplingOptions } from '../../../src/processors/sampling/SamplingOptions.js';
import { createSamplingStep } from '../../../src/processors/sampling/SamplingStep.js';
import { Harness, LEVELS, randomTraceId } from './harness.js';

function configError(options: unknown): LoggingConfigError {
  try {
    createSamplingStep(options as SamplingOptions, LEVELS);
  } catch (error) {
    expect(error).toBeInstanceOf(LoggingConfigError);
    return error as LoggingConfigError;
  }
  throw new Error(`no error for ${JSON.stringify(options)}`);
}

/** A record that throws on any use: proof that `process` did not look at it. */
function untouchable(): ReadWriteLogRecord {
  return new Proxy({} as ReadWriteLogRecord, {
    get(_target, key) {
      throw new Error(`read ${String(key)}`);
    },
    has(_target, key) {
      throw new Error(`probed ${String(key)}`);
    },
  });
}

describe('sampling options', () => {
  it.each([
    [{ ratio: -0.1 }, 'option sampling.ratio'],
    [{ ratio: 1.5 }, 'option sampling.ratio'],
    [{ ratio: Number.NaN }, 'option sampling.ratio'],
    [{ ratio: '0.5' }, 'option sampling.ratio'],
    [{ followTraceFlags: 'yes' }, 'option sampling.followTraceFlags'],
    [{ alwaysKeepLevel: 'loud' }, 'option sampling.alwaysKeepLevel'],
    [{ alwaysKeepLevel: 30 }, 'option sampling.alwaysKeepLevel'],
    [{ rateLimit: 5 }, 'option sampling.rateLimit'],
    [{ rateLimit: {} }, 'option sampling.rateLimit.perSecond'],
    [{ rateLimit: { perSecond: 0 } }, 'option sampling.rateLimit.perSecond'],
    [{ rateLimit: { perSecond: -1 } }, 'option sampling.rateLimit.perSecond'],
    [{ rateLimit: { perSecond: Infinity } }, 'option sampling.rateLimit.perSecond'],
    [{ rateLimit: { perSecond: 1, burst: 0.5 } }, 'option sampling.rateLimit.burst'],
    [{ rateLimit: { perSecond: 1, windowMillis: -1 } }, 'option sampling.rateLimit.windowMillis'],
    [{ bufferUntilError: 'on' }, 'option sampling.bufferUntilError'],
    [
      { bufferUntilError: { triggerLevel: 'nope' } },
      'option sampling.bufferUntilError.triggerLevel',
    ],
    [
      { bufferUntilError: { triggerLevel: 'silent' } },
      'option sampling.bufferUntilError.triggerLevel',
    ],
    [
      { bufferUntilError: { maxRecordsPerTrace: -1 } },
      'option sampling.bufferUntilError.maxRecordsPerTrace',
    ],
    [{ bufferUntilError: { maxTraces: 1.5 } }, 'option sampling.bufferUntilError.maxTraces'],
    [{ bufferUntilError: { timeoutMillis: -5 } }, 'option sampling.bufferUntilError.timeoutMillis'],
  ])('rejects %j naming %s', (options, source) => {
    const error = configError({ ...options });
    expect(error.source).toBe(source);
    expect(error.message).toContain(source);
  });

  it('rejects a non-object', () => {
    expect(configError(7).source).toBe('option sampling');
  });

  it('fills in the defaults', () => {
    expect(resolveSamplingOptions(undefined, LEVELS)).toEqual({
      floor: SeverityNumber.WARN,
      ratio: 1,
      followTraceFlags: false,
      rateLimit: undefined,
      buffer: undefined,
    });
    expect(
      resolveSamplingOptions(
        { alwaysKeepLevel: 'error', rateLimit: { perSecond: 0.5 }, bufferUntilError: true },
        LEVELS,
      ),
    ).toEqual({
      floor: SeverityNumber.ERROR,
      ratio: 1,
      followTraceFlags: false,
      rateLimit: { perSecond: 0.5, burst: 1, windowMillis: 10_000 },
      buffer: {
        trigger: SeverityNumber.ERROR,
        maxRecordsPerTrace: 200,
        maxTraces: 1000,
        timeoutMillis: 30_000,
      },
    });
    expect(
      resolveSamplingOptions({ alwaysKeepLevel: 9, bufferUntilError: false }, LEVELS),
    ).toMatchObject({
      floor: 9,
      buffer: undefined,
    });
  });

  it.each([
    ['no options', undefined],
    ['empty options', {}],
    ['only a floor and ratio 1', { alwaysKeepLevel: 'error', ratio: 1, followTraceFlags: false }],
    ['bufferUntilError false', { bufferUntilError: false }],
  ])('returns the record at once with %s', (_name, options: SamplingOptions | undefined) => {
    const step = createSamplingStep(options, LEVELS);
    const record = untouchable();
    expect(step.process(record, ROOT_CONTEXT)).toBe(record);

    const harness = new Harness(options);
    const result = harness.log(SeverityNumber.DEBUG, 'x', {
      traceId: randomTraceId(),
      sampled: false,
    });
    expect(result).toBe(harness.records[0]);
  });

  it('looks at the record once anything is enabled', () => {
    const step = createSamplingStep({ ratio: 0.5 }, LEVELS);
    expect(() => step.process(untouchable(), ROOT_CONTEXT)).toThrow();
  });
});
