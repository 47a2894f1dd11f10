import { isThenable } from '../internal/objects.js';
import type { LogRecord } from '@opentelemetry/api';
import { ATTR_CODE_FUNCTION_NAME } from '@opentelemetry/semantic-conventions';
import { reportOnce } from '../internal/reportOnce.js';
import { errorToAttributes } from '../logger/exceptionAttributes.js';
import { BUILTIN_LEVELS, type BuiltinLevelName } from '../logger/levels.js';
import { toAttributes } from '../logger/toAnyValue.js';
import type { LoggingHandle } from '../LoggingHandle.js';
import { getLoggingHandle } from '../liveHandle.js';
import { createCategoryHelpers, type CategoryHelpers } from './createCategoryHelpers.js';
import { ATTRS, EVENTS, SCOPE } from './names.js';
import { summarise } from './summarise.js';

/** Options of {@link logged}. */
export interface LoggedOptions {
  /** Level of the call and return records; default `debug`. A throw is always recorded at `error`. */
  readonly level?: BuiltinLevelName;
  /** `logkit.category` of the records; none by default. */
  readonly category?: string;
  /** Also record the arguments (summarised, truncated to 500 characters); default false. */
  readonly logArguments?: boolean;
  /** Also record the return value (summarised, truncated to 500 characters); default false. */
  readonly logResult?: boolean;
}

type Method<This, Args extends unknown[], Return> = (this: This, ...args: Args) => Return;

interface Emitter {
  emit(record: LogRecord): void;
}

// Helper sets and loggers are built once per registration, at first use.
const helpersByHandle = new WeakMap<object, CategoryHelpers>();
const loggersByHandle = new WeakMap<object, Map<string, Emitter>>();

function helpersFor(handle: LoggingHandle<string>): CategoryHelpers {
  let helpers = helpersByHandle.get(handle);
  if (!helpers) {
    helpers = createCategoryHelpers(handle);
    helpersByHandle.set(handle, helpers);
  }
  return helpers;
}

function loggerFor(handle: LoggingHandle<string>, category: string | undefined): Emitter {
  let loggers = loggersByHandle.get(handle);
  if (!loggers) {
    loggers = new Map();
    loggersByHandle.set(handle, loggers);
  }
  const key = category ?? '';
  let logger = loggers.get(key);
  if (!logger) {
    logger = handle.getLogger(SCOPE, category === undefined ? {} : { category });
    loggers.set(key, logger);
  }
  return logger;
}

/** `Class.method` (or `Class.method` of the class itself for a static method). */
function qualifiedName(self: unknown, isStatic: boolean, method: string): string {
  try {
    const owner = isStatic
      ? (self as { name?: unknown } | undefined)?.name
      : (self as { constructor?: { name?: unknown } } | undefined)?.constructor?.name;
    return typeof owner === 'string' && owner !== '' ? `${owner}.${method}` : method;
  } catch {
    return method;
  }
}

/**
 * A TypeScript (TC39 standard, `experimentalDecorators` off) method decorator:
 * records each call (`logkit.method.call`), its return (`logkit.method.return`,
 * with `duration_ms`) at `options.level` (default debug), and a throw or
 * rejection (`logkit.method.error`, with `exception.*`) at error, then
 * rethrows. Works for sync and async methods, through the registration live
 * at call time ({@link getLoggingHandle}); without one the method runs
 * unchanged. Logging never throws into the method.
 *
 * @example
 * ```ts
 * class Orders {
 *   @logged({ level: 'info', category: 'user' })
 *   async place(order: Order) { … }
 * }
 * ```
 */
export function logged(options: LoggedOptions = {}) {
  const level = BUILTIN_LEVELS[options.level ?? 'debug'] ?? BUILTIN_LEVELS.debug;
  return function <This, Args extends unknown[], Return>(
    target: Method<This, Args, Return>,
    context: ClassMethodDecoratorContext<This, Method<This, Args, Return>>,
  ): Method<This, Args, Return> {
    const method = String(context.name);
    return function (this: This, ...args: Args): Return {
      const handle = getLoggingHandle();
      if (!handle) return target.apply(this, args);
      let logger: Emitter | undefined;
      let name = method;
      let t0 = 0;
      const record = (
        eventName: string,
        severity: { severityNumber: number; severityText: string },
        body: string,
        attributes: Record<string, unknown>,
      ) => {
        try {
          logger?.emit({
            eventName,
            severityNumber: severity.severityNumber,
            severityText: severity.severityText,
            body,
            attributes: toAttributes({ [ATTR_CODE_FUNCTION_NAME]: name, ...attributes }),
          });
        } catch (error) {
          reportOnce('categories.logged', '@logged could not record a call', error);
        }
      };
      try {
        logger = loggerFor(handle, options.category);
        name = qualifiedName(this, context.static, method);
        record(
          EVENTS.methodCall,
          level,
          `call ${name}`,
          options.logArguments === true ? { [ATTRS.methodArguments]: summarise(args) } : {},
        );
      } catch (error) {
        reportOnce('categories.logged', '@logged could not record a call', error);
      }
      t0 = globalThis.performance.now();
      const returned = (value: unknown) => {
        const durationMs = globalThis.performance.now() - t0;
        record(EVENTS.methodReturn, level, `return ${name}`, {
          [ATTRS.durationMs]: Math.round(durationMs * 1000) / 1000,
          ...(options.logResult === true ? { [ATTRS.methodResult]: summarise(value) } : {}),
        });
      };
      const threw = (error: unknown) => {
        const durationMs = globalThis.performance.now() - t0;
        record(EVENTS.methodError, BUILTIN_LEVELS.error, `${name} threw`, {
          [ATTRS.durationMs]: Math.round(durationMs * 1000) / 1000,
          ...errorToAttributes(error),
        });
      };
      let result: Return;
      try {
        result = target.apply(this, args);
      } catch (error) {
        threw(error);
        throw error;
      }
      if (isThenable(result)) {
        return Promise.resolve(result).then(
          (value) => {
            returned(value);
            return value;
          },
          (error: unknown) => {
            threw(error);
            throw error;
          },
        ) as Return;
      }
      returned(result);
      return result;
    };
  };
}

/**
 * A TypeScript (TC39 standard) method decorator measuring each call as
 * `performance.measure(name, …)` does: a span, the `logkit.operation.duration`
 * histogram and a `performance` record with duration, memory and CPU. `name`
 * defaults to `Class.method`. Sync and async methods; the registration live at
 * call time is used, and without one the method runs unchanged.
 */
export function timed(name?: string) {
  return function <This, Args extends unknown[], Return>(
    target: Method<This, Args, Return>,
    context: ClassMethodDecoratorContext<This, Method<This, Args, Return>>,
  ): Method<This, Args, Return> {
    const method = String(context.name);
    return function (this: This, ...args: Args): Return {
      const handle = getLoggingHandle();
      let helpers: CategoryHelpers | undefined;
      let operation = name ?? method;
      if (handle) {
        try {
          helpers = helpersFor(handle);
          operation = name ?? qualifiedName(this, context.static, method);
        } catch (error) {
          reportOnce('categories.timed', '@timed could not measure a call', error);
        }
      }
      if (!helpers) return target.apply(this, args);
      return helpers.performance.measure(operation, () => target.apply(this, args));
    };
  };
}
