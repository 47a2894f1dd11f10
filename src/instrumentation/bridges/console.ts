import { redactForOutput } from '../../processors/redaction/outputRedaction.js';
import { format } from 'node:util';
import { context, createContextKey, diag } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { reportOnce } from '../../internal/reportOnce.js';
import { BUILTIN_LEVELS, type LevelDefinition } from '../../logger/levels.js';
import { errorToAttributes } from '../../logger/exceptionAttributes.js';
import type { LoggingHandle } from '../../LoggingHandle.js';
import { getLoggingHandle } from '../../liveHandle.js';
import { bridgeLogger, isError, type BridgeOptions } from './common.js';

/** The console methods {@link captureConsole} can capture. */
export type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** Options of {@link captureConsole}. */
export interface CaptureConsoleOptions extends BridgeOptions {
  /** The methods to capture; default all five. */
  readonly methods?: readonly ConsoleMethod[];
  /**
   * Still print through the original method; default true. With false,
   * captured calls are only records (and show up through otel-logkit's console
   * exporter, when on); calls made while nothing is registered, or after the
   * given handle was shut down, still print.
   */
  readonly passThrough?: boolean;
}

/** The level each console method logs at. */
const METHOD_LEVELS: Readonly<Record<ConsoleMethod, LevelDefinition>> = {
  log: BUILTIN_LEVELS.info,
  info: BUILTIN_LEVELS.info,
  warn: BUILTIN_LEVELS.warn,
  error: BUILTIN_LEVELS.error,
  debug: BUILTIN_LEVELS.debug,
};

const ALL_METHODS = Object.keys(METHOD_LEVELS) as ConsoleMethod[];

/** Set in the context a captured call is emitted in, and so in work that emit schedules. */
const EMITTING_KEY = createContextKey('otel-logkit console capture emitting');

type ConsoleFunction = (...args: unknown[]) => void;

interface Installation {
  readonly restore: () => void;
}

let installation: Installation | undefined;
/**
 * Above 0 while a captured call is being emitted or a diag method runs: what
 * prints meanwhile is not captured (again).
 */
let guardDepth = 0;

const DIAG_METHODS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;

/**
 * Wraps the methods of the OTel `diag` API so that what a diag logger prints
 * through `console` is never captured: the SDK reports export failures
 * through `diag.error` from promise callbacks outside any emit. Returns the
 * undo.
 */
function guardDiag(): () => void {
  const target = diag as unknown as Record<string, (...args: unknown[]) => void>;
  const patched = DIAG_METHODS.map((name) => {
    const original = target[name]!;
    const wrapper = function (this: unknown, ...args: unknown[]): void {
      guardDepth++;
      try {
        original.apply(this, args);
      } finally {
        guardDepth--;
      }
    };
    target[name] = wrapper;
    return { name, original, wrapper };
  });
  return () => {
    for (const { name, original, wrapper } of patched) {
      if (target[name] === wrapper) target[name] = original;
    }
  };
}

/**
 * Captures `console.log`, `info`, `warn`, `error` and `debug` into
 * otel-logkit's pipeline: opt-in, and undone by the returned `restore()`.
 *
 * ```ts
 * const restore = captureConsole(handle, { category: 'system' });
 * console.warn('disk at %d%%', 91); // → a WARN record "disk at 91%" (and still printed)
 * restore();
 * ```
 *
 * Each call becomes one record from the logger `console`: the level by method
 * (`log` and `info` INFO, `warn` WARN, `error` ERROR, `debug` DEBUG), the
 * body the arguments formatted as `util.format` does, with an Error shown as
 * `Name: message` and objects redacted before they are formatted; the first Error among the arguments also becomes
 * `exception.type`, `exception.message` and `exception.stacktrace`. The
 * record carries the caller's trace context. With `passThrough` (the default)
 * the call still prints.
 *
 * No feedback loops: whatever is printed while a captured call is being
 * emitted (by a pipeline step, the diag logger or an exporter), in work that
 * emit schedules, inside the OTel SDK's export path (where tracing is
 * suppressed), or by a diag logger through the `diag` API's methods (which
 * the capture wraps while installed, so that export failures the SDK reports
 * later are not captured) is printed, never captured. The API's own
 * `DiagConsoleLogger` (1.9.1+) calls the console methods saved before any
 * capture, and otel-logkit's console exporter writes to the streams
 * directly, so neither goes through the capture at all.
 *
 * Installing is idempotent: while a capture is installed, another call
 * returns the first one's `restore` (and the first one's options stay).
 * `restore()` is idempotent; it puts back the original methods, unless
 * something replaced them after the capture, in which case the capture
 * just stops capturing. Without `handle`, the live registration is used,
 * looked up per call; with none, calls only print.
 */
export function captureConsole<L extends string = never>(
  handle?: LoggingHandle<L>,
  options: CaptureConsoleOptions = {},
): () => void {
  if (installation) {
    diag.debug('otel-logkit: captureConsole() is already installed; returning its restore');
    return installation.restore;
  }
  const methods = [...new Set(options.methods ?? ALL_METHODS)];
  for (const method of methods) {
    if (!Object.hasOwn(METHOD_LEVELS, method)) {
      throw new TypeError(
        `otel-logkit: captureConsole() option methods: ${JSON.stringify(method)} is not one of ${ALL_METHODS.join(', ')}`,
      );
    }
  }
  const passThrough = options.passThrough ?? true;
  const getLogger = bridgeLogger(handle, 'console', options);
  const target = console as unknown as Record<ConsoleMethod, ConsoleFunction>;
  let active = true;

  const wrappers = methods.map((method) => {
    const original = target[method];
    const { severityNumber, severityText } = METHOD_LEVELS[method];
    const wrapper: ConsoleFunction = function (this: unknown, ...args: unknown[]) {
      let captured = false;
      if (active && guardDepth === 0) {
        try {
          const ctx = context.active();
          const logger =
            ctx.getValue(EMITTING_KEY) === true || isTracingSuppressed(ctx)
              ? undefined
              : getLogger();
          if (logger) {
            captured = true;
            const attributes = errorAttributes(args);
            const body = format(...args.map(formatArgument));
            guardDepth++;
            try {
              context.with(ctx.setValue(EMITTING_KEY, true), () =>
                logger.emit({ severityNumber, severityText, body, attributes }),
              );
            } finally {
              guardDepth--;
            }
          }
        } catch (error) {
          reportOnce('bridge:console', 'the console bridge could not emit a record', error);
        }
      }
      // A handle given and since shut down drops records: print them instead.
      if (!captured || passThrough || !active || (handle && getLoggingHandle() !== handle)) {
        original.apply(this ?? console, args);
      }
    };
    target[method] = wrapper;
    return { method, original, wrapper };
  });

  const unguardDiag = guardDiag();
  const restore = (): void => {
    if (!active) return;
    active = false;
    unguardDiag();
    for (const { method, original, wrapper } of wrappers) {
      if (target[method] === wrapper) target[method] = original;
    }
    if (installation?.restore === restore) installation = undefined;
  };
  installation = { restore };
  return restore;
}

function errorAttributes(args: readonly unknown[]): Record<string, string> | undefined {
  const error = args.find(isError);
  return error === undefined ? undefined : errorToAttributes(error);
}

/**
 * An argument as `util.format` is given it: an Error as `Name: message`, an
 * object or function redacted first (values under secret keys at any depth,
 * with the live registration's rules), as a plain copy (circular references,
 * throwing getters and Proxies described, never read raw), since once
 * formatted into the message text the structure a key rule needs is gone.
 */
function formatArgument(arg: unknown): unknown {
  if (isError(arg)) return errorSummary(arg);
  if ((typeof arg === 'object' && arg !== null) || typeof arg === 'function') {
    return redactForOutput(arg);
  }
  return arg;
}

function errorSummary(error: Error): string {
  try {
    const name = typeof error.name === 'string' && error.name !== '' ? error.name : 'Error';
    const message = typeof error.message === 'string' ? error.message : String(error.message);
    return message === '' ? name : `${name}: ${message}`;
  } catch {
    return '[Error]';
  }
}
