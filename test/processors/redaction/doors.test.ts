import { readdirSync, readFileSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SpanStatusCode, context, logs, metrics, propagation, trace } from '@opentelemetry/api';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import winston from 'winston';
import {
  createCategoryHelpers,
  createHttpInstrumentation,
  withContext,
  type LoggingHandle,
} from '../../../src/index.js';
import {
  captureConsole,
  pinoDestination,
  winstonTransport,
} from '../../../src/instrumentation/bridges/index.js';
import { useOtlpReceiver } from '../../helpers/useOtlpReceiver.js';
import { SAMPLE_JWT } from './helpers.js';

/**
 * The door table: a secret of each shape through every way a value reaches
 * otel-logkit, and every output checked for it. A secret "leaks" when any
 * {@link WINDOW} consecutive characters of it (its prefix cut in half by a
 * truncation, the words after a space a pattern stopped at) appear in any
 * output; the record that carried it must still arrive.
 */

/** Shorter runs (4 hex digits of a card) turn up by chance in trace ids and timestamps. */
const WINDOW = 8;

interface Secret {
  readonly name: string;
  /** What must not leak. */
  readonly value: string;
  /** How it appears in free text so that the default rules can know it for a secret. */
  readonly text: string;
  /** How it appears in structured data: under a secret key, or a pattern's shape under any key. */
  readonly fields: Record<string, string>;
}

const shaped = (name: string, value: string, text = value): Secret => ({
  name,
  value,
  text,
  fields: { note: text },
});

const SECRETS: Secret[] = [
  // A password of words is known by its key alone: it travels under a
  // secret key, or as a JSON member in text…
  {
    name: 'password',
    value: 'correct horse battery staple',
    text: '{"password":"correct horse battery staple"}',
    fields: { password: 'correct horse battery staple' },
  },
  // …or quoted after a secret-named key, as util.inspect prints an object
  // (console.log) and env files and shells write it.
  {
    name: 'password (util.inspect text)',
    value: 'purple monkey dishwasher',
    text: "{ user: 'bob', dbPassword: 'purple monkey dishwasher' }",
    fields: { dbPassword: 'purple monkey dishwasher' },
  },
  {
    name: 'password (env text)',
    value: 'tangerine kite lantern',
    text: 'DB_PASSWORD="tangerine kite lantern" ./migrate',
    fields: { DB_PASSWORD: 'tangerine kite lantern' },
  },
  shaped('jwt', SAMPLE_JWT),
  shaped('bearer', 'mF_9.B5f-4.1JqM.9xZq', 'Authorization: Bearer mF_9.B5f-4.1JqM.9xZq'),
  shaped('aws-access-key-id', 'AKIAQ3EGRTY7ZLMN4PQ2'),
  shaped('github-token', 'ghp_Qx7Lm2Np9Rs4Tv6Wy8Za1Bc3De5Fg0Hj2Kl4'),
  // Not the usual 4111 1111 1111 1111: its run of eight 1s turns up by
  // chance in doubles of the runtime metrics (0.0152805831111111…), which
  // the leak check took for the secret (a rare false failure).
  shaped('card-number', '4539578763621486'),
  shaped('us-ssn', '219-09-9999'),
  shaped('google-api-key', 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'),
  shaped('gitlab-token', 'glpat-x1yZ2ab3Cd4Ef5Gh6Ij7'),
  shaped('anthropic-key', `sk-ant-api03-${'Ab3_dE-f6hIj9kLmN0pQ'.repeat(4)}x1y2z3w4v5u6t7s8AA`),
  shaped('url-credentials', 'Pg9sw0rdInUrl77', 'postgres://admin:Pg9sw0rdInUrl77@db:5432/app'),
];

/** The first run of WINDOW characters of `value` found in `output`, or undefined. */
function leak(output: string, value: string): string | undefined {
  const size = Math.min(WINDOW, value.length);
  for (let i = 0; i + size <= value.length; i++) {
    const run = value.slice(i, i + size);
    if (output.includes(run) || output.includes(JSON.stringify(run).slice(1, -1))) return run;
  }
  return undefined;
}

/** Whether `text` holds the id (`door-1`, not as the start of `door-12`). */
function has(text: string, id: string): boolean {
  return new RegExp(`${id}(?![0-9])`).test(text);
}

const otlp = useOtlpReceiver({ serviceName: 'doors-test' });
let logDir: string;
let consoleOut: string[] = [];
let server: Server | undefined;

beforeAll(() => {
  logDir = mkdtempSync(path.join(os.tmpdir(), 'logkit-doors-'));
});

afterAll(() => {
  rmSync(logDir, { recursive: true, force: true });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
  server = undefined;
});

/** Every file under `dir`, decompressed, as one text. */
function filesText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) {
      out += filesText(file);
      continue;
    }
    const raw = readFileSync(file);
    out += name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    out += '\n';
  }
  return out;
}

type Door = (
  s: Secret,
  id: string,
  ctx: {
    handle: LoggingHandle;
    helpers: ReturnType<typeof createCategoryHelpers>;
    pinoLog: pino.Logger;
    winstonLog: winston.Logger;
    base: string;
  },
) => void | Promise<void>;

/** Circular, and with a getter that throws: must be described, never inspected. */
function hostile(fields: Record<string, string>): Record<string, unknown> {
  const value: Record<string, unknown> = { ...fields };
  value.self = value;
  Object.defineProperty(value, 'trap', {
    enumerable: true,
    get() {
      throw new Error('no');
    },
  });
  return value;
}

/** A secret that straddles the helpers' 500-character summary cut. */
function straddling(fields: Record<string, string>): Record<string, unknown> {
  const [key, value] = Object.entries(fields)[0]!;
  // `{"filler":"…","<key>":"<value>"}`: the value starts 10 characters before the cut at 500.
  const filler = 'x'.repeat(490 - 18 - key.length);
  return { filler, [key]: value };
}

function get(base: string, target: string, headers: Record<string, string>): Promise<void> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: target, method: 'GET', headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// Each door emits records carrying `door.id` (or, where only text travels, the id in the text).
const DOORS: [string, Door][] = [
  ['logger message', (s, id, { handle }) => handle.getLogger('doors').info(`${id} ${s.text}`)],
  [
    'logger attributes',
    (s, id, { handle }) => handle.getLogger('doors').info('attrs', { ...s.fields, 'door.id': id }),
  ],
  [
    'nested attributes and lazy values',
    (s, id, { handle }) =>
      handle.getLogger('doors').info('nested', {
        deep: { list: [s.fields, { more: () => s.fields }] },
        'door.id': id,
      }),
  ],
  [
    'child attributes',
    (s, id, { handle }) =>
      handle.getLogger('doors').child(s.fields).info('child', { 'door.id': id }),
  ],
  [
    'withContext attributes',
    (s, id, { handle }) =>
      withContext(s.fields, () => handle.getLogger('doors').info('ctx', { 'door.id': id })),
  ],
  [
    'baggage',
    (s, id, { handle }) => {
      let bag = propagation.createBaggage();
      for (const [k, v] of Object.entries(s.fields)) bag = bag.setEntry(k, { value: v });
      context.with(propagation.setBaggage(context.active(), bag), () =>
        handle.getLogger('doors').info('baggage', { 'door.id': id }),
      );
    },
  ],
  [
    'logger.emit with a map body',
    (s, id, { handle }) =>
      handle
        .getLogger('doors')
        .emit({ body: { ...s.fields, text: s.text }, attributes: { 'door.id': id } }),
  ],
  [
    'plain Logs API emit',
    (s, id) =>
      logs.getLogger('plain').emit({ body: s.text, attributes: { ...s.fields, 'door.id': id } }),
  ],
  [
    // Event name, severity text and category also become log.record.count's
    // metric attributes (counted as the record enters, before any step).
    'plain Logs API emit: event name, severity text, category',
    (s, id) => {
      const plain = logs.getLogger('plain');
      plain.emit({ eventName: s.text, body: 'event', attributes: { 'door.id': id } });
      plain.emit({
        severityText: s.text,
        severityNumber: 9,
        body: 'level',
        attributes: { 'door.id': id },
      });
      plain.emit({ body: 'category', attributes: { 'logkit.category': s.text, 'door.id': id } });
    },
  ],
  [
    // The InstrumentationScope a plain Logs API caller names: OTLP and the
    // files carry it for every record of that logger.
    'plain Logs API logger scope: name, version, attributes',
    (s, id) =>
      logs
        .getLogger(`scope ${s.text}`, s.text, { attributes: s.fields })
        .emit({ body: 'scoped', attributes: { 'door.id': id } }),
  ],
  [
    // The same through an otel-logkit logger, whose level methods build
    // their records themselves (the direct emit path).
    'otel-logkit logger scope: name and version',
    (s, id, { handle }) =>
      handle.getLogger(`scope ${s.text}`, { version: s.text }).info('scoped', { 'door.id': id }),
  ],
  [
    'Error message',
    (s, id, { handle }) =>
      handle.getLogger('doors').error('failed', new Error(`boom ${s.text}`), { 'door.id': id }),
  ],
  [
    'Error cause and thrown objects',
    (s, id, { handle }) => {
      const inner = new Error(`inner ${s.text}`);
      const outer = new Error('outer', { cause: inner });
      handle.getLogger('doors').error('failed', outer, { 'door.id': id });
      handle.getLogger('doors').error('thrown object', s.fields, { 'door.id': id });
      handle
        .getLogger('doors')
        .error('object cause', new Error('outer', { cause: s.fields }), { 'door.id': id });
    },
  ],
  [
    'tool.execution (straddling the summary cut, circular, throwing getter)',
    (s, id, { helpers }) =>
      withContext({ 'door.id': id }, () => {
        helpers.tool.execution({
          name: 'search',
          parameters: straddling(s.fields),
          result: hostile(s.fields),
          success: true,
          durationMs: 3,
        });
        helpers.tool.execution({
          // A metric attribute too (the tool duration histogram).
          name: s.text,
          parameters: s.text,
          success: false,
          durationMs: 3,
          error: new Error(s.text),
        });
      }),
  ],
  [
    'user.interaction',
    (s, id, { helpers }) =>
      withContext({ 'door.id': id }, () =>
        helpers.user.interaction({
          input: s.text,
          response: straddling(s.fields),
          success: true,
          durationMs: 1,
        }),
      ),
  ],
  [
    'system helpers',
    (s, id, { helpers }) =>
      withContext({ 'door.id': id }, () => {
        helpers.system.error('db', new Error(s.text), s.fields);
        helpers.system.configChange('db', { ...s.fields, from: s.text });
        helpers.system.warning('db', s.text, s.fields);
      }),
  ],
  [
    'llm.call and security.event (the audit route)',
    (s, id, { helpers }) =>
      withContext({ 'door.id': id }, () => {
        helpers.llm.call({
          provider: 'openai',
          // A metric attribute too (gen_ai.client.operation.duration).
          model: s.text,
          inputTokens: 1,
          outputTokens: 1,
          durationMs: 1,
          success: false,
          error: new Error(s.text),
        });
        helpers.security.event({ type: 'login', allowed: false, reason: s.text, user: 'u' });
      }),
  ],
  [
    'performance helper (span status and exception event)',
    (s, id, { helpers }) =>
      withContext({ 'door.id': id }, () => {
        try {
          // The name is the span name and a metric attribute too.
          helpers.performance.measure(s.text, () => {
            throw new Error(s.text);
          });
        } catch {
          // rethrown to the caller, as it should be
        }
      }),
  ],
  [
    'console bridge',
    (s, id) => {
      console.log(`${id} login`, s.fields);
      console.error(`${id} %s`, s.text, hostile(s.fields));
    },
  ],
  [
    'pino bridge',
    (s, id, { pinoLog }) => {
      pinoLog.info({ ...s.fields, 'door.id': id }, 'login');
      pinoLog.info(`${id} ${s.text}`);
    },
  ],
  [
    'winston bridge',
    (s, id, { winstonLog }) => {
      winstonLog.info('login', { ...s.fields, 'door.id': id });
      winstonLog.info(`${id} ${s.text}`);
    },
  ],
  [
    'HTTP middleware (headers, query string, URL credentials, path)',
    async (s, id, { base }) => {
      const value = encodeURIComponent(s.value);
      await get(base, `/login/${id}?token=${value}&q=1`, {
        authorization: `Bearer ${s.value}`,
        cookie: `session=${s.value}`,
        'x-api-key': s.value,
        'x-door-id': id,
      });
      await get(base, `http://admin:${value}@example.com/url-credentials/${id}`, {
        'x-door-id': id,
      });
      await get(base, `/boom/${id}`, { 'x-door-id': id, 'x-note': s.text });
    },
  ],
  [
    // An error's name becomes error.type on the helpers' and the HTTP
    // middleware's metrics and spans (and a span status), which no step sees.
    'error names (error.type) and the LLM operation name',
    async (s, id, { helpers, base }) => {
      const named = (): Error => Object.assign(new Error('failed'), { name: s.text });
      withContext({ 'door.id': id }, () => {
        helpers.tool.execution({ name: 'search', success: false, durationMs: 1, error: named() });
        helpers.llm.call({
          provider: 'openai',
          model: 'gpt',
          operation: s.text,
          inputTokens: 1,
          outputTokens: 1,
          durationMs: 1,
          success: false,
          error: named(),
        });
        try {
          helpers.performance.measure('work', () => {
            throw named();
          });
        } catch {
          // rethrown to the caller, as it should be
        }
      });
      await get(base, `/named/${id}`, { 'x-door-id': id, 'x-note': s.text });
    },
  ],
  [
    // With metricServerAddress, the Host header's name is a metric attribute.
    'HTTP Host header (server.address on the duration metric)',
    async (s, id, { base }) => {
      // Only secrets known by their own shape (not by a scheme or key before
      // them) that a Host header can carry (no spaces or slashes).
      if (s.text !== s.value || !/^[A-Za-z0-9._-]+$/.test(s.value)) {
        await get(base, `/host/${id}`, { 'x-door-id': id });
        return;
      }
      await get(base, `/host/${id}`, { 'x-door-id': id, host: `${s.value}.example.com` });
    },
  ],
  [
    // The TracerProvider otel-logkit registers redacts every span, not only
    // those of its helpers and middleware.
    'spans of your own code (name, attributes, event, exception, status)',
    (s, id, { handle }) => {
      trace
        .getTracer('door-app')
        .startActiveSpan(
          `query ${s.text}`,
          { attributes: { ...s.fields, 'door.id': id } },
          (span) => {
            span.addEvent('retry', { note: s.text });
            span.recordException(new Error(s.text));
            span.setStatus({ code: SpanStatusCode.ERROR, message: s.text });
            handle.getLogger('doors').info(`${id} in a span`);
            span.end();
          },
        );
    },
  ],
  [
    // The MeterProvider otel-logkit registers (the global one) redacts the
    // attributes of every measurement, not only those of its helpers.
    'metrics of your own code (counter and observable gauge attributes)',
    (s, id, { handle }) => {
      const meter = metrics.getMeter('door-app');
      meter.createCounter('door.requests').add(1, { ...s.fields, note: s.text, 'door.id': id });
      const gauge = meter.createObservableGauge('door.queue');
      gauge.addCallback((result) => result.observe(1, { ...s.fields, 'door.id': id }));
      handle.getLogger('doors').info(`${id} measured`);
    },
  ],
  [
    // A secret of digits (a card number) logged as a number: in a record's
    // attributes, nested, as the body, on a span and on a measurement.
    'numbers (a secret of digits logged as a number)',
    (s, id, { handle }) => {
      const value = /^[0-9]{13,16}$/.test(s.value) ? Number(s.value) : s.text;
      const log = handle.getLogger('doors');
      log.info('numbers', { ref: value, order: { refs: [1, value] }, 'door.id': id });
      log.emit({ body: value, attributes: { 'door.id': id } });
      trace.getTracer('door-app').startActiveSpan('numbers', (span) => {
        span.setAttribute('ref', value);
        handle.getLogger('doors').info(`${id} numbers in a span`);
        span.end();
      });
      metrics.getMeter('door-app').createCounter('door.refs').add(1, { ref: value, 'door.id': id });
    },
  ],
  [
    'metric rule dimensions',
    (s, id, { handle }) =>
      handle
        .getLogger('payments', { category: 'payment' })
        .info('paid', { ...s.fields, card_number: s.value, 'door.id': id }),
  ],
];

describe('no secret leaves through any door', () => {
  it('should redact a secret of each shape at every door in every output, and deliver every record', async () => {
    consoleOut = [];
    const capture = (chunk: unknown): boolean => {
      consoleOut.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);

    const handle = otlp.register({
      logsExporter: ['otlp', 'file', 'console'],
      metricsExporter: ['otlp', 'file'],
      logDir,
      audit: true,
      baggageKeys: true,
      colors: false,
      resourceAttributes: Object.fromEntries(
        SECRETS.map((s) => [`test.resource.${s.name}`, s.text]),
      ),
      metricRules: [
        {
          match: { category: 'payment' },
          name: 'payments',
          instrument: 'counter',
          dimensions: ['card_number', 'note', 'password', 'door.id'],
        },
      ],
    });
    const helpers = createCategoryHelpers(handle);
    const pinoLog = pino({ level: 'info' }, pinoDestination(handle));
    const winstonLog = winston.createLogger({ transports: [winstonTransport(handle)] });
    const restoreConsole = captureConsole(handle, { passThrough: false });
    const http = createHttpInstrumentation(handle as LoggingHandle<string>, {
      captureHeaders: ['authorization', 'cookie', 'x-api-key', 'x-door-id', 'x-note'],
      metricServerAddress: true,
    });
    server = createServer(
      http.wrap((req, res) => {
        if ((req.url ?? '').startsWith('/boom')) {
          throw new Error(`handler failed: ${String(req.headers['x-note'])}`);
        }
        if ((req.url ?? '').startsWith('/named')) {
          throw Object.assign(new Error('handler failed'), { name: String(req.headers['x-note']) });
        }
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const ids: string[] = [];
    try {
      for (const [doorName, door] of DOORS) {
        for (const s of SECRETS) {
          const id = `door-${ids.length}`;
          ids.push(id);
          try {
            await door(s, id, { handle, helpers, pinoLog, winstonLog, base });
          } catch (error) {
            throw new Error(`door ${doorName} threw for ${s.name}`, { cause: error });
          }
        }
      }
    } finally {
      restoreConsole();
    }
    await handle.forceFlush();
    await otlp.receiver.waitFor(() => {
      const text = JSON.stringify(otlp.receiver.logs);
      return ids.every((id) => has(text, id));
    }, 20_000);
    await otlp.handle!.shutdown();
    vi.restoreAllMocks();

    const outputs: Record<string, string> = {
      'OTLP logs': JSON.stringify(otlp.receiver.logs),
      'OTLP metrics': JSON.stringify(otlp.receiver.metrics),
      'OTLP spans': JSON.stringify(otlp.receiver.spans),
      files: filesText(logDir),
      console: consoleOut.join(''),
      audit: filesText(path.join(logDir, 'audit')),
    };

    // Every door delivered: each id is in the OTLP logs and the files.
    for (const id of ids) {
      for (const output of ['OTLP logs', 'files', 'console']) {
        expect(has(outputs[output]!, id), `record ${id} in ${output}`).toBe(true);
      }
    }
    // The audit route got the security records, and the metric rule its points.
    expect(outputs.audit).toContain('security.event');
    expect(otlp.receiver.metrics.some((m) => m.name === 'payments')).toBe(true);

    const leaks: string[] = [];
    for (const s of SECRETS) {
      for (const [output, text] of Object.entries(outputs)) {
        const found = leak(text, s.value);
        if (found !== undefined) {
          const at = text.indexOf(found);
          leaks.push(`${s.name} in ${output}: …${text.slice(Math.max(0, at - 120), at + 40)}…`);
        }
      }
    }
    expect(leaks).toEqual([]);
  }, 60_000);
});
