import { types } from 'node:util';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from '@opentelemetry/semantic-conventions';
import { reportOnce } from '../internal/reportOnce.js';
import { toAnyValue } from './toAnyValue.js';

/** Causes and aggregated errors followed below one error; past this the trace ends with a note. */
const MAX_NESTED = 32;

/**
 * Maps a thrown value onto the stable semantic-convention exception attributes:
 *
 * - `exception.type`: the error's `name`, else its constructor's name; for a
 *   non-Error, the `name` of an error-like object (one with string `name` and
 *   `message`), else `typeof value` (`'null'` for null);
 * - `exception.message`: the error's `message`; a string as is; an object's
 *   string `message`, else one line of JSON of it (as {@link toAnyValue}
 *   converts it: circular references and throwing getters described, never
 *   read raw; JSON, so that the redaction step's `json-secret-field` pattern
 *   reads the members under secret keys);
 * - `exception.stacktrace`: the error's `stack`, followed by each of an
 *   AggregateError's `errors` (`\nAggregated error [i]: <stack>`) and then the
 *   `cause` chain as Java prints it (`\nCaused by: <stack>`), recursively, with
 *   `[Circular]` for an error already on the path and a note after 32 nested
 *   errors. Present only when the value has a stack or a cause / errors to append.
 *
 * Never throws: a getter that throws, or anything else that goes wrong, is
 * reported once through OTel `diag` and yields what could be read.
 */
export function errorToAttributes(error: unknown): Record<string, string> {
  try {
    const type = typeOf(error);
    const attributes: Record<string, string> = {
      [ATTR_EXCEPTION_TYPE]: type,
      [ATTR_EXCEPTION_MESSAGE]: messageOf(error),
    };
    if (hasStackOrNested(error)) {
      attributes[ATTR_EXCEPTION_STACKTRACE] = stackTrace(error, new Set(), {
        remaining: MAX_NESTED,
      });
    }
    return attributes;
  } catch (cause) {
    reportOnce('errorToAttributes', 'an exception could not be described', cause);
    return { [ATTR_EXCEPTION_TYPE]: 'Error', [ATTR_EXCEPTION_MESSAGE]: '[Unserializable]' };
  }
}

function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (isError(value)) {
    const name = read(value, 'name');
    if (typeof name === 'string' && name !== '') return name;
    return constructorName(value) ?? 'Error';
  }
  if (typeof value === 'object' && isErrorLike(value)) return read(value, 'name') as string;
  return typeof value;
}

function isErrorLike(value: object): boolean {
  const name = read(value, 'name');
  return typeof name === 'string' && name !== '' && typeof read(value, 'message') === 'string';
}

function constructorName(value: object): string | undefined {
  const ctor = read(value, 'constructor');
  if (typeof ctor !== 'function') return undefined;
  const name = read(ctor, 'name');
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function messageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const message = read(value, 'message');
    if (typeof message === 'string') return message;
    if (isError(value)) return message === undefined ? '' : describe(message);
  }
  return describe(value);
}

function hasStackOrNested(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return (
    typeof read(value, 'stack') === 'string' ||
    read(value, 'cause') !== undefined ||
    (isError(value) && Array.isArray(read(value, 'errors')))
  );
}

// `path` holds the errors from the root to `value`; `budget` is shared by the
// whole tree so a wide AggregateError or a getter minting a new cause on each
// read cannot make the trace unbounded.
function stackTrace(value: unknown, path: Set<unknown>, budget: { remaining: number }): string {
  if (typeof value !== 'object' || value === null) return describe(value);
  const stack = read(value, 'stack');
  let text =
    typeof stack === 'string'
      ? stack
      : isError(value) || isErrorLike(value)
        ? `${typeOf(value)}: ${messageOf(value)}`
        : describe(value);
  path.add(value);
  const errors = isError(value) ? read(value, 'errors') : undefined;
  if (Array.isArray(errors)) {
    for (let i = 0; i < errors.length; i++) {
      if (budget.remaining <= 0) {
        text += `\n[… ${errors.length - i} further aggregated errors omitted]`;
        break;
      }
      text += `\nAggregated error [${i}]: ${nested(errors[i], path, budget)}`;
    }
  }
  const cause = read(value, 'cause');
  if (cause !== undefined) text += `\nCaused by: ${nested(cause, path, budget)}`;
  path.delete(value);
  return text;
}

function nested(value: unknown, path: Set<unknown>, budget: { remaining: number }): string {
  if (path.has(value)) return '[Circular]';
  if (budget.remaining <= 0) return '[… further nested errors omitted]';
  budget.remaining--;
  return stackTrace(value, path, budget);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    if (typeof value === 'object' && value !== null) {
      // toAnyValue of an object is never undefined, so JSON.stringify gives a string.
      return JSON.stringify(toAnyValue(value));
    }
    if (typeof value === 'function') {
      // String(fn) would be the function's source.
      const name = read(value, 'name');
      return `[Function: ${typeof name === 'string' && name !== '' ? name : 'anonymous'}]`;
    }
    return String(value);
  } catch (error) {
    reportOnce('errorToAttributes', 'an exception could not be described', error);
    return '[Unserializable]';
  }
}

function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (error) {
    reportOnce('errorToAttributes', 'an exception could not be described', error);
    return undefined;
  }
}
