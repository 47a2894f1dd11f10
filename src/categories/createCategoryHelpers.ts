import type { LogRecord, MeterProvider } from '@opentelemetry/api';
import type { LoggingHandle } from '../LoggingHandle.js';
import { getLoggingHandle } from '../liveHandle.js';
import { categoryEmitter } from './helperSupport.js';
import { createLlmHelpers, type LlmHelpers } from './llmHelpers.js';
import { SCOPE } from './names.js';
import { createPerformanceHelpers, type PerformanceHelpers } from './performanceHelpers.js';
import { createSecurityHelpers, type SecurityHelpers } from './securityHelpers.js';
import type { SecurityMonitorOptions } from './SecurityMonitor.js';
import { createSystemHelpers, type SystemHelpers } from './systemHelpers.js';
import { createToolHelpers, type ToolHelpers } from './toolHelpers.js';
import { createUserHelpers, type UserHelpers } from './userHelpers.js';

/** What {@link createCategoryHelpers} returns. Every method never throws (except `measure` rethrowing `fn`'s error). */
export interface CategoryHelpers {
  readonly user: UserHelpers;
  readonly system: SystemHelpers;
  readonly tool: ToolHelpers;
  readonly llm: LlmHelpers;
  readonly security: SecurityHelpers;
  readonly performance: PerformanceHelpers;
}

/** Options of {@link createCategoryHelpers}. */
export interface CategoryHelpersOptions {
  /** Thresholds (and, for tests, the clock) of `security.monitor`. */
  readonly security?: SecurityMonitorOptions;
}

/** What the helpers need of a handle. */
interface HandleLike {
  getLogger(name: string, options?: { category?: string }): { emit(record: LogRecord): void };
  readonly meterProvider: MeterProvider;
}

/**
 * Typed helpers for the seed's categories (user, system, tool, llm, security,
 * performance). Each call emits one record with an event name,
 * semantic-convention attributes and its `logkit.category`, and records the
 * category's metrics. Instruments are created here, once.
 *
 * @param handle - the registration; default {@link getLoggingHandle}().
 * @throws Error when no handle is given and none is registered (a setup mistake).
 */
export function createCategoryHelpers<L extends string = never>(
  handle?: LoggingHandle<L>,
  options: CategoryHelpersOptions = {},
): CategoryHelpers {
  const h: HandleLike | undefined = handle ?? getLoggingHandle();
  if (!h) {
    throw new Error(
      'otel-logkit: createCategoryHelpers() needs a LoggingHandle: call registerLogging() first or pass its handle',
    );
  }
  return buildHelpers(h, options);
}

function buildHelpers(h: HandleLike, options: CategoryHelpersOptions): CategoryHelpers {
  const emitterFor = (category: string) => categoryEmitter(h.getLogger(SCOPE, { category }));
  const emit = {
    user: emitterFor('user'),
    system: emitterFor('system'),
    tool: emitterFor('tool'),
    llm: emitterFor('llm'),
    security: emitterFor('security'),
    performance: emitterFor('performance'),
  };
  const meter = h.meterProvider.getMeter(SCOPE);
  const llm = createLlmHelpers(emit.llm, meter);
  const tool = createToolHelpers(emit.tool, meter);
  const performance = createPerformanceHelpers(emit.performance, meter);
  return {
    user: createUserHelpers(emit.user),
    system: createSystemHelpers(emit.system),
    tool,
    llm,
    security: createSecurityHelpers(emit.security, options.security),
    performance,
  };
}
