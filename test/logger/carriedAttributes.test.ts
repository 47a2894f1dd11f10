import { diag, DiagLogLevel, logs, type DiagLogger } from '@opentelemetry/api';
import {
  InMemoryLogRecordExporter,
  SimpleLogRecordProcessor,
  type ReadWriteLogRecord,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';

// The attribute maps our loggers build are carried past the SDK's copy and
// adopted by the record (src/logger/safeEmit.ts, emitCarrying): these check
// that the record ends up as the SDK's own setAttribute would have left it.

let handle: LoggingHandle | undefined;
let captured: InMemoryLogRecordExporter;

function register(options: LoggingOptions = {}): LoggingHandle {
  handle = registerLogging({
    serviceName: 'carried-attributes-test',
    logsExporter: 'none',
    handleProcessExit: false,
    logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: captured })],
    ...options,
  });
  return handle;
}

async function records(): Promise<ReadableLogRecord[]> {
  await handle?.forceFlush();
  return captured.getFinishedLogRecords();
}

beforeEach(() => {
  captured = new InMemoryLogRecordExporter();
});

afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  diag.disable();
});

describe('carried attributes', () => {
  it('should give each record its own copy of nested bound attributes', async () => {
    let first = true;
    const changeInPlace = (record: ReadWriteLogRecord): ReadWriteLogRecord => {
      if (first) {
        first = false;
        (record.attributes.tenant as Record<string, unknown>).id = 'changed';
      }
      return record;
    };
    register({ steps: [changeInPlace] });
    const log = handle!.getLogger('bound', { attributes: { tenant: { id: 't1' } } });
    log.info('one', { n: 1 });
    log.info('two');
    log.emit({ body: 'three', attributes: { n: 3 } });
    const got = await records();
    expect(got.map((r) => r.attributes.tenant)).toEqual([
      { id: 'changed' },
      { id: 't1' },
      { id: 't1' },
    ]);
  });

  it('should keep a record unchanged when the caller mutates nested attributes afterwards', async () => {
    register();
    const order = { id: 'o1', lines: [{ sku: 'a' }] };
    handle!.getLogger('copy').info('order', { order });
    logs.getLogger('api').emit({ body: 'api', attributes: { order } });
    order.id = 'mutated';
    order.lines[0]!.sku = 'mutated';
    const got = await records();
    expect(got.map((r) => r.attributes.order)).toEqual([
      { id: 'o1', lines: [{ sku: 'a' }] },
      { id: 'o1', lines: [{ sku: 'a' }] },
    ]);
  });

  it('should count adopted attributes, so later setAttribute calls add and overwrite', async () => {
    const addOne = (record: ReadWriteLogRecord): ReadWriteLogRecord => {
      record.setAttribute('added', true);
      record.setAttribute('a', 'overwritten');
      return record;
    };
    register({ steps: [addOne] });
    handle!.getLogger('count').info('x', { a: 1, b: 2 });
    const [record] = await records();
    expect(record!.attributes).toMatchObject({ a: 'overwritten', b: 2, added: true });
    expect((record as unknown as { _attributesCount: number })._attributesCount).toBe(
      Object.keys(record!.attributes).length,
    );
    expect(record!.droppedAttributesCount).toBe(0);
  });

  it('should keep the attributes and add exception ones for an emit() with an exception', async () => {
    register();
    const error = new TypeError('boom');
    handle!.getLogger('exc').emit({ body: 'failed', attributes: { a: 1 }, exception: error });
    logs.getLogger('api').emit({ body: 'api', attributes: { b: 2 }, exception: error });
    const got = await records();
    expect(got[0]!.attributes).toMatchObject({
      a: 1,
      'exception.type': 'TypeError',
      'exception.message': 'boom',
    });
    expect(got[1]!.attributes).toMatchObject({ b: 2, 'exception.message': 'boom' });
  });

  it('should drop an empty attribute key as the SDK does, keeping the others', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = {
      error: () => {},
      warn: (m: string) => warnings.push(m),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    register();
    diag.setLogger(logger, DiagLogLevel.WARN);
    handle!.getLogger('empty').info('x', { '': 'nameless', kept: 'yes' });
    const [record] = await records();
    expect(Object.hasOwn(record!.attributes, '')).toBe(false);
    expect(record!.attributes.kept).toBe('yes');
    expect(warnings.some((w) => w.includes('Invalid attribute key'))).toBe(true);
  });

  it('should carry nothing into a record emitted by a step while another is processed', async () => {
    // A step that emits through a plain SDK logger while processing a record
    // (the rate limiter's summaries do): the outer record keeps its attributes
    // and the inner one gets none of them.
    let inner = true;
    const emitting = (record: ReadWriteLogRecord): ReadWriteLogRecord => {
      if (inner) {
        inner = false;
        handle!.getLogger('inner').info('inner', { own: 'inner' });
      }
      return record;
    };
    register({ steps: [emitting] });
    handle!.getLogger('outer').info('outer', { own: 'outer', other: 1 });
    const got = await records();
    const byBody = Object.fromEntries(got.map((r) => [r.body, r.attributes]));
    expect(byBody.outer).toMatchObject({ own: 'outer', other: 1 });
    expect(byBody.inner).toMatchObject({ own: 'inner' });
    expect(byBody.inner).not.toHaveProperty('other');
  });
});
