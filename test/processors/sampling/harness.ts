import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, TraceFlags, trace, type Context } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api';
import type { AnyValue, LogAttributes } from '../../../src/logger/anyValue.js';
import { LoggerProvider, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { BUILTIN_LEVELS, type LevelDefinition } from '../../../src/logger/levels.js';
import type { DropReason, StepHost } from '../../../src/processors/PipelineStep.js';
import type { SamplingOptions } from '../../../src/processors/sampling/SamplingOptions.js';
import {
  createSamplingStep,
  type SamplingInternals,
  type SamplingResult,
  type SamplingStep,
} from '../../../src/processors/sampling/SamplingStep.js';

export const LEVELS: ReadonlyMap<string, LevelDefinition> = new Map(Object.entries(BUILTIN_LEVELS));

export const randomTraceId = (): string => randomBytes(16).toString('hex');
export const randomSpanId = (): string => randomBytes(8).toString('hex');

/** A Context with a span of `traceId`, sampled unless said otherwise. */
export function spanContextOf(traceId: string, sampled = true): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: randomSpanId(),
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
  });
}

/** What happened, in order: results of `process`, and host calls. */
export type Event =
  | { kind: 'result'; body: AnyValue | undefined; result: SamplingResult }
  | { kind: 'forward'; body: AnyValue | undefined; record: ReadWriteLogRecord; context: Context }
  | { kind: 'emit'; record: LogRecord }
  | { kind: 'drop'; reason: DropReason; count: number };

export interface LogInput {
  readonly traceId?: string;
  readonly sampled?: boolean;
  readonly context?: Context;
  readonly eventName?: string;
  readonly attributes?: LogAttributes;
}

/**
 * A sampling step fed by a real LoggerProvider (a processor that calls
 * `step.process` in onEmit) with a fake host that records what it is asked;
 * `host.emit` goes back through the provider, as the pipeline's does.
 */
export class Harness {
  readonly step: SamplingStep;
  readonly events: Event[] = [];
  readonly provider: LoggerProvider;
  private readonly logger;
  private lastResult: SamplingResult = null;
  /** The record objects handed to `process`, by the order they came. */
  readonly records: ReadWriteLogRecord[] = [];

  constructor(options: SamplingOptions | undefined, internals: SamplingInternals = {}) {
    this.step = createSamplingStep(options, LEVELS, internals);
    this.provider = new LoggerProvider({
      processors: [
        {
          onEmit: (record, context) => {
            this.records.push(record);
            this.lastResult = this.step.process(record, context ?? ROOT_CONTEXT);
            this.events.push({
              kind: 'result',
              body: record.body as AnyValue,
              result: this.lastResult,
            });
          },
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
      ],
    });
    this.logger = this.provider.getLogger('test-scope');
    const host: StepHost = {
      forward: (record, context) => {
        this.events.push({ kind: 'forward', body: record.body as AnyValue, record, context });
      },
      emit: (record) => {
        this.events.push({ kind: 'emit', record });
        this.logger.emit(record);
      },
      countDrop: (reason, count = 1) => {
        this.events.push({ kind: 'drop', reason, count });
      },
    };
    this.step.init?.(host);
  }

  /** Emits a record and returns what the step made of it. */
  log(severityNumber: number, body: AnyValue, input: LogInput = {}): SamplingResult {
    const context =
      input.context ??
      (input.traceId === undefined ? ROOT_CONTEXT : spanContextOf(input.traceId, input.sampled));
    this.logger.emit({
      severityNumber,
      body,
      context,
      ...(input.eventName === undefined ? {} : { eventName: input.eventName }),
      ...(input.attributes === undefined ? {} : { attributes: input.attributes }),
    });
    return this.lastResult;
  }

  /** True when the record was passed on (the step returned a record). */
  kept(result: SamplingResult): boolean {
    return typeof result === 'object' && result !== null;
  }

  forwardedBodies(): Array<AnyValue | undefined> {
    return this.events.flatMap((e) => (e.kind === 'forward' ? [e.body] : []));
  }

  emitted(): LogRecord[] {
    return this.events.flatMap((e) => (e.kind === 'emit' ? [e.record] : []));
  }

  dropped(reason: DropReason): number {
    return this.events.reduce(
      (n, e) => (e.kind === 'drop' && e.reason === reason ? n + e.count : n),
      0,
    );
  }

  clear(): void {
    this.events.length = 0;
  }
}

/** A settable clock for `SamplingInternals.now`. */
export class FakeClock {
  t = 0;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}
