import type { LoggingHandle } from './LoggingHandle.js';

/**
 * The live registration, in a module of its own so that features (bridges,
 * category helpers, decorators, HTTP instrumentation) can look it up without
 * importing the entry point (`registerLogging.ts`); lint enforces that.
 */
let current: LoggingHandle<string> | undefined;

/**
 * The handle of the live registration, or undefined before `registerLogging`
 * and after its `shutdown()`. For code that cannot be handed the handle
 * (decorators, bridges set up at import time).
 */
export function getLoggingHandle(): LoggingHandle<string> | undefined {
  return current;
}

/** Records `handle` as the live registration (registerLogging only). */
export function setLiveHandle(handle: LoggingHandle<string>): void {
  current = handle;
}

/** Forgets `handle` if it is the live registration (its shutdown only). */
export function clearLiveHandle(handle: unknown): void {
  if (current === handle) current = undefined;
}
