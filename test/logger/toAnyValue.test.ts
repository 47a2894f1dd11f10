import { diag } from '@opentelemetry/api';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { toAnyValue, toAttributes } from '../../src/logger/toAnyValue.js';
import { recordDiagErrors, type DiagErrorMock } from '../helpers/diag.js';

function nest(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
}

describe('toAnyValue', () => {
  let diagError: DiagErrorMock;

  beforeEach(() => {
    resetReportOnce();
    diagError = recordDiagErrors();
  });

  afterEach(() => {
    diag.disable();
  });

  it('keeps strings, booleans and finite numbers', () => {
    expect(toAnyValue('a')).toBe('a');
    expect(toAnyValue('')).toBe('');
    expect(toAnyValue(true)).toBe(true);
    expect(toAnyValue(false)).toBe(false);
    expect(toAnyValue(0)).toBe(0);
    expect(toAnyValue(-1.5)).toBe(-1.5);
    expect(toAnyValue(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('turns non-finite numbers and bigints into strings', () => {
    expect(toAnyValue(NaN)).toBe('NaN');
    expect(toAnyValue(Infinity)).toBe('Infinity');
    expect(toAnyValue(-Infinity)).toBe('-Infinity');
    expect(toAnyValue(12345678901234567890n)).toBe('12345678901234567890');
    expect(toAnyValue(-3n)).toBe('-3');
  });

  it('maps null and undefined to null, and omits undefined keys', () => {
    expect(toAnyValue(null)).toBeNull();
    expect(toAnyValue(undefined)).toBeNull();
    expect(toAnyValue([1, undefined, null])).toEqual([1, null, null]);
    // eslint-disable-next-line no-sparse-arrays
    expect(toAnyValue([1, , 3])).toEqual([1, null, 3]);
    const converted = toAnyValue({ a: undefined, b: null, c: 1 });
    expect(converted).toEqual({ b: null, c: 1 });
    expect(Object.keys(converted as object)).toEqual(['b', 'c']);
  });

  it('converts dates to ISO strings', () => {
    expect(toAnyValue(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe('2024-01-02T03:04:05.006Z');
    expect(toAnyValue(new Date(NaN))).toBe('Invalid Date');
    expect(toAnyValue({ at: new Date(0) })).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('copies Buffer and Uint8Array bytes into a plain Uint8Array', () => {
    const buffer = Buffer.from('hi');
    const converted = toAnyValue(buffer);
    expect(converted).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(converted)).toBe(false);
    expect(Array.from(converted as Uint8Array)).toEqual([104, 105]);
    buffer[0] = 0;
    expect((converted as Uint8Array)[0]).toBe(104);

    const bytes = new Uint8Array([1, 2, 3]);
    const copy = toAnyValue(bytes);
    expect(copy).not.toBe(bytes);
    expect(Array.from(copy as Uint8Array)).toEqual([1, 2, 3]);
  });

  it('turns other typed arrays, DataViews and ArrayBuffers into their bytes', () => {
    const u16 = new Uint16Array([0x0102]);
    const expected = Array.from(new Uint8Array(u16.buffer));
    expect(Array.from(toAnyValue(u16) as Uint8Array)).toEqual(expected);

    const buffer = new ArrayBuffer(4);
    new Uint8Array(buffer).set([9, 8, 7, 6]);
    expect(Array.from(toAnyValue(buffer) as Uint8Array)).toEqual([9, 8, 7, 6]);
    const view = new DataView(buffer, 1, 2);
    expect(Array.from(toAnyValue(view) as Uint8Array)).toEqual([8, 7]);
    const sub = new Int8Array(buffer, 2, 2);
    expect(Array.from(toAnyValue(sub) as Uint8Array)).toEqual([7, 6]);
    expect(toAnyValue(new Float64Array(2))).toBeInstanceOf(Uint8Array);
  });

  it('converts arrays, Sets and Maps recursively', () => {
    expect(toAnyValue([1, 'a', [true, { x: 1n }]])).toEqual([1, 'a', [true, { x: '1' }]]);
    expect(toAnyValue(new Set([1, 'a', undefined]))).toEqual([1, 'a', null]);
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, new Set(['x'])],
      [true, undefined],
      [{}, 'obj'],
    ]);
    expect(toAnyValue(map)).toEqual({ a: 1, '2': ['x'], '[object Object]': 'obj' });
  });

  it('turns plain objects and class instances into maps of own enumerable string keys', () => {
    class Point {
      hidden = 0;
      constructor(
        public x: number,
        public y: number,
      ) {}
      get sum(): number {
        return this.x + this.y;
      }
    }
    const point = new Point(1, 2);
    Object.defineProperty(point, 'hidden', { enumerable: false });
    (point as unknown as Record<symbol, number>)[Symbol('s')] = 3;
    expect(toAnyValue(point)).toEqual({ x: 1, y: 2 });

    const inherited = Object.create({ inheritedKey: 1 }) as Record<string, unknown>;
    inherited.own = 2;
    expect(toAnyValue(inherited)).toEqual({ own: 2 });

    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 'v';
    expect(toAnyValue(bare)).toEqual({ k: 'v' });
  });

  it('keeps a __proto__ key as data', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
    const converted = toAnyValue(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(converted)).toBe(Object.prototype);
    expect(Object.hasOwn(converted, '__proto__')).toBe(true);
    expect(converted.a).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('uses toJSON once, as JSON.stringify does', () => {
    expect(toAnyValue({ toJSON: () => 'custom' })).toBe('custom');
    expect(toAnyValue(new URL('https://example.com/a?b=1'))).toBe('https://example.com/a?b=1');
    class Money {
      constructor(readonly cents: number) {}
      toJSON(): unknown {
        return { amount: this.cents / 100, currency: 'EUR' };
      }
    }
    expect(toAnyValue({ price: new Money(250) })).toEqual({
      price: { amount: 2.5, currency: 'EUR' },
    });
    class Self {
      a = 1;
      toJSON(): unknown {
        return this;
      }
    }
    expect(toAnyValue(new Self())).toEqual({ a: 1 });
    class Endless {
      toJSON(): unknown {
        return new Endless();
      }
    }
    expect(toAnyValue(new Endless())).toEqual({});
  });

  it('converts errors with type, message, stack, cause and own props', () => {
    const cause = new TypeError('inner');
    const error = Object.assign(new Error('outer', { cause }), { code: 'E_OUTER', status: 500 });
    const converted = toAnyValue(error) as Record<string, unknown>;
    expect(converted).toEqual({
      type: 'Error',
      message: 'outer',
      stacktrace: error.stack,
      cause: { type: 'TypeError', message: 'inner', stacktrace: cause.stack },
      code: 'E_OUTER',
      status: 500,
    });
    expect(Object.keys(converted)).toEqual([
      'type',
      'message',
      'stacktrace',
      'cause',
      'code',
      'status',
    ]);
  });

  it('uses a custom error name and keeps non-error causes and aggregated errors', () => {
    class ValidationError extends Error {
      constructor(message: string) {
        super(message, { cause: 'bad input' });
        this.name = 'ValidationError';
      }
    }
    const converted = toAnyValue(new ValidationError('nope')) as Record<string, unknown>;
    expect(converted.type).toBe('ValidationError');
    expect(converted.cause).toBe('bad input');
    expect(Object.hasOwn(converted, 'name')).toBe(false);

    const aggregate = new AggregateError([new Error('a'), 'b'], 'many');
    const agg = toAnyValue(aggregate) as Record<string, unknown>;
    expect(agg.type).toBe('AggregateError');
    expect(agg.errors).toEqual([expect.objectContaining({ type: 'Error', message: 'a' }), 'b']);
  });

  it('describes symbols and functions', () => {
    expect(toAnyValue(Symbol('x'))).toBe('Symbol(x)');
    expect(toAnyValue(Symbol())).toBe('Symbol()');
    function named(): void {}
    expect(toAnyValue(named)).toBe('[Function: named]');
    expect(toAnyValue({ f: () => 1 })).toEqual({ f: '[Function: f]' });
    expect(toAnyValue([() => 1])).toEqual(['[Function: anonymous]']);
    class Klass {}
    expect(toAnyValue(Klass)).toBe('[Function: Klass]');
  });

  it('marks circular references but converts shared references each time', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(toAnyValue(a)).toEqual({ name: 'a', self: '[Circular]' });

    const list: unknown[] = [1];
    list.push({ back: list });
    expect(toAnyValue(list)).toEqual([1, { back: '[Circular]' }]);

    const shared = { s: 1 };
    const converted = toAnyValue({ x: shared, y: shared, z: [shared] }) as Record<string, unknown>;
    expect(converted).toEqual({ x: { s: 1 }, y: { s: 1 }, z: [{ s: 1 }] });
    expect(converted.x).not.toBe(converted.y);

    const error = new Error('loop');
    (error as Error & { cause: unknown }).cause = error;
    expect((toAnyValue(error) as Record<string, unknown>).cause).toBe('[Circular]');

    const map = new Map<string, unknown>();
    map.set('me', map);
    expect(toAnyValue(map)).toEqual({ me: '[Circular]' });
  });

  it('cuts containers deeper than 10 levels', () => {
    // Levels 0–9 are kept; the container at level 10 is replaced.
    expect(toAnyValue(nest(10, 'leaf'))).toEqual(nest(10, 'leaf'));
    expect(toAnyValue(nest(11, 'leaf'))).toEqual(nest(10, '[Object]'));
    expect(toAnyValue(nest(10, [1]))).toEqual(nest(10, '[Array]'));
    expect(toAnyValue(nest(12, 'leaf'))).toEqual(nest(10, '[Object]'));
    // Scalars like dates stay converted at any depth.
    expect(toAnyValue(nest(10, new Date(0)))).toEqual(nest(10, '1970-01-01T00:00:00.000Z'));
  });

  it('replaces values whose getter, trap or toJSON throws, and reports once', () => {
    const getter = {
      ok: 1,
      get bad(): never {
        throw new Error('getter boom');
      },
    };
    expect(toAnyValue(getter)).toEqual({ ok: 1, bad: '[Unserializable: getter boom]' });

    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap boom');
        },
      },
    );
    expect(toAnyValue({ p: proxy })).toEqual({ p: '[Unserializable: trap boom]' });

    expect(
      toAnyValue({
        j: {
          toJSON() {
            throw new Error('toJSON boom');
          },
        },
      }),
    ).toEqual({ j: '[Unserializable: toJSON boom]' });

    const throwsString = {
      toJSON() {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw 'plain';
      },
    };
    expect(toAnyValue(throwsString)).toBe('[Unserializable: plain]');

    expect(diagError).toHaveBeenCalledTimes(1);
  });

  it('survives a fully hostile Proxy', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no proto');
        },
      },
    );
    expect(toAnyValue(hostile)).toBe('[Unserializable: no proto]');
    expect(toAnyValue([hostile])).toEqual(['[Unserializable: no proto]']);
  });

  it('converts boxed primitives and regular expressions to their values', () => {
    expect(toAnyValue(new String('s'))).toBe('s');
    expect(toAnyValue(new Number(2))).toBe(2);
    expect(toAnyValue(/a+b/gi)).toBe('/a+b/gi');
  });

  it('returns a fresh object for a flat object of primitives', () => {
    const input = { a: 1, b: 'two', c: true, d: null };
    const converted = toAnyValue(input);
    expect(converted).toEqual(input);
    expect(converted).not.toBe(input);
  });
});

describe('toAttributes', () => {
  it('converts each value and omits undefined ones', () => {
    expect(
      toAttributes({
        s: 'x',
        n: NaN,
        b: 10n,
        u: undefined,
        d: new Date(0),
        nested: { deep: [1, undefined] },
      }),
    ).toEqual({
      s: 'x',
      n: 'NaN',
      b: '10',
      d: '1970-01-01T00:00:00.000Z',
      nested: { deep: [1, null] },
    });
  });

  it('counts the record as the first level and detects references back to it', () => {
    const record: Record<string, unknown> = { a: 1 };
    record.me = record;
    expect(toAttributes(record)).toEqual({ a: 1, me: '[Circular]' });
    expect(toAttributes({ n: nest(9, 'leaf') })).toEqual({ n: nest(9, 'leaf') });
    expect(toAttributes({ n: nest(10, 'leaf') })).toEqual({ n: nest(9, '[Object]') });
  });

  it('never throws on non-object input', () => {
    expect(toAttributes(null as unknown as Record<string, unknown>)).toEqual({});
    expect(toAttributes(undefined as unknown as Record<string, unknown>)).toEqual({});
  });

  it('produces attributes the Logs SDK accepts unchanged', () => {
    const exported: ReadableLogRecord[] = [];
    const exporter: LogRecordExporter = {
      export(logs, callback) {
        exported.push(...logs);
        callback({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    };
    const provider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { c: 1 };
    cyclic.self = cyclic;
    const attributes = toAttributes({
      shared1: shared,
      shared2: shared,
      list: [shared, shared],
      bytes: Buffer.from('ab'),
      error: new Error('e', { cause: new Error('c') }),
      instance: new (class Thing {
        x = 1;
      })(),
      cyclic,
      map: new Map([['k', shared]]),
    });
    provider.getLogger('test').emit({ body: toAnyValue({ shared, again: shared }), attributes });
    expect(exported).toHaveLength(1);
    expect(exported[0]!.attributes).toEqual(attributes);
    expect(exported[0]!.body).toEqual({ shared: { s: 1 }, again: { s: 1 } });
    expect(exported[0]!.droppedAttributesCount).toBe(0);
  });
});
