import { diag } from '@opentelemetry/api';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from '@opentelemetry/semantic-conventions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { errorToAttributes } from '../../src/logger/exceptionAttributes.js';
import { recordDiagErrors, type DiagErrorMock } from '../helpers/diag.js';

describe('errorToAttributes', () => {
  let diagError: DiagErrorMock;

  beforeEach(() => {
    resetReportOnce();
    diagError = recordDiagErrors();
  });

  afterEach(() => {
    diag.disable();
  });

  it('uses the stable semconv keys', () => {
    expect(ATTR_EXCEPTION_TYPE).toBe('exception.type');
    expect(ATTR_EXCEPTION_MESSAGE).toBe('exception.message');
    expect(ATTR_EXCEPTION_STACKTRACE).toBe('exception.stacktrace');
  });

  it('maps an Error to type, message and stack', () => {
    const error = new TypeError('bad thing');
    expect(errorToAttributes(error)).toEqual({
      'exception.type': 'TypeError',
      'exception.message': 'bad thing',
      'exception.stacktrace': error.stack,
    });
  });

  it('uses a custom name, else the constructor name', () => {
    class DbError extends Error {
      override name = 'DbError';
    }
    expect(errorToAttributes(new DbError('x'))['exception.type']).toBe('DbError');

    class Nameless extends Error {}
    const nameless = new Nameless('y');
    Object.defineProperty(nameless, 'name', { value: '' });
    expect(errorToAttributes(nameless)['exception.type']).toBe('Nameless');
  });

  it('appends the cause chain as Java does', () => {
    const root = new RangeError('root');
    const middle = new Error('middle', { cause: root });
    const top = new Error('top', { cause: middle });
    const stack = errorToAttributes(top)['exception.stacktrace'];
    expect(stack).toBe(`${top.stack}\nCaused by: ${middle.stack}\nCaused by: ${root.stack}`);
  });

  it('appends non-error causes as text', () => {
    const top = new Error('top', { cause: 'a string cause' });
    expect(errorToAttributes(top)['exception.stacktrace']).toBe(
      `${top.stack}\nCaused by: a string cause`,
    );
    const withObject = new Error('top', { cause: { code: 42 } });
    expect(errorToAttributes(withObject)['exception.stacktrace']).toBe(
      `${withObject.stack}\nCaused by: {"code":42}`,
    );
  });

  it('guards cause cycles', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause: unknown }).cause = b;
    expect(errorToAttributes(a)['exception.stacktrace']).toBe(
      `${a.stack}\nCaused by: ${b.stack}\nCaused by: [Circular]`,
    );
  });

  it('ends an endless cause chain', () => {
    // A getter that builds a new cause on each read defeats cycle detection.
    class Endless {
      name = 'Endless';
      message = 'again';
      get cause(): unknown {
        return new Endless();
      }
    }
    const error = new Error('start', { cause: new Endless() });
    const stack = errorToAttributes(error)['exception.stacktrace']!;
    expect(stack.split('\nCaused by: ')).toHaveLength(34);
    expect(stack.endsWith('[… further nested errors omitted]')).toBe(true);
  });

  it("appends an AggregateError's errors, then its cause", () => {
    const first = new Error('first');
    const second = new Error('second', { cause: new Error('second cause') });
    const aggregate = new AggregateError([first, second, 'third'], 'all failed', {
      cause: new Error('why'),
    });
    const attributes = errorToAttributes(aggregate);
    expect(attributes['exception.type']).toBe('AggregateError');
    expect(attributes['exception.message']).toBe('all failed');
    expect(attributes['exception.stacktrace']).toBe(
      [
        aggregate.stack,
        `Aggregated error [0]: ${first.stack}`,
        `Aggregated error [1]: ${second.stack}`,
        `Caused by: ${(second.cause as Error).stack}`,
        'Aggregated error [2]: third',
        `Caused by: ${(aggregate.cause as Error).stack}`,
      ].join('\n'),
    );
  });

  it('describes non-Error values', () => {
    expect(errorToAttributes('just a string')).toEqual({
      'exception.type': 'string',
      'exception.message': 'just a string',
    });
    expect(errorToAttributes(42)).toEqual({
      'exception.type': 'number',
      'exception.message': '42',
    });
    expect(errorToAttributes(undefined)).toEqual({
      'exception.type': 'undefined',
      'exception.message': 'undefined',
    });
    expect(errorToAttributes(null)).toEqual({
      'exception.type': 'null',
      'exception.message': 'null',
    });
    expect(errorToAttributes({ code: 'E1', detail: 'x' })).toEqual({
      'exception.type': 'object',
      // JSON, which the redaction step's json-secret-field pattern reads.
      'exception.message': '{"code":"E1","detail":"x"}',
    });
    expect(errorToAttributes({ message: 'has a message' })).toEqual({
      'exception.type': 'object',
      'exception.message': 'has a message',
    });
    expect(errorToAttributes(function thrower() {})).toEqual({
      'exception.type': 'function',
      'exception.message': '[Function: thrower]',
    });
  });

  it('treats error-like objects by their name and keeps their stack', () => {
    const errorLike = {
      name: 'RemoteError',
      message: 'from afar',
      stack: 'RemoteError: from afar',
    };
    expect(errorToAttributes(errorLike)).toEqual({
      'exception.type': 'RemoteError',
      'exception.message': 'from afar',
      'exception.stacktrace': 'RemoteError: from afar',
    });
  });

  it('never throws, even on hostile errors', () => {
    const hostile = new Error('hidden');
    // Stack first: replacing V8's lazy stack formats it, which reads the message.
    Object.defineProperty(hostile, 'stack', {
      get() {
        throw new Error('no stack either');
      },
    });
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('no message for you');
      },
    });
    const attributes = errorToAttributes(hostile);
    expect(attributes['exception.type']).toBe('Error');
    expect(attributes['exception.message']).toBe('');
    expect(attributes['exception.stacktrace']).toBeUndefined();

    const proxy = new Proxy(new Error('p'), {
      get() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('proto trap');
      },
    });
    expect(() => errorToAttributes(proxy)).not.toThrow();
    expect(diagError).toHaveBeenCalledTimes(1);
  });
});
