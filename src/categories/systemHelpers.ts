import { errorToAttributes } from '../logger/exceptionAttributes.js';
import type { BuiltinLevelName } from '../logger/levels.js';
import { guard, text, type CategoryEmit, type HelperAttributes } from './helperSupport.js';
import { ATTRS, EVENTS } from './names.js';

export interface SystemHelpers {
  startup(component: string, details?: HelperAttributes): void;
  shutdown(component: string, details?: HelperAttributes): void;
  error(component: string, error: unknown, details?: HelperAttributes): void;
  warning(component: string, message: string, details?: HelperAttributes): void;
  /** A configuration change, e.g. `{ key: 'pool.size', from: 10, to: 20 }`. */
  configChange(component: string, change: HelperAttributes): void;
}

/** The `system` category: startup, shutdown, error, warning and configuration-change records. */
export function createSystemHelpers(emit: CategoryEmit): SystemHelpers {
  const systemRecord = (
    eventName: string,
    level: BuiltinLevelName,
    component: string,
    body: () => string,
    extra: () => Record<string, unknown>,
    details: HelperAttributes | undefined,
  ) =>
    // Body and attributes are made inside the guard: a component that cannot
    // be printed must not throw into the caller.
    guard('system', () => {
      const attributes: Record<string, unknown> = { [ATTRS.component]: component, ...extra() };
      if (details !== undefined) attributes[ATTRS.details] = details;
      emit(eventName, level, body(), attributes);
    });
  const system: SystemHelpers = {
    startup: (component, details) =>
      systemRecord(
        EVENTS.systemStartup,
        'info',
        component,
        () => `${text(component)} started`,
        () => ({}),
        details,
      ),
    shutdown: (component, details) =>
      systemRecord(
        EVENTS.systemShutdown,
        'info',
        component,
        () => `${text(component)} stopped`,
        () => ({}),
        details,
      ),
    error: (component, error, details) =>
      systemRecord(
        EVENTS.systemError,
        'error',
        component,
        () => `${text(component)} error`,
        () => errorToAttributes(error),
        details,
      ),
    warning: (component, message, details) =>
      systemRecord(
        EVENTS.systemWarning,
        'warn',
        component,
        () => text(message),
        () => ({}),
        details,
      ),
    configChange: (component, change) =>
      systemRecord(
        EVENTS.systemConfigChange,
        'info',
        component,
        () => `${text(component)} configuration changed`,
        () => ({ [ATTRS.configChange]: change }),
        undefined,
      ),
  };
  return system;
}
