import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpHttpLogExporter } from '../../../src/exporters/otlp/OtlpHttpLogExporter.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../helpers/otlpReceiver.js';

const resource = resourceFromAttributes({ 'service.name': 'exporter-test' });
const scope = { name: 'scope', version: '2.0.0' };

function record(body: unknown, extra: Partial<ReadableLogRecord> = {}): ReadableLogRecord {
  const r: ReadableLogRecord = {
    hrTime: [1_760_000_000, 123_456_789],
    hrTimeObserved: [1_760_000_000, 123_456_790],
    severityNumber: 13,
    severityText: 'WARN',
    body,
    attributes: { 'http.response.status_code': 503, big: 2 ** 60, ratio: 0.25 },
    droppedAttributesCount: 1,
    spanContext: {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    },
    resource,
    instrumentationScope: scope,
    ...extra,
  };
  return r;
}

function exportOnce(exporter: OtlpHttpLogExporter, records: ReadableLogRecord[]) {
  return new Promise<ExportResult>((resolve) => exporter.export(records, resolve));
}

describe('OtlpHttpLogExporter', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(() => receiver.close());
  afterEach(() => receiver.clear());

  for (const encoding of ['protobuf', 'json'] as const) {
    for (const compression of ['none', 'gzip'] as const) {
      it(`should deliver every record, ${encoding}, compression ${compression}`, async () => {
        const exporter = new OtlpHttpLogExporter(
          { url: `${receiver.url}/v1/logs`, compression: compression as never },
          encoding,
        );
        const records = Array.from({ length: 300 }, (_, i) => record(`message ${i} é`));
        const result = await exportOnce(exporter, records);
        expect(result.code).toBe(ExportResultCode.SUCCESS);
        expect(receiver.logs).toHaveLength(300);
        expect(receiver.logs[299]).toMatchObject({
          resource: { 'service.name': 'exporter-test' },
          scope: { name: 'scope', version: '2.0.0' },
          body: 'message 299 é',
          severityNumber: 13,
          severityText: 'WARN',
          timeUnixNano: '1760000000123456789',
          observedTimeUnixNano: '1760000000123456790',
          attributes: { 'http.response.status_code': 503, big: '1152921504606846976', ratio: 0.25 },
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          flags: 1,
          droppedAttributesCount: 1,
        });
        const [request] = receiver.requestLog;
        expect(request!.contentType).toBe(
          encoding === 'json' ? 'application/json' : 'application/x-protobuf',
        );
        expect(request!.contentEncoding).toBe(compression === 'gzip' ? 'gzip' : undefined);
        await exporter.shutdown();
      });
    }
  }
});

describe('OtlpHttpLogExporter transport options', () => {
  let server: Server;
  let url = '';
  let seen: IncomingHttpHeaders[] = [];
  let respond: 'ok' | 'bad-request' | 'hang' = 'ok';
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        if (respond === 'hang') return;
        res.statusCode = respond === 'ok' ? 200 : 400;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(() => {
    seen = [];
    respond = 'ok';
  });

  it('should send the configured headers', async () => {
    const exporter = new OtlpHttpLogExporter({ url, headers: { 'x-api-key': 'secret-1' } });
    expect((await exportOnce(exporter, [record('x')])).code).toBe(ExportResultCode.SUCCESS);
    expect(seen[0]).toMatchObject({
      'x-api-key': 'secret-1',
      'content-type': 'application/x-protobuf',
    });
    await exporter.shutdown();
  });

  it('should report a rejected request as a failed export', async () => {
    respond = 'bad-request';
    const exporter = new OtlpHttpLogExporter({ url });
    const result = await exportOnce(exporter, [record('x')]);
    expect(result.code).toBe(ExportResultCode.FAILED);
    await exporter.shutdown();
  });

  it('should fail an export that outlives timeoutMillis', async () => {
    respond = 'hang';
    const exporter = new OtlpHttpLogExporter({ url, timeoutMillis: 300 });
    const started = Date.now();
    const result = await exportOnce(exporter, [record('x')]);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(Date.now() - started).toBeLessThan(5_000);
    server.closeAllConnections();
    await exporter.shutdown();
  });
});
