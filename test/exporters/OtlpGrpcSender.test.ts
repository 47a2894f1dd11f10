import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { diag } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OtlpGrpcSender, retryDelayOf } from '../../src/exporters/OtlpGrpcSender.js';
import { registerLogging, type LoggingHandle, type LoggingOptions } from '../../src/index.js';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { recordDiagErrors } from '../helpers/diag.js';
import { startOtlpGrpcReceiver, type OtlpGrpcReceiver } from '../helpers/otlpGrpcReceiver.js';

// OTLP/gRPC logs through the delivery path (DeliveringLogRecordProcessor,
// the spool) against a loopback @grpc/grpc-js receiver that decodes the
// requests with the official .proto files (test/helpers/otlp-proto/).

let receiver: OtlpGrpcReceiver;
let port: number;
let handle: LoggingHandle | undefined;
let root: string;

beforeAll(async () => {
  receiver = await startOtlpGrpcReceiver();
  port = Number(new URL(receiver.url).port);
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logkit-grpc-'));
});
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  receiver.respond = undefined;
  receiver.clear();
  rmSync(root, { recursive: true, force: true });
  diag.disable();
  resetReportOnce();
});

function register(options: LoggingOptions = {}): LoggingHandle {
  handle = registerLogging({
    serviceName: 'grpc-delivery-test',
    endpoint: `http://127.0.0.1:${port}`,
    protocol: 'grpc',
    logsExporter: 'otlp',
    metricsExporter: 'none',
    handleProcessExit: false,
    otlpTimeoutMillis: 1000,
    batch: { scheduledDelayMillis: 100 },
    ...options,
    delivery: { spoolDir: join(root, 'spool'), ...options.delivery },
  });
  return handle;
}

function logBurst(h: LoggingHandle, tag: string, count: number): void {
  const log = h.getLogger('burst');
  for (let i = 0; i < count; i++) log.info(`${tag}:${i}`);
}

/** Bodies `<tag>:<i>` for i < count that never arrived, and those that arrived more than once. */
function check(tag: string, count: number) {
  const seen = new Map<number, number>();
  for (const record of receiver.logs) {
    const body = record.body;
    if (typeof body !== 'string' || !body.startsWith(`${tag}:`)) continue;
    const i = Number(body.slice(tag.length + 1));
    seen.set(i, (seen.get(i) ?? 0) + 1);
  }
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!seen.has(i)) missing.push(i);
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
  return { missing: missing.length, duplicated: duplicated.length };
}

function received(tag: string): number {
  return receiver.logs.filter((r) => typeof r.body === 'string' && r.body.startsWith(`${tag}:`))
    .length;
}

function otlpHealth(h: LoggingHandle) {
  return h.health().destinations.find((d) => d.name === 'otlp')!;
}

/** A `google.rpc.Status` (base64-free bytes) with one `google.rpc.RetryInfo` of `seconds` + `nanos`. */
function statusWithRetryInfo(seconds: number, nanos: number): Buffer {
  const field = (n: number, bytes: Uint8Array) =>
    Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
  const varint = (n: number, v: number) => {
    const out = [(n << 3) | 0];
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return Buffer.from(out);
  };
  const duration = Buffer.concat([varint(1, seconds), varint(2, nanos)]);
  const retryInfo = field(1, duration);
  const any = Buffer.concat([
    field(1, Buffer.from('type.googleapis.com/google.rpc.RetryInfo')),
    field(2, retryInfo),
  ]);
  return Buffer.concat([varint(1, 8), field(2, Buffer.from('slow down')), field(3, any)]);
}

describe('OtlpGrpcSender', () => {
  const sender = () => new OtlpGrpcSender({ url: `http://127.0.0.1:${port}`, timeoutMillis: 1000 });

  it('should send an Export call with the metadata and gzip when compression is on', async () => {
    const s = new OtlpGrpcSender({
      url: `http://127.0.0.1:${port}`,
      timeoutMillis: 1000,
      compression: 'gzip',
      headers: { 'X-Tenant': 'acme' },
    });
    // An empty ExportLogsServiceRequest is a valid message; grpc-js decodes
    // the gzip message per grpc-encoding (and keeps that header to itself).
    expect(await s.send(new Uint8Array(0))).toEqual({ kind: 'ok' });
    s.close();
    expect(receiver.calls).toHaveLength(1);
    expect(receiver.calls[0]!.metadata).toMatchObject({ 'x-tenant': 'acme' });
  });

  it('should retry UNAVAILABLE, DEADLINE_EXCEEDED and a refused connection', async () => {
    const s = sender();
    receiver.respond = () => ({ error: { code: grpc.status.UNAVAILABLE, details: 'draining' } });
    const unavailable = await s.send(new Uint8Array(0));
    expect(unavailable).toMatchObject({ kind: 'retry' });
    expect(String((unavailable as { error: Error }).error.message)).toContain('14: draining');
    receiver.respond = () => ({ error: { code: grpc.status.DEADLINE_EXCEEDED } });
    expect(await s.send(new Uint8Array(0))).toMatchObject({ kind: 'retry' });
    s.close();
    const refused = new OtlpGrpcSender({ url: 'http://127.0.0.1:1', timeoutMillis: 1000 });
    expect(await refused.send(new Uint8Array(0))).toMatchObject({ kind: 'retry' });
    refused.close();
  });

  it('should reject INVALID_ARGUMENT and RESOURCE_EXHAUSTED without RetryInfo, and retry it after the RetryInfo delay', async () => {
    const s = sender();
    receiver.respond = () => ({ error: { code: grpc.status.INVALID_ARGUMENT } });
    expect(await s.send(new Uint8Array(0))).toMatchObject({ kind: 'reject' });
    receiver.respond = () => ({ error: { code: grpc.status.RESOURCE_EXHAUSTED } });
    expect(await s.send(new Uint8Array(0))).toMatchObject({ kind: 'reject' });
    receiver.respond = () => {
      const metadata = new grpc.Metadata();
      metadata.set('grpc-status-details-bin', statusWithRetryInfo(2, 500_000_000));
      return { error: { code: grpc.status.RESOURCE_EXHAUSTED, metadata } };
    };
    expect(await s.send(new Uint8Array(0))).toMatchObject({
      kind: 'retry',
      retryAfterMillis: 2500,
    });
    s.close();
    expect(retryDelayOf('not a status')).toBeUndefined();
  });

  it('should treat a partial success as a success, reported once through diag', async () => {
    const errors = recordDiagErrors();
    const s = sender();
    receiver.respond = () => ({
      response: { partialSuccess: { rejectedLogRecords: 2, errorMessage: 'too old' } },
    });
    expect(await s.send(new Uint8Array(0))).toEqual({ kind: 'ok' });
    s.close();
    expect(errors.mock.calls.map((c) => c[0]).join('\n')).toContain(
      'rejected 2 log records of a request: too old',
    );
  });

  it('should give up a call that hangs past the timeout as retryable', async () => {
    receiver.respond = () => 'hang';
    const s = new OtlpGrpcSender({ url: `http://127.0.0.1:${port}`, timeoutMillis: 300 });
    const started = Date.now();
    const outcome = await s.send(new Uint8Array(0));
    expect(outcome).toMatchObject({ kind: 'retry' });
    expect(Date.now() - started).toBeLessThan(5000);
    s.close();
  });
});

describe('protocol grpc through the delivery path', () => {
  it('should send what an http/json registration left in the spool', async () => {
    // The endpoint refuses OTLP/HTTP: the records wait in the spool as JSON.
    const json = register({ protocol: 'http/json', endpoint: 'http://127.0.0.1:1' });
    logBurst(json, 'json', 300);
    await json.forceFlush();
    expect(otlpHealth(json).spool!.records).toBe(300);
    await json.shutdown();
    handle = undefined;
    const h = register();
    logBurst(h, 'proto', 200);
    await h.forceFlush();
    await receiver.waitFor(() => received('json') >= 300 && received('proto') >= 200, 20_000);
    expect(check('json', 300)).toEqual({ missing: 0, duplicated: 0 });
    expect(check('proto', 200)).toEqual({ missing: 0, duplicated: 0 });
    expect(h.stats().dropped).toMatchObject({ 'export-failed': 0 });
  });

  it('should deliver every record of a burst past the memory budget once', async () => {
    const h = register({ delivery: { memoryBudget: 500 } });
    logBurst(h, 'burst', 10_000);
    expect(otlpHealth(h).queue!.size).toBeLessThanOrEqual(500);
    await h.forceFlush();
    await receiver.waitFor(() => received('burst') >= 10_000, 20_000);
    expect(check('burst', 10_000)).toEqual({ missing: 0, duplicated: 0 });
    expect(h.stats().dropped).toMatchObject({ 'queue-full': 0, 'export-failed': 0 });
    expect(otlpHealth(h)).toMatchObject({ exported: 10_000, spool: { records: 0 } });
  });

  it('should spool while the receiver is down and replay once it is up', async () => {
    await receiver.close();
    let restarted: OtlpGrpcReceiver | undefined;
    try {
      const h = register();
      logBurst(h, 'down', 2000);
      await h.forceFlush();
      // Nothing could be sent: all of it is on disk.
      expect(otlpHealth(h).spool!.records).toBe(2000);
      expect(h.stats().dropped).toMatchObject({ 'queue-full': 0, 'export-failed': 0 });
      restarted = await startOtlpGrpcReceiver(undefined, { port });
      const r = restarted;
      await r.waitFor(() => r.logs.length >= 2000, 20_000);
      receiver = r;
      expect(check('down', 2000)).toEqual({ missing: 0, duplicated: 0 });
      await h.forceFlush();
      expect(otlpHealth(h).spool!.records).toBe(0);
    } finally {
      receiver = restarted ?? (await startOtlpGrpcReceiver(undefined, { port }));
    }
  });

  it('should keep records through UNAVAILABLE answers and send each once', async () => {
    let refusals = 3;
    receiver.respond = () =>
      refusals-- > 0 ? { error: { code: grpc.status.UNAVAILABLE, details: 'busy' } } : undefined;
    const h = register();
    logBurst(h, 'unavailable', 1500);
    await h.forceFlush();
    await receiver.waitFor(() => received('unavailable') >= 1500, 20_000);
    expect(check('unavailable', 1500)).toEqual({ missing: 0, duplicated: 0 });
    expect(refusals).toBeLessThan(0);
    expect(h.stats().dropped).toMatchObject({ 'export-failed': 0, 'queue-full': 0 });
  });

  it('should retry a call that hangs past the timeout and deliver each record once', async () => {
    let hangs = 1;
    receiver.respond = () => (hangs-- > 0 ? 'hang' : undefined);
    const h = register({ otlpTimeoutMillis: 500 });
    logBurst(h, 'hang', 800);
    await h.forceFlush();
    await receiver.waitFor(() => received('hang') >= 800, 20_000);
    expect(check('hang', 800)).toEqual({ missing: 0, duplicated: 0 });
    expect(hangs).toBeLessThan(0);
  });
});
