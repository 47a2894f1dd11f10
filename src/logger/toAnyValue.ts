import { hasOwnProperty, setOwn } from '../internal/objects.js';
import { types } from 'node:util';
import type { AnyValue, AnyValueMap, LogAttributes } from './anyValue.js';
import { reportOnce } from '../internal/reportOnce.js';

/** Containers at this depth (the root is at 0) become `'[Object]'` / `'[Array]'`. */
const MAX_DEPTH = 10;

// The containers on the path from the root to the value being converted,
// indexed by depth. Only the first `depth` slots are meaningful, so a branch
// that returns early (or throws) needs no clean-up.
type Ancestors = unknown[];

/**
 * Converts any JavaScript value into a valid OpenTelemetry `AnyValue`, the
 * shape the Logs SDK accepts for bodies and attribute values. Never throws.
 *
 * - strings, booleans and finite numbers are kept; `NaN`, `Infinity` and
 *   `-Infinity` become those strings; bigints become decimal strings;
 * - `null` and `undefined` become `null` (in maps an `undefined` key is omitted);
 * - a `Date` becomes its ISO string (`'Invalid Date'` when invalid);
 * - `Buffer`, `Uint8Array`, other typed arrays, `DataView`s and `ArrayBuffer`s
 *   become a `Uint8Array` copy of their bytes (a copy, because batching
 *   exporters read the record later, after the caller may have reused the buffer);
 * - arrays and `Set`s become arrays, `Map`s become maps keyed by `String(key)`;
 * - an `Error` becomes `{ type, message, stacktrace, cause?, errors? }` plus its
 *   own enumerable properties (such as `code`);
 * - other objects with a `toJSON` method are converted through it (once, as
 *   `JSON.stringify` does); remaining objects become a map of their own
 *   enumerable string keys;
 * - symbols become `'Symbol(desc)'`, functions `'[Function: name]'`;
 * - a reference back to an ancestor becomes `'[Circular]'` (a shared object
 *   that is not its own ancestor is converted at each place it appears);
 * - boxed primitives become their value, regular expressions their source text;
 * - 10 levels of containers are kept (the root is the first); an object or
 *   array at the 11th becomes `'[Object]'` / `'[Array]'`;
 * - a getter, Proxy trap or `toJSON` that throws yields
 *   `'[Unserializable: <message>]'` in place of that value, reported once
 *   through OTel `diag`.
 *
 * The result never shares mutable objects with the input, and no object is
 * reachable twice in it, which the SDK's attribute validation requires.
 */
export function toAnyValue(value: unknown): AnyValue {
  return convert(value, 0, undefined, true);
}

/**
 * Converts a record of attribute values with {@link toAnyValue}, omitting
 * keys whose value is `undefined`. The record itself counts as the first level
 * of nesting, so it is the same map `toAnyValue(record)` would produce. A
 * non-object yields `{}`; a record whose `toJSON` returns a non-map, or whose
 * keys cannot be listed, yields `{ value: <converted> }`. Never throws.
 */
export function toAttributes(record: Record<string, unknown>): LogAttributes {
  if (typeof record !== 'object' || record === null) return {};
  const result = convertObject(record, 0, undefined, true);
  if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
    return result as LogAttributes;
  }
  // A record whose toJSON returned a scalar, or whose keys could not be read.
  return { value: result };
}

/**
 * True when `value` is already a valid OTel AnyValue the SDK accepts as is:
 * strings, booleans, finite numbers, null, and arrays and plain
 * objects of those, at most 10 levels deep. Anything else (a Date, a class
 * instance, NaN, undefined, a getter that throws, a cycle, which shows as
 * depth) is not, and needs {@link toAnyValue}. Never throws.
 */
function isPlainAnyValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!isPlainAnyValue(value[i], depth + 1)) return false;
    }
    return true;
  }
  if (value instanceof Uint8Array) return false; // copied by toAnyValue, see above
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!isPlainAnyValue((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * {@link toAnyValue} for an attribute value that the SDK will store through
 * `setAttribute`. The SDK copies maps and arrays as it stores them (its
 * attribute validation rebuilds them), so a value that is already a plain,
 * valid AnyValue is returned as it is, without a second copy; anything else
 * is converted. Never throws.
 */
export function toAttributeValue(value: unknown): AnyValue {
  if (typeof value !== 'object' || value === null) return toAnyValue(value);
  try {
    if (isPlainAnyValue(value, 0)) return value as AnyValue;
  } catch {
    // A getter or Proxy trap threw: convert, which reports it once.
  }
  return toAnyValue(value);
}

function convert(
  value: unknown,
  depth: number,
  ancestors: Ancestors | undefined,
  allowToJSON: boolean,
): AnyValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'undefined':
      return null;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return functionName(value);
    default:
      if (value === null) return null;
      return convertObject(value as object, depth, ancestors, allowToJSON);
  }
}

function convertObject(
  obj: object,
  depth: number,
  ancestors: Ancestors | undefined,
  allowToJSON: boolean,
): AnyValue {
  try {
    if (ancestors !== undefined) {
      for (let i = 0; i < depth; i++) if (ancestors[i] === obj) return '[Circular]';
    }
    if (Array.isArray(obj)) {
      if (depth >= MAX_DEPTH) return '[Array]';
      return convertArray(obj as unknown[], depth, ancestors);
    }
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const special = convertSpecial(obj, depth, ancestors, allowToJSON);
      if (special !== NOT_SPECIAL) return special;
    } else if (allowToJSON && typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
      return convertToJSON(obj, depth, ancestors);
    }
    if (depth >= MAX_DEPTH) return '[Object]';
    return convertProperties(obj, {}, depth, ancestors, undefined);
  } catch (error) {
    return unserializable(error);
  }
}

const NOT_SPECIAL = Symbol('notSpecial');

// Everything that is not an array or a plain object; kept off the plain-object
// path so the common case pays for none of these checks.
function convertSpecial(
  obj: object,
  depth: number,
  ancestors: Ancestors | undefined,
  allowToJSON: boolean,
): AnyValue | typeof NOT_SPECIAL {
  // Before toJSON: Buffer has one that turns bytes into an array of numbers.
  if (obj instanceof Uint8Array) return new Uint8Array(obj);
  if (ArrayBuffer.isView(obj)) {
    return new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength).slice();
  }
  if (types.isAnyArrayBuffer(obj)) return new Uint8Array(obj).slice();
  if (types.isDate(obj)) {
    return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  }
  // Before toJSON: an error's toJSON (axios has one) tends to carry request
  // config rather than the type, message and stack a reader needs.
  if (obj instanceof Error || types.isNativeError(obj)) {
    if (depth >= MAX_DEPTH) return '[Object]';
    return convertError(obj, depth, ancestors);
  }
  if (types.isMap(obj)) {
    if (depth >= MAX_DEPTH) return '[Object]';
    return convertMap(obj, depth, ancestors);
  }
  if (types.isSet(obj)) {
    if (depth >= MAX_DEPTH) return '[Array]';
    return convertSet(obj, depth, ancestors);
  }
  if (types.isBoxedPrimitive(obj)) {
    return convert((obj as { valueOf(): unknown }).valueOf(), depth, ancestors, false);
  }
  if (types.isRegExp(obj)) return String(obj);
  if (allowToJSON && typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    return convertToJSON(obj, depth, ancestors);
  }
  return NOT_SPECIAL;
}

function convertToJSON(obj: object, depth: number, ancestors: Ancestors | undefined): AnyValue {
  const json: unknown = (obj as { toJSON(): unknown }).toJSON();
  // Like JSON.stringify, the result's own toJSON is not called again, which
  // also ends a toJSON that returns `this` or a fresh object of its own class.
  return convert(json, depth, ancestors, false);
}

function convertArray(arr: unknown[], depth: number, ancestors: Ancestors | undefined): AnyValue {
  const length = arr.length;
  const result = new Array<AnyValue>(length);
  for (let i = 0; i < length; i++) {
    const item = read(arr, i);
    if (typeof item === 'object' && item !== null) {
      ancestors ??= [];
      ancestors[depth] = arr;
      result[i] = convertObject(item, depth + 1, ancestors, true);
    } else {
      result[i] = convert(item, depth + 1, ancestors, true);
    }
  }
  return result;
}

function convertSet(set: Set<unknown>, depth: number, ancestors: Ancestors | undefined): AnyValue {
  const result: AnyValue[] = [];
  const path = ancestors ?? [];
  path[depth] = set;
  for (const item of set) result.push(convert(item, depth + 1, path, true));
  return result;
}

function convertMap(
  map: Map<unknown, unknown>,
  depth: number,
  ancestors: Ancestors | undefined,
): AnyValue {
  const result: AnyValueMap = {};
  const path = ancestors ?? [];
  path[depth] = map;
  for (const [key, item] of map) {
    if (item !== undefined) setOwn(result, mapKey(key), convert(item, depth + 1, path, true));
  }
  return result;
}

// Fills `result` with the own enumerable string-keyed properties of `obj`
// that are not in `skip`, leaving out undefined values.
function convertProperties(
  obj: object,
  result: AnyValueMap,
  depth: number,
  ancestors: Ancestors | undefined,
  skip: ReadonlySet<string> | undefined,
): AnyValueMap {
  for (const key in obj) {
    if (!hasOwnProperty.call(obj, key) || skip?.has(key)) continue;
    const item = read(obj, key);
    if (item === undefined) continue;
    if (typeof item === 'object' && item !== null) {
      ancestors ??= [];
      ancestors[depth] = obj;
      setOwn(result, key, convertObject(item, depth + 1, ancestors, true));
    } else {
      setOwn(result, key, convert(item, depth + 1, ancestors, true));
    }
  }
  return result;
}

// An own property of the error named like one of the fields its map already
// has cannot override that field.
const ERROR_FIXED_KEYS: ReadonlySet<string> = new Set([
  'name',
  'message',
  'stack',
  'cause',
  'errors',
  'type',
  'stacktrace',
]);

function convertError(error: Error, depth: number, ancestors: Ancestors | undefined): AnyValue {
  const path = ancestors ?? [];
  path[depth] = error;
  const result: AnyValueMap = {};
  result.type = stringOr(read(error, 'name'), 'Error');
  result.message = stringOr(read(error, 'message'), '');
  const stack = read(error, 'stack');
  if (typeof stack === 'string') result.stacktrace = stack;
  const cause = read(error, 'cause');
  if (cause !== undefined) result.cause = convert(cause, depth + 1, path, true);
  const errors = read(error, 'errors');
  // AggregateError keeps its errors in a non-enumerable own property.
  if (Array.isArray(errors)) result.errors = convert(errors, depth + 1, path, true);
  return convertProperties(error, result, depth, path, ERROR_FIXED_KEYS);
}

// A Map key as a string: `String(key)`, or a description when that throws
// (a null-prototype object, a Symbol.toPrimitive that throws).
function mapKey(key: unknown): string {
  if (typeof key === 'string') return key;
  try {
    return String(key);
  } catch {
    return typeof key === 'object' && key !== null ? '[object]' : `[${typeof key}]`;
  }
}

// A throwing getter or Proxy trap costs only the one value it guards.
function read(obj: object, key: string | number): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (error) {
    return unserializable(error);
  }
}

function unserializable(error: unknown): string {
  reportOnce('toAnyValue', 'a value could not be converted to an OTel AnyValue', error);
  return `[Unserializable: ${errorMessage(error)}]`;
}

function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return String(error);
  } catch {
    return 'unknown error';
  }
}

function stringOr(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return fallback;
  try {
    // A non-string name or message is rare; '[object Object]' still beats dropping it.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    return String(value);
  } catch {
    return fallback;
  }
}

function functionName(fn: object): string {
  let name: unknown;
  try {
    name = (fn as { name?: unknown }).name;
  } catch {
    name = undefined;
  }
  return `[Function: ${typeof name === 'string' && name !== '' ? name : 'anonymous'}]`;
}
