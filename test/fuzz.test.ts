import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { diag, logs } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createCategoryHelpers,
  createHttpInstrumentation,
  withContext,
  type LoggingHandle,
} from '../src/index.js';
import {
  captureConsole,
  pinoDestination,
  winstonTransport,
} from '../src/instrumentation/bridges/index.js';
import { useCaptureLogs } from './helpers/useCaptureLogs.js';

/**
 * Hostile input at every public entry point: nothing throws into the app,
 * and every record that is emitted arrives at the exporter or is counted as
 * dropped (received === delivered + dropped).
 */

function throwingGetter(): Record<string, unknown> {
  const value: Record<string, unknown> = { ok: 1 };
  Object.defineProperty(value, 'boom', {
    enumerable: true,
    get() {
      throw new Error('getter says no');
    },
  });
  return value;
}

function cyclic(): Record<string, unknown> {
  const a: Record<string, unknown> = { name: 'a', list: [] };
  (a.list as unknown[]).push(a, { back: a });
  a.self = a;
  return a;
}

function deep(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { next: value } : [value];
  return value;
}

function throwingProxy(): unknown {
  return new Proxy(
    {},
    {
      get() {
        throw new Error('proxy get');
      },
      ownKeys() {
        throw new Error('proxy ownKeys');
      },
      getPrototypeOf() {
        throw new Error('proxy getPrototypeOf');
      },
      has() {
        throw new Error('proxy has');
      },
      getOwnPropertyDescriptor() {
        throw new Error('proxy descriptor');
      },
    },
  );
}

function revokedProxy(): unknown {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function symbolKeyed(): Record<string | symbol, unknown> {
  return { [Symbol('secret')]: 'hidden', [Symbol.iterator]: 1, plain: 'x' };
}

const hostileThrowingToJSON = {
  toJSON() {
    throw new Error('toJSON says no');
  },
};

const hostileToString = {
  toString() {
    throw new Error('toString says no');
  },
  [Symbol.toPrimitive]() {
    throw new Error('toPrimitive says no');
  },
};

const special: fc.Arbitrary<() => unknown> = fc.constantFrom<() => unknown>(
  throwingGetter,
  cyclic,
  () => deep(200),
  () => deep(5_000),
  throwingProxy,
  revokedProxy,
  symbolKeyed,
  () => hostileThrowingToJSON,
  () => hostileToString,
  () => 'x'.repeat(300_000),
  () => '\uD800 lone high and lone low \uDC00',
  () => new Uint8Array([1, 2, 3]),
  () => new Float64Array([1.5, Number.NaN]),
  () => new BigInt64Array([1n]),
  () => new DataView(new ArrayBuffer(4)),
  () => Object.create(null) as unknown,
  () => JSON.parse('{"__proto__":{"x":1},"constructor":{"prototype":{"y":2}}}') as unknown,
  () => new Error('with cause', { cause: cyclic() }),
  () =>
    Object.defineProperty(new Error('hostile error'), 'stack', {
      get(): string {
        throw new Error('stack');
      },
    }),
  () => new AggregateError([new Error('a'), throwingProxy()], 'agg'),
  () => Symbol('sym'),
  () => 10n ** 30n,
  () => () => 'a function',
  () => new Map<unknown, unknown>([[cyclic(), throwingGetter()]]),
  () => new Set([throwingProxy()]),
  () => new Date(Number.NaN),
  () => Promise.resolve(1),
  () => new WeakMap(),
);

/**
 * A hostile value, as a function making it: fast-check inspects the values
 * it generates (for a clone method), which a throwing Proxy would not survive.
 */
type Make = () => unknown;

const hostile: fc.Arbitrary<Make> = fc.oneof(
  special,
  fc
    .anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    })
    .map(
      (v): Make =>
        () =>
          v,
    ),
  fc.string({ unit: 'binary', maxLength: 200 }).map(
    (v): Make =>
      () =>
        v,
  ),
);

const hostileRecord: fc.Arbitrary<Make> = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.string(),
          fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'toString'),
        ),
        hostile,
      ),
      { maxLength: 4 },
    )
    .map((entries): Make => () => {
      const out: Record<string, unknown> = {};
      for (const [key, make] of entries) {
        Object.defineProperty(out, key, {
          value: make(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }),
  special,
);

const capture = useCaptureLogs({ serviceName: 'fuzz' });
const { register } = capture;

/** Every record received was delivered or counted as dropped. */
async function expectAccounted(h: LoggingHandle, atLeast: number): Promise<void> {
  await h.forceFlush();
  const { received, dropped } = h.stats();
  const droppedTotal = Object.values(dropped).reduce((a, b) => a + b, 0);
  expect(received).toBeGreaterThanOrEqual(atLeast);
  expect((await capture.records()).length + droppedTotal).toBe(received);
}

beforeAll(() => {
  // Problems are reported through diag, once each; keep the run quiet.
  diag.disable();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fuzz: the logger', () => {
  it('never throws and accounts for every record, whatever the message, attributes or error', async () => {
    const h = register();
    const log = h.getLogger('fuzz');
    let calls = 0;
    fc.assert(
      fc.property(hostile, hostileRecord, hostile, (makeMessage, makeAttributes, makeError) => {
        const message = makeMessage();
        const attributes = makeAttributes() as Record<string, unknown>;
        const error = makeError();
        expect(() => {
          log.info(message as string, attributes);
          log.error(message as string, error, attributes);
          log.warn(error as Error, attributes);
          log.debug(() => message as string);
          log.emit({ body: message, attributes: attributes, severityNumber: 9 });
          logs.getLogger('plain').emit({ body: message, attributes: attributes });
          log.child(attributes).info('child');
          withContext(attributes, () => log.info('in context'));
        }).not.toThrow();
        calls += 7; // debug is below the default level
      }),
      { numRuns: 150 },
    );
    await expectAccounted(h, calls);
  });
});

describe('fuzz: the category helpers', () => {
  it('never throw and account for every record', async () => {
    const h = register();
    const helpers = createCategoryHelpers(h);
    fc.assert(
      fc.property(hostile, hostile, hostileRecord, (makeA, makeB, makeDetails) => {
        const a = makeA();
        const b = makeB();
        const details = makeDetails() as Record<string, unknown>;
        expect(() => {
          helpers.tool.execution({
            name: a as string,
            parameters: a,
            result: b,
            success: b as boolean,
            durationMs: a as number,
            error: b,
          });
          helpers.user.interaction({
            input: a as string,
            response: b,
            success: true,
            durationMs: 1,
            toolCalls: [a as string],
            error: a,
          });
          helpers.llm.call({
            provider: a as string,
            model: b as string,
            inputTokens: a as number,
            outputTokens: b as number,
            durationMs: 1,
            success: false,
            error: a,
          });
          helpers.system.error(a as string, b, details);
          helpers.system.configChange(a as string, details);
          helpers.system.warning(a as string, b as string, details);
          helpers.security.event({
            type: a as string,
            allowed: b as boolean,
            reason: a as string,
            user: b as string,
          });
          helpers.performance.measure(a as string, () => b, details);
        }).not.toThrow();
      }),
      { numRuns: 100 },
    );
    await expectAccounted(h, 100);
  });
});

describe('fuzz: the bridges', () => {
  it('never throw and account for every record', async () => {
    const h = register();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const restore = captureConsole(h, { passThrough: false });
    const pino = pinoDestination(h);
    const transport = winstonTransport(h) as unknown as {
      log(info: unknown, callback: () => void): void;
    };
    let count = 0;
    try {
      fc.assert(
        fc.property(
          hostile,
          hostile,
          fc.string({ unit: 'binary', maxLength: 300 }),
          (a, b, line) => {
            expect(() => {
              console.log(a, b);
              console.error('%s %o %j %d', a, b, a, b);
              pino.write(`${line}\n`);
              pino.write(`{"level":30,"msg":${JSON.stringify(line)},"x":{"__proto__":{"a":1}}}\n`);
              transport.log(a, () => {});
              transport.log({ level: 'info', message: a, meta: b }, () => {});
            }).not.toThrow();
            count += 4;
          },
        ),
        { numRuns: 100 },
      );
    } finally {
      restore();
    }
    await expectAccounted(h, count);
  });
});

describe('fuzz: the HTTP middleware', () => {
  let server: Server;
  let port: number;
  let handlerErrors = 0;

  beforeAll(async () => {
    const h = register();
    const http = createHttpInstrumentation(h as LoggingHandle<string>, {
      captureHeaders: ['authorization', 'x-anything', 'cookie'],
    });
    server = createServer(
      http.wrap((req, res) => {
        if ((req.url ?? '').includes('throw')) {
          handlerErrors++;
          throw new Error(`handler ${req.url}`);
        }
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Sends raw bytes and resolves with the status line (or '' when the server closed). */
  function raw(request: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString('latin1');
      });
      socket.on('error', () => resolve(data.split('\r\n')[0] ?? ''));
      socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
      socket.end(Buffer.from(request, 'latin1'));
    });
  }

  const pathChars = fc.string({
    unit: fc.constantFrom(...'abc/?&=#%:@!$\'()*+,;[]~-._0123456789 \u0080\u00ff\\"<>^`{|}'),
    maxLength: 120,
  });
  const headerValue = fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)),
    maxLength: 200,
  });

  it('keeps serving hostile request targets and headers, and logs every request it answers', async () => {
    const before = capture.handle!.stats().received;
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(
        pathChars,
        headerValue,
        headerValue,
        fc.constantFrom('GET', 'POST', 'PROPFIND', 'get', 'M-SEARCH'),
        fc.boolean(),
        async (target, header, cookie, method, fail) => {
          const line = `${method} /${fail ? 'throw/' : ''}${target} HTTP/1.1\r\n`;
          const status = await raw(
            `${line}Host: x\r\nAuthorization: Bearer ${header}\r\nX-Anything: ${header}\r\n` +
              `Cookie: ${cookie}\r\nConnection: close\r\n\r\n`,
          );
          // Node's parser answers 400 for what it cannot parse, without our code.
          if (status.startsWith('HTTP/1.1 2') || status.startsWith('HTTP/1.1 5')) answered++;
        },
      ),
      { numRuns: 60 },
    );
    // A long target and many headers.
    const long = await raw(
      `GET /${'a'.repeat(60_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    if (long.startsWith('HTTP/1.1 2')) answered++;
    // The server still answers.
    expect(await raw('GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(
      'HTTP/1.1 200 OK',
    );
    answered++;
    await capture.handle!.forceFlush();
    // One access record per answered request, plus one error record per throwing handler.
    expect(capture.handle!.stats().received - before).toBeGreaterThanOrEqual(answered);
    await expectAccounted(capture.handle!, answered + handlerErrors);
  });
});

describe('fuzz: the CLI', () => {
  const BIN = path.resolve(import.meta.dirname, '../dist/cli/main.js');
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'logkit-fuzz-cli-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers hostile arguments and files with a usage error or a result, never a crash', () => {
    const word = fc.oneof(
      fc.constantFrom(
        'view',
        'stats',
        'verify',
        '--level',
        '--since',
        '--until',
        '--grep',
        '--json',
        '--follow',
        '--category',
        '--trace',
        '--limit',
        '-n',
        '--key-file',
        '--',
        '-',
      ),
      fc.string({ maxLength: 30 }).filter((s) => !s.includes('\u0000')),
    );
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 6 }),
        fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { maxLength: 5 }),
        (args, lines) => {
          const file = path.join(dir, 'input.jsonl');
          writeFileSync(file, `${lines.join('\n')}\n`);
          const withFile = args.some((a) => a === 'view' || a === 'stats' || a === 'verify')
            ? [...args, file].filter((a) => a !== '--follow')
            : args.filter((a) => a !== '--follow');
          const result = spawnSync(process.execPath, [BIN, ...withFile], {
            encoding: 'utf8',
            timeout: 20_000,
            input: '',
          });
          expect(result.error, `otel-logkit ${withFile.join(' ')}`).toBeUndefined();
          expect(
            [0, 1, 2],
            `exit of otel-logkit ${JSON.stringify(withFile)}: ${result.stderr}`,
          ).toContain(result.status);
          expect(result.stderr).not.toContain('unexpected error');
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
