import { ROOT_CONTEXT, TraceFlags, diag, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import pc from 'picocolors';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import {
  PrettyConsoleLogRecordExporter,
  formatLogRecordLine,
} from '../../src/exporters/PrettyConsoleLogRecordExporter.js';
import type { PrettyConsoleLogRecordExporterOptions } from '../../src/exporters/PrettyConsoleLogRecordExporter.js';
import { recordDiagErrors, type DiagErrorMock } from '../helpers/diag.js';

const TIME = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
const ISO = '2024-01-02T03:04:05.006Z';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_CONTEXT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: TRACE_ID,
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
});
const on = pc.createColors(true);

interface FakeStream {
  writes: string[];
  isTTY: boolean;
  write(chunk: string): boolean;
}

function fakeStream(isTTY = false): FakeStream {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    write(chunk: string) {
      writes.push(chunk);
      return true;
    },
  };
}

function setup(options: PrettyConsoleLogRecordExporterOptions & { tty?: boolean } = {}) {
  const out = fakeStream(options.tty);
  const err = fakeStream(options.tty);
  const exporter = new PrettyConsoleLogRecordExporter({
    stream: out,
    errorStream: err,
    ...options,
  });
  const provider = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('test');
  const emit = (record: LogRecord): void => logger.emit({ timestamp: TIME, ...record });
  return { exporter, out, err, emit };
}

// Real SDK records, for calling export() directly.
function records(...logs: LogRecord[]): ReadableLogRecord[] {
  const captured: ReadableLogRecord[] = [];
  const exporter: LogRecordExporter = {
    export(batch, callback) {
      captured.push(...batch);
      callback({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const logger = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter })],
  }).getLogger('test');
  for (const log of logs) logger.emit({ timestamp: TIME, ...log });
  return captured;
}

function exportSync(exporter: PrettyConsoleLogRecordExporter, logs: ReadableLogRecord[]) {
  let result: ExportResult | undefined;
  exporter.export(logs, (r) => (result = r));
  return result;
}

const info = (body: string): LogRecord => ({
  severityNumber: SeverityNumber.INFO,
  severityText: 'INFO',
  body,
});

describe('PrettyConsoleLogRecordExporter', () => {
  let diagError: DiagErrorMock;
  const savedEnv = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };

  beforeEach(() => {
    // The test runner may set FORCE_COLOR itself.
    delete process.env.NO_COLOR;
    delete process.env.FORCE_COLOR;
    resetReportOnce();
    diagError = recordDiagErrors();
  });

  afterEach(() => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    diag.disable();
  });

  describe('line format', () => {
    it('writes time, level, category, body, trace and attributes', () => {
      const { out, emit } = setup();
      emit({
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        body: 'signed in',
        attributes: { 'logkit.category': 'user', 'user.id': 42, ok: true, name: 'ada' },
        context: SPAN_CONTEXT,
      });
      expect(out.writes).toEqual([
        `${ISO} INFO  [user] signed in trace=4bf92f35 user.id=42 ok=true name=ada\n`,
      ]);
    });

    it('leaves out category and trace when absent', () => {
      const { out, emit } = setup();
      emit({ severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', body: 'plain' });
      expect(out.writes).toEqual([`${ISO} DEBUG plain\n`]);
    });

    it('uses the severity range name when severityText is absent', () => {
      const { out, emit } = setup();
      emit({ severityNumber: SeverityNumber.INFO3, body: 'a' });
      emit({ severityNumber: SeverityNumber.TRACE2, body: 'b' });
      emit({ body: 'c' });
      emit({ severityText: 'NOTICE', severityNumber: SeverityNumber.INFO2, body: 'd' });
      expect(out.writes).toEqual([
        `${ISO} INFO  a\n`,
        `${ISO} TRACE b\n`,
        `${ISO} UNSPECIFIED c\n`,
        `${ISO} NOTICE d\n`,
      ]);
    });

    it('prints non-string bodies as compact JSON and skips a missing body', () => {
      const { out, emit } = setup();
      emit({ severityText: 'INFO', body: { a: 1, list: [true, null], bytes: Buffer.from('hi') } });
      emit({ severityText: 'INFO', body: 7 });
      emit({ severityText: 'INFO', attributes: { k: 'v' } });
      expect(out.writes).toEqual([
        `${ISO} INFO  {"a":1,"list":[true,null],"bytes":"aGk="}\n`,
        `${ISO} INFO  7\n`,
        `${ISO} INFO  k=v\n`,
      ]);
    });

    it('quotes strings only when needed and prints maps, arrays and bytes compactly', () => {
      const { out, emit } = setup();
      emit({
        severityText: 'INFO',
        body: 'attrs',
        attributes: {
          plain: 'simple-value/1.0',
          spaced: 'two words',
          quoted: 'say "hi"',
          eq: 'a=b',
          empty: '',
          backslash: 'C:\\dir',
          num: 1.5,
          map: { nested: { x: 'y z' } },
          arr: [1, 'two'],
          bytes: new Uint8Array([1, 2, 3]),
          padded: new Uint8Array([1]),
          nil: null,
        },
      });
      expect(out.writes).toEqual([
        `${ISO} INFO  attrs plain=simple-value/1.0 spaced="two words" quoted="say \\"hi\\"" ` +
          `eq="a=b" empty="" backslash=C:\\dir num=1.5 map={"nested":{"x":"y z"}} ` +
          `arr=[1,"two"] bytes=AQID padded="AQ==" nil=null\n`,
      ]);
    });

    it('prints exception.stacktrace on indented lines after the record', () => {
      const { err, emit } = setup();
      const stack = 'Error: boom\n    at f (file.js:1:1)\n    at g (file.js:2:2)';
      emit({
        severityNumber: SeverityNumber.ERROR,
        severityText: 'ERROR',
        body: 'failed',
        attributes: {
          'exception.type': 'Error',
          'exception.message': 'boom',
          'exception.stacktrace': stack,
          after: 1,
        },
      });
      expect(err.writes).toEqual([
        `${ISO} ERROR failed exception.type=Error exception.message=boom after=1\n` +
          '  Error: boom\n' +
          '      at f (file.js:1:1)\n' +
          '      at g (file.js:2:2)\n',
      ]);
    });
  });

  describe('escaping', () => {
    it('cannot forge lines or inject ANSI sequences through the body', () => {
      const { out, emit } = setup();
      emit({
        severityText: 'INFO',
        body: `ok\n${ISO} ERROR forged\r\x1b[31mred\x1b[0m\t\u009b2J\u2028\u0000\u007f`,
      });
      expect(out.writes).toEqual([
        `${ISO} INFO  ok\\n${ISO} ERROR forged\\r\\u001b[31mred\\u001b[0m\\t\\u009b2J\\u2028\\u0000\\u007f\n`,
      ]);
    });

    it('escapes keys, values, level, category and stack lines', () => {
      const { out, emit } = setup();
      emit({
        severityText: 'IN\x1bFO',
        body: 'b',
        attributes: {
          'logkit.category': 'cat\nx',
          'bad\nkey': 'v',
          value: 'line1\nline2\x1b[2J',
          c1: 'x\u0085y',
          json: { 'k\n': 'v\u2029\x1b' },
          'exception.stacktrace': 'Error: x\r\n    at \x1b[31mevil\x1b[0m\n\u2028fake line',
        },
      });
      const text = out.writes.join('');
      expect(text).not.toContain('\x1b');
      expect(text.split('\n')).toHaveLength(5);
      expect(text).toBe(
        `${ISO} IN\\u001bFO [cat\\nx] b "bad\\nkey"=v value="line1\\nline2\\u001b[2J" ` +
          `c1="x\\u0085y" json={"k\\n":"v\\u2029\\u001b"}\n` +
          '  Error: x\n' +
          '      at \\u001b[31mevil\\u001b[0m\n' +
          '  \\u2028fake line\n',
      );
    });

    it('escapes user text even with colours on', () => {
      const { out, emit } = setup({ colors: true });
      emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'x\x1b[8mhidden' });
      const line = out.writes[0]!;
      expect(line).toContain('x\\u001b[8mhidden');
      expect(line).not.toContain('\x1b[8m');
    });
  });

  describe('colours', () => {
    function levelOf(options: PrettyConsoleLogRecordExporterOptions & { tty?: boolean }): string {
      const { out, emit } = setup(options);
      emit(info('m'));
      return out.writes[0]!;
    }
    const plain = `${ISO} INFO  m\n`;
    const coloured = `${on.dim(ISO)} ${on.green('INFO ')} m\n`;

    it('colours the level by severity and dims time and trace', () => {
      const { out, err, emit } = setup({ colors: true });
      const levels: [SeverityNumber, string, (s: string) => string][] = [
        [SeverityNumber.TRACE, 'TRACE', on.gray],
        [SeverityNumber.DEBUG, 'DEBUG', on.gray],
        [SeverityNumber.INFO, 'INFO ', on.green],
        [SeverityNumber.WARN, 'WARN ', on.yellow],
        [SeverityNumber.ERROR, 'ERROR', on.red],
        [SeverityNumber.FATAL, 'FATAL', (s) => on.bold(on.magenta(s))],
      ];
      for (const [severityNumber] of levels) emit({ severityNumber, body: 'm' });
      emit({ severityText: 'INFO', body: 'm', context: SPAN_CONTEXT });
      const lines = [...out.writes, ...err.writes];
      expect(lines).toEqual([
        ...levels.slice(0, 3).map(([, name, paint]) => `${on.dim(ISO)} ${paint(name)} m\n`),
        `${on.dim(ISO)} INFO  m ${on.dim('trace=4bf92f35')}\n`,
        ...levels.slice(3).map(([, name, paint]) => `${on.dim(ISO)} ${paint(name)} m\n`),
      ]);
    });

    it('follows the explicit option over everything', () => {
      process.env.NO_COLOR = '1';
      expect(levelOf({ colors: true })).toBe(coloured);
      delete process.env.NO_COLOR;
      process.env.FORCE_COLOR = '1';
      expect(levelOf({ colors: false, tty: true })).toBe(plain);
    });

    it('is on for a TTY and off otherwise', () => {
      expect(levelOf({ tty: true })).toBe(coloured);
      expect(levelOf({ tty: false })).toBe(plain);
    });

    it('is off with NO_COLOR set to any non-empty value', () => {
      process.env.NO_COLOR = '1';
      expect(levelOf({ tty: true })).toBe(plain);
      process.env.NO_COLOR = 'false';
      expect(levelOf({ tty: true })).toBe(plain);
      process.env.NO_COLOR = '';
      expect(levelOf({ tty: true })).toBe(coloured);
    });

    it('is forced on by FORCE_COLOR and off by FORCE_COLOR=0', () => {
      process.env.FORCE_COLOR = '1';
      expect(levelOf({ tty: false })).toBe(coloured);
      process.env.NO_COLOR = '1';
      expect(levelOf({ tty: false })).toBe(coloured);
      delete process.env.NO_COLOR;
      process.env.FORCE_COLOR = '0';
      expect(levelOf({ tty: true })).toBe(plain);
      process.env.FORCE_COLOR = '';
      expect(levelOf({ tty: false })).toBe(plain);
      expect(levelOf({ tty: true })).toBe(coloured);
    });

    it('decides per stream', () => {
      const out = fakeStream(true);
      const err = fakeStream(false);
      const exporter = new PrettyConsoleLogRecordExporter({ stream: out, errorStream: err });
      exportSync(
        exporter,
        records(info('m'), {
          severityNumber: SeverityNumber.WARN,
          severityText: 'WARN',
          body: 'm',
        }),
      );
      expect(out.writes).toEqual([coloured]);
      expect(err.writes).toEqual([`${ISO} WARN  m\n`]);
    });
  });

  describe('export', () => {
    it('routes WARN and above to the error stream, in order, batching consecutive lines', () => {
      const out = fakeStream();
      const err = fakeStream();
      const exporter = new PrettyConsoleLogRecordExporter({ stream: out, errorStream: err });
      const result = exportSync(
        exporter,
        records(
          info('1'),
          { severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG', body: '2' },
          { severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: '3' },
          { severityNumber: SeverityNumber.FATAL, severityText: 'FATAL', body: '4' },
          { severityNumber: SeverityNumber.INFO4, body: '5' },
          { body: '6' },
          { severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: '7' },
        ),
      );
      expect(result).toEqual({ code: ExportResultCode.SUCCESS });
      expect(out.writes).toEqual([
        `${ISO} INFO  1\n${ISO} DEBUG 2\n`,
        `${ISO} INFO  5\n${ISO} UNSPECIFIED 6\n`,
      ]);
      expect(err.writes).toEqual([`${ISO} WARN  3\n${ISO} FATAL 4\n`, `${ISO} ERROR 7\n`]);
    });

    it('drops lines for a stream whose unwritten backlog is over maxBufferedBytes, and fails the export', () => {
      const slow = { ...fakeStream(), writableLength: 2000 };
      const err = fakeStream();
      const exporter = new PrettyConsoleLogRecordExporter({
        stream: slow,
        errorStream: err,
        maxBufferedBytes: 1000,
      });
      const result = exportSync(
        exporter,
        records(info('dropped'), { severityNumber: SeverityNumber.ERROR, body: 'kept' }),
      );
      expect(result?.code).toBe(ExportResultCode.FAILED);
      expect(result?.error?.message).toMatch(/2000 bytes not yet written \(over 1000\)/);
      expect(slow.writes).toEqual([]);
      expect(err.writes).toEqual([`${ISO} ERROR kept\n`]);
      slow.writableLength = 10;
      expect(exportSync(exporter, records(info('later')))?.code).toBe(ExportResultCode.SUCCESS);
      expect(slow.writes).toEqual([`${ISO} INFO  later\n`]);
    });

    it('reports a throwing stream and calls back FAILED, still writing the rest', () => {
      const out = fakeStream();
      const err = {
        write(): never {
          throw new Error('EPIPE');
        },
      };
      const exporter = new PrettyConsoleLogRecordExporter({ stream: out, errorStream: err });
      const logs = records(
        info('a'),
        { severityNumber: SeverityNumber.ERROR, body: 'b' },
        info('c'),
      );
      let result: ExportResult | undefined;
      expect(() => exporter.export(logs, (r) => (result = r))).not.toThrow();
      expect(result?.code).toBe(ExportResultCode.FAILED);
      expect(result?.error?.message).toBe('EPIPE');
      expect(out.writes).toEqual([`${ISO} INFO  a\n`, `${ISO} INFO  c\n`]);
      expect(diagError).toHaveBeenCalledTimes(1);
    });

    it('reports a record that cannot be formatted and writes the others', () => {
      const out = fakeStream();
      const exporter = new PrettyConsoleLogRecordExporter({ stream: out, errorStream: out });
      const [good] = records(info('good'));
      const bad = Object.create(good!, {
        attributes: {
          get(): never {
            throw new Error('broken record');
          },
        },
      }) as ReadableLogRecord;
      const result = exportSync(exporter, [bad, good!]);
      expect(result?.code).toBe(ExportResultCode.FAILED);
      expect(result?.error?.message).toBe('broken record');
      expect(out.writes).toEqual([`${ISO} INFO  good\n`]);
      expect(diagError).toHaveBeenCalledTimes(1);
    });

    it('does not throw when the result callback throws', () => {
      const exporter = new PrettyConsoleLogRecordExporter({
        stream: fakeStream(),
        errorStream: fakeStream(),
      });
      expect(() =>
        exporter.export(records(info('x')), () => {
          throw new Error('callback');
        }),
      ).not.toThrow();
      expect(diagError).toHaveBeenCalledTimes(1);
    });

    it('fails every export after shutdown; shutdown and forceFlush are idempotent', async () => {
      const { exporter, out, emit } = setup();
      await exporter.forceFlush();
      await exporter.forceFlush();
      emit(info('before'));
      await exporter.shutdown();
      await exporter.shutdown();
      await exporter.forceFlush();
      const result = exportSync(exporter, records(info('after')));
      expect(result?.code).toBe(ExportResultCode.FAILED);
      expect(out.writes).toEqual([`${ISO} INFO  before\n`]);
    });

    it('defaults to process.stdout and process.stderr', () => {
      const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const exporter = new PrettyConsoleLogRecordExporter({ colors: false });
        exportSync(
          exporter,
          records(info('to stdout'), { severityNumber: SeverityNumber.WARN, body: 'to stderr' }),
        );
        expect(stdout).toHaveBeenCalledWith(`${ISO} INFO  to stdout\n`);
        expect(stderr).toHaveBeenCalledWith(`${ISO} WARN  to stderr\n`);
      } finally {
        stdout.mockRestore();
        stderr.mockRestore();
      }
    });
  });
});

describe('formatLogRecordLine', () => {
  it('formats a minimal record without the SDK', () => {
    expect(
      formatLogRecordLine(
        {
          hrTime: [Math.floor(TIME / 1000), 6_000_000],
          severityNumber: SeverityNumber.WARN,
          body: 'minimal',
          attributes: {},
        },
        false,
      ),
    ).toBe('2024-01-02T03:04:05.006Z WARN  minimal\n');
  });

  it('prints an out-of-range time as Invalid Date', () => {
    expect(
      formatLogRecordLine({ hrTime: [Number.MAX_SAFE_INTEGER, 0], attributes: {} }, false),
    ).toBe('Invalid Date UNSPECIFIED\n');
  });
});
