/**
 * Sets `out[key]` as an own, enumerable property: for a `__proto__` key (which
 * JSON.parse and object spreads make own) plain assignment would set the
 * object's prototype instead of adding the key.
 */
export function setOwn<T>(out: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    out[key] = value;
  }
}

/**
 * True for a promise or any object with a `then` method. Never throws: a
 * Proxy whose get trap throws is not a thenable (returned as it is).
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  try {
    return (
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      typeof (value as { then?: unknown }).then === 'function'
    );
  } catch {
    return false;
  }
}

/** The `code` of a Node system error (`'EACCES'`, `'ENOSPC'`, …), or `undefined`. Never throws. */
export function errorCode(error: unknown): string | undefined {
  try {
    if (typeof error === 'object' && error !== null && 'code' in error) {
      const { code } = error;
      if (typeof code === 'string' && code !== '') return code;
    }
  } catch {
    // A Proxy whose traps throw: no code.
  }
  return undefined;
}

/**
 * `Object.prototype.hasOwnProperty`, for the own-key check of a `for-in`
 * loop: `hasOwnProperty.call(map, key)` there is reduced by V8 to a check of
 * the map's enum cache, where `Object.hasOwn(map, key)` is a full lookup
 * (measured on Node 24.22, a 5-key and a 3-key map: 9 ns against 41 ns per
 * map, the same as a loop with no check). Works on null-prototype objects
 * and on objects that shadow `hasOwnProperty`.
 */
// Always called with `.call(map, key)`, never unbound.
// eslint-disable-next-line @typescript-eslint/unbound-method
export const hasOwnProperty = Object.prototype.hasOwnProperty;
