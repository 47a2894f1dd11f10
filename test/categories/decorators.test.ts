import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CATEGORY_EVENTS, logged, timed } from '../../src/categories/index.js';
import { useOtlpReceiver } from '../helpers/useOtlpReceiver.js';
import { expectMeasureRecord, flush, metric, point, recordsOf } from './support.js';

const otlp = useOtlpReceiver({ serviceName: 'categories-it' });

/**
 * Vitest 4 transforms TypeScript with Oxc, which does not lower TC39 standard
 * decorators, so the decorated class is compiled here with the TypeScript
 * compiler itself (TS 5.9, `experimentalDecorators` off), as a user's build
 * would, and given the real `logged` and `timed`.
 */
function compileDecorated<T>(source: string, decorators: Record<string, unknown>): T {
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      experimentalDecorators: false,
    },
    reportDiagnostics: true,
  });
  expect(diagnostics ?? []).toEqual([]);
  const exports: Record<string, unknown> = {};
  const names = Object.keys(decorators);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('exports', ...names, outputText)(exports, ...names.map((n) => decorators[n]));
  return exports.Service as T;
}

interface Service {
  add(a: number, b: number): number;
  load(id: string): Promise<string>;
  fail(): void;
  failAsync(): Promise<void>;
  crunch(): number;
  fetchAll(): Promise<number>;
}

const SERVICE_SOURCE = `
export class Service {
  @logged() add(a: number, b: number) { return a + b; }
  @logged({ level: 'info', category: 'user', logArguments: true, logResult: true })
  async load(id: string) { await new Promise((r) => setTimeout(r, 5)); return 'item ' + id; }
  @logged() fail() { throw new TypeError('sync failure'); }
  @logged() async failAsync() { await Promise.resolve(); throw new RangeError('async failure'); }
  @timed() crunch() { let s = 0; for (let i = 0; i < 1000; i++) s += i; return s; }
  @timed('service.fetch_all') async fetchAll() { await new Promise((r) => setTimeout(r, 10)); return 7; }
}
`;

describe('decorators', () => {
  const ServiceClass = compileDecorated<new () => Service>(SERVICE_SOURCE, { logged, timed });

  it('should run methods unchanged when nothing is registered', async () => {
    const service = new ServiceClass();
    expect(service.add(1, 2)).toBe(3);
    await expect(service.load('a')).resolves.toBe('item a');
    expect(() => service.fail()).toThrow('sync failure');
    expect(service.crunch()).toBe(499500);
    await expect(service.fetchAll()).resolves.toBe(7);
  });

  it('@logged should record call, return and throw for sync and async methods', async () => {
    otlp.register({ level: 'debug' });
    const service = new ServiceClass();
    expect(service.add(2, 3)).toBe(5);
    await expect(service.load('42')).resolves.toBe('item 42');
    expect(() => service.fail()).toThrow(TypeError);
    await expect(service.failAsync()).rejects.toThrow('async failure');
    await flush(otlp.handle!, otlp.receiver, { records: 8 });

    const of = (fn: string) =>
      otlp.receiver.logs
        .filter((r) => r.attributes['code.function.name'] === `Service.${fn}`)
        .map((r) => [r.eventName, r.severityText]);
    expect(of('add')).toEqual([
      ['logkit.method.call', 'DEBUG'],
      ['logkit.method.return', 'DEBUG'],
    ]);
    expect(of('load')).toEqual([
      ['logkit.method.call', 'INFO'],
      ['logkit.method.return', 'INFO'],
    ]);
    expect(of('fail')).toEqual([
      ['logkit.method.call', 'DEBUG'],
      ['logkit.method.error', 'ERROR'],
    ]);
    expect(of('failAsync')).toEqual([
      ['logkit.method.call', 'DEBUG'],
      ['logkit.method.error', 'ERROR'],
    ]);
    const loadRecords = otlp.receiver.logs.filter(
      (r) => r.attributes['code.function.name'] === 'Service.load',
    );
    expect(loadRecords[0]!.attributes).toMatchObject({
      'logkit.category': 'user',
      'logkit.method.arguments': '["42"]',
    });
    expect(loadRecords[1]!.attributes).toMatchObject({ 'logkit.method.result': 'item 42' });
    expect(loadRecords[1]!.attributes.duration_ms).toBeGreaterThanOrEqual(3);
    const asyncError = otlp.receiver.logs.find(
      (r) =>
        r.eventName === 'logkit.method.error' &&
        r.attributes['code.function.name'] === 'Service.failAsync',
    )!;
    expect(asyncError.attributes).toMatchObject({
      'exception.type': 'RangeError',
      'exception.message': 'async failure',
    });
  });

  it('@timed should measure sync and async methods like performance.measure', async () => {
    otlp.register();
    const service = new ServiceClass();
    expect(service.crunch()).toBe(499500);
    await expect(service.fetchAll()).resolves.toBe(7);
    await flush(otlp.handle!, otlp.receiver, { records: 2, metrics: true, spans: 2 });

    const records = recordsOf(otlp.receiver, CATEGORY_EVENTS.performanceMeasure);
    expectMeasureRecord(
      records.find((r) => r.attributes['logkit.operation.name'] === 'Service.crunch'),
      'Service.crunch',
    );
    expectMeasureRecord(
      records.find((r) => r.attributes['logkit.operation.name'] === 'service.fetch_all'),
      'service.fetch_all',
    );
    expect(otlp.receiver.spans.map((s) => s.name).sort()).toEqual([
      'Service.crunch',
      'service.fetch_all',
    ]);
    const m = metric(otlp.receiver, 'logkit.operation.duration');
    expect(point(m, { 'logkit.operation.name': 'service.fetch_all' })!.sum).toBeGreaterThanOrEqual(
      0.008,
    );
  });

  it('should also apply when called as plain functions with a decorator context', () => {
    // What TypeScript emits, without the syntax: the decorator returns the replacement.
    const add = function (this: unknown, a: number, b: number) {
      return a + b;
    };
    const replaced = timed()(add, {
      kind: 'method',
      name: 'add',
      static: false,
      private: false,
      access: { has: () => true, get: () => add },
      metadata: {},
      addInitializer: () => {},
    } as unknown as ClassMethodDecoratorContext<unknown, typeof add>);
    expect(replaced.call({}, 2, 2)).toBe(4);
  });
});
