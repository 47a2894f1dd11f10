import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  ValueType,
  trace,
} from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import protobuf from 'protobufjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from './otlpReceiver.js';
import type {
  OtlpReceiver,
  ReceivedLogRecord,
  ReceivedMetric,
  ReceivedSpan,
} from './otlpReceiver.js';

type Encoding = 'protobuf' | 'json';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const resource = resourceFromAttributes({ 'service.name': 'recv-test' });

let receiver: OtlpReceiver;

beforeEach(async () => {
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  await receiver.close();
});

/** Takes what the receiver holds so far and empties it for the next run. */
function drain<T>(items: T[]): T[] {
  return items.splice(0, items.length);
}

describe('logs', () => {
  async function exportLogs(encoding: Encoding): Promise<ReceivedLogRecord[]> {
    const url = `${receiver.url}/v1/logs`;
    const exporter =
      encoding === 'protobuf' ? new ProtoLogExporter({ url }) : new JsonLogExporter({ url });
    const provider = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('recv-test-logger', '1.2.3');
    logger.emit({
      timestamp: [1_700_000_000, 123_456_789],
      observedTimestamp: [1_700_000_001, 5],
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'hello receiver',
      eventName: 'recv.test.event',
      attributes: {
        int: 42,
        negative: -7,
        huge: 2 ** 60,
        double: 1.5,
        bool: true,
        falsy: false,
        str: 'text',
        empty: '',
        array: ['a', 1, false],
        map: { nested: { deep: 'x' }, n: 2 },
        bytes: new Uint8Array([0, 1, 254, 255]),
        nothing: null,
      },
      context: trace.setSpanContext(ROOT_CONTEXT, {
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        traceFlags: TraceFlags.SAMPLED,
      }),
    });
    logger.emit({
      timestamp: [1_700_000_002, 0],
      observedTimestamp: [1_700_000_002, 1],
      severityNumber: SeverityNumber.INFO,
      body: { msg: 'structured', count: 3, tags: ['x', 'y'], ratio: 0.25 },
    });
    await provider.forceFlush();
    await receiver.waitFor(() => receiver.logs.length >= 2);
    await provider.shutdown();
    return drain(receiver.logs);
  }

  it('decodes protobuf and JSON log exports to the same normalised records', async () => {
    const proto = await exportLogs('protobuf');
    const json = await exportLogs('json');

    expect(receiver.requests).toEqual({
      '/v1/logs application/x-protobuf': 2,
      '/v1/logs application/json': 2,
    });
    expect(json).toEqual(proto);

    const scope = { name: 'recv-test-logger', version: '1.2.3', attributes: {} };
    const expected: ReceivedLogRecord[] = [
      {
        resource: { 'service.name': 'recv-test' },
        scope,
        timeUnixNano: '1700000000123456789',
        observedTimeUnixNano: '1700000001000000005',
        severityNumber: 13,
        severityText: 'WARN',
        body: 'hello receiver',
        attributes: {
          int: 42,
          negative: -7,
          huge: '1152921504606846976',
          double: 1.5,
          bool: true,
          falsy: false,
          str: 'text',
          empty: '',
          array: ['a', 1, false],
          map: { nested: { deep: 'x' }, n: 2 },
          bytes: new Uint8Array([0, 1, 254, 255]),
          nothing: null,
        },
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        flags: 1,
        eventName: 'recv.test.event',
        droppedAttributesCount: 0,
      },
      {
        resource: { 'service.name': 'recv-test' },
        scope,
        timeUnixNano: '1700000002000000000',
        observedTimeUnixNano: '1700000002000000001',
        severityNumber: 9,
        severityText: undefined,
        body: { msg: 'structured', count: 3, tags: ['x', 'y'], ratio: 0.25 },
        attributes: {},
        traceId: undefined,
        spanId: undefined,
        flags: undefined,
        eventName: undefined,
        droppedAttributesCount: 0,
      },
    ];
    // toStrictEqual: also checks `bytes` is a plain Uint8Array and no stray keys.
    expect(proto).toStrictEqual(expected);
    expect(json).toStrictEqual(expected);
  });
});

describe('metrics', () => {
  /** Data point timestamps differ between runs; check their form, then drop them. */
  function withoutTimes(metrics: ReceivedMetric[]): ReceivedMetric[] {
    return metrics.map((m) => ({
      ...m,
      dataPoints: m.dataPoints.map(({ startTimeUnixNano, timeUnixNano, ...rest }) => {
        expect(startTimeUnixNano).toMatch(/^[1-9]\d{18}$/);
        expect(timeUnixNano).toMatch(/^[1-9]\d{18}$/);
        expect(BigInt(timeUnixNano)).toBeGreaterThanOrEqual(BigInt(startTimeUnixNano));
        return { ...rest, startTimeUnixNano: '', timeUnixNano: '' };
      }),
    }));
  }

  async function exportMetrics(encoding: Encoding): Promise<ReceivedMetric[]> {
    const url = `${receiver.url}/v1/metrics`;
    const exporter =
      encoding === 'protobuf' ? new ProtoMetricExporter({ url }) : new JsonMetricExporter({ url });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ resource, readers: [reader] });
    const meter = provider.getMeter('recv-test-meter', '0.1.0');

    const counter = meter.createCounter('requests', {
      unit: '{request}',
      description: 'Requests served',
      valueType: ValueType.INT,
    });
    counter.add(3, { route: '/a' });
    counter.add(4, { route: '/a' });
    counter.add(1, { route: '/b' });
    const latency = meter.createHistogram('latency', {
      unit: 'ms',
      advice: { explicitBucketBoundaries: [10, 100] },
    });
    latency.record(5, { ok: true });
    latency.record(50, { ok: true });
    latency.record(500, { ok: true });
    meter.createGauge('temperature', { unit: 'Cel' }).record(21.5);

    await provider.forceFlush();
    await receiver.waitFor(() => receiver.metrics.length >= 3);
    const received = drain(receiver.metrics);
    await provider.shutdown(); // exports once more
    receiver.clear();
    return received;
  }

  it('decodes protobuf and JSON metric exports to the same normalised metrics', async () => {
    const proto = withoutTimes(await exportMetrics('protobuf'));
    const json = withoutTimes(await exportMetrics('json'));
    expect(json).toEqual(proto);

    const base = {
      resource: { 'service.name': 'recv-test' },
      scope: { name: 'recv-test-meter', version: '0.1.0', attributes: {} },
    };
    const point = { startTimeUnixNano: '', timeUnixNano: '', flags: 0, exemplars: [] };
    const expected: ReceivedMetric[] = [
      {
        ...base,
        name: 'requests',
        unit: '{request}',
        description: 'Requests served',
        kind: 'sum',
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: [
          { ...point, attributes: { route: '/a' }, value: 7 },
          { ...point, attributes: { route: '/b' }, value: 1 },
        ],
      },
      {
        ...base,
        name: 'latency',
        unit: 'ms',
        description: '',
        kind: 'histogram',
        aggregationTemporality: 2,
        dataPoints: [
          {
            ...point,
            attributes: { ok: true },
            count: 3,
            sum: 555,
            min: 5,
            max: 500,
            bucketCounts: [1, 1, 1],
            explicitBounds: [10, 100],
          },
        ],
      },
      {
        ...base,
        name: 'temperature',
        unit: 'Cel',
        description: '',
        kind: 'gauge',
        dataPoints: [{ ...point, attributes: {}, value: 21.5 }],
      },
    ];
    expect(proto).toStrictEqual(expected);
    expect(json).toStrictEqual(expected);
  });
});

describe('traces', () => {
  it('decodes spans from the protobuf trace exporter', async () => {
    const exporter = new ProtoTraceExporter({ url: `${receiver.url}/v1/traces` });
    const provider = new TracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('recv-test-tracer', '3.0.0');
    const parent = tracer.startSpan('parent op', {
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/x' },
      startTime: [1_700_000_000, 0],
    });
    const child = tracer.startSpan(
      'child op',
      {
        kind: SpanKind.CLIENT,
        attributes: { attempt: 2, ok: false, ids: [1, 2] },
        startTime: [1_700_000_000, 100],
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.addEvent('retry', { delay: 1.5 }, [1_700_000_000, 500]);
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end([1_700_000_001, 0]);
    parent.end([1_700_000_002, 0]);
    await provider.forceFlush();
    await receiver.waitFor(() => receiver.spans.length >= 2);
    await provider.shutdown();

    const { traceId, spanId: parentId } = parent.spanContext();
    const base = {
      resource: { 'service.name': 'recv-test' },
      scope: { name: 'recv-test-tracer', version: '3.0.0', attributes: {} },
      traceId,
    };
    const expected: ReceivedSpan[] = [
      {
        ...base,
        spanId: child.spanContext().spanId,
        parentSpanId: parentId,
        name: 'child op',
        kind: 3,
        startTimeUnixNano: '1700000000000000100',
        endTimeUnixNano: '1700000001000000000',
        attributes: { attempt: 2, ok: false, ids: [1, 2] },
        status: { code: 2, message: 'boom' },
        events: [
          { name: 'retry', timeUnixNano: '1700000000000000500', attributes: { delay: 1.5 } },
        ],
      },
      {
        ...base,
        spanId: parentId,
        parentSpanId: undefined,
        name: 'parent op',
        kind: 2,
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000002000000000',
        attributes: { 'http.route': '/x' },
        status: { code: 0, message: undefined },
        events: [],
      },
    ];
    expect(receiver.spans).toEqual(expected);
    expect(receiver.requests).toEqual({ '/v1/traces application/x-protobuf': 2 });
  });
});

describe('hand-built payloads', () => {
  const schema = new protobuf.Root().loadSync(
    fileURLToPath(new URL('./otlp-proto/metrics_service.proto', import.meta.url)),
  );
  const MetricsRequest = schema.lookupType(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  );

  async function post(
    path: string,
    contentType: string,
    body: Uint8Array | string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; contentType: string | null; body: Buffer }> {
    const res = await fetch(`${receiver.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: Buffer.from(await res.arrayBuffer()),
    };
  }

  it('decodes exemplars and OTLP/JSON string int64s, enum names and gzip identically', async () => {
    const time = '1700000000000000001';
    const protoBytes = MetricsRequest.encode(
      MetricsRequest.fromObject({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hand' } }] },
            scopeMetrics: [
              {
                scope: { name: 'hand-scope' },
                metrics: [
                  {
                    name: 'h',
                    histogram: {
                      aggregationTemporality: 1,
                      dataPoints: [
                        {
                          startTimeUnixNano: time,
                          timeUnixNano: time,
                          count: '2',
                          sum: 3.5,
                          bucketCounts: ['1', '1'],
                          explicitBounds: [2],
                          exemplars: [
                            {
                              timeUnixNano: time,
                              asDouble: 1.5,
                              traceId: Buffer.from(TRACE_ID, 'hex'),
                              spanId: Buffer.from(SPAN_ID, 'hex'),
                              filteredAttributes: [{ key: 'user', value: { intValue: '9' } }],
                            },
                          ],
                        },
                      ],
                    },
                  },
                  {
                    name: 'c',
                    sum: {
                      aggregationTemporality: 2,
                      isMonotonic: true,
                      dataPoints: [
                        {
                          timeUnixNano: time,
                          asInt: '-5',
                          exemplars: [{ timeUnixNano: time, asInt: '-5' }],
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    // The same request as OTLP/JSON, using every liberty the JSON mapping allows.
    const json = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hand' } }] },
          scopeMetrics: [
            {
              scope: { name: 'hand-scope', version: '' },
              metrics: [
                {
                  name: 'h',
                  histogram: {
                    aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
                    dataPoints: [
                      {
                        startTimeUnixNano: time,
                        timeUnixNano: time,
                        count: '2',
                        sum: 3.5,
                        bucketCounts: ['1', 1],
                        explicitBounds: [2],
                        exemplars: [
                          {
                            timeUnixNano: time,
                            asDouble: 1.5,
                            traceId: TRACE_ID.toUpperCase(),
                            spanId: SPAN_ID,
                            filteredAttributes: [{ key: 'user', value: { intValue: '9' } }],
                          },
                        ],
                      },
                    ],
                  },
                },
                {
                  name: 'c',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        timeUnixNano: time,
                        asInt: '-5',
                        exemplars: [{ timeUnixNano: time, asInt: -5, spanId: '' }],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });

    const protoRes = await post('/v1/metrics', 'application/x-protobuf', gzipSync(protoBytes), {
      'content-encoding': 'gzip',
    });
    expect(protoRes).toEqual({
      status: 200,
      contentType: 'application/x-protobuf',
      body: Buffer.alloc(0),
    });
    const fromProto = drain(receiver.metrics);
    const jsonRes = await post('/v1/metrics', 'application/json; charset=utf-8', json);
    expect(jsonRes).toEqual({
      status: 200,
      contentType: 'application/json',
      body: Buffer.from('{}'),
    });
    const fromJson = drain(receiver.metrics);

    const base = {
      resource: { 'service.name': 'hand' },
      scope: { name: 'hand-scope', version: undefined, attributes: {} },
      unit: '',
      description: '',
    };
    const expected: ReceivedMetric[] = [
      {
        ...base,
        name: 'h',
        kind: 'histogram',
        aggregationTemporality: 1,
        dataPoints: [
          {
            attributes: {},
            startTimeUnixNano: time,
            timeUnixNano: time,
            flags: 0,
            count: 2,
            sum: 3.5,
            bucketCounts: [1, 1],
            explicitBounds: [2],
            exemplars: [
              {
                traceId: TRACE_ID,
                spanId: SPAN_ID,
                value: 1.5,
                timeUnixNano: time,
                filteredAttributes: { user: 9 },
              },
            ],
          },
        ],
      },
      {
        ...base,
        name: 'c',
        kind: 'sum',
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: [
          {
            attributes: {},
            startTimeUnixNano: '0',
            timeUnixNano: time,
            flags: 0,
            value: -5,
            exemplars: [
              {
                traceId: undefined,
                spanId: undefined,
                value: -5,
                timeUnixNano: time,
                filteredAttributes: {},
              },
            ],
          },
        ],
      },
    ];
    expect(fromProto).toStrictEqual(expected);
    expect(fromJson).toStrictEqual(expected);
    expect(receiver.requests).toEqual({
      '/v1/metrics application/x-protobuf': 1,
      '/v1/metrics application/json': 1,
    });
  });

  it('accepts OTLP/JSON spans with enum names and hex ids', async () => {
    const res = await post(
      '/v1/traces',
      'application/json',
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [] },
            scopeSpans: [
              {
                scope: { name: 's' },
                spans: [
                  {
                    traceId: TRACE_ID,
                    spanId: SPAN_ID,
                    parentSpanId: '',
                    name: 'json span',
                    kind: 'SPAN_KIND_CONSUMER',
                    startTimeUnixNano: 1_700_000_000_000_000_000,
                    endTimeUnixNano: '1700000000000000100',
                    status: { code: 'STATUS_CODE_OK' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(res.status).toBe(200);
    expect(receiver.spans).toEqual([
      {
        resource: {},
        scope: { name: 's', attributes: {} },
        traceId: TRACE_ID,
        spanId: SPAN_ID,
        name: 'json span',
        kind: 5,
        startTimeUnixNano: '1700000000000000000',
        endTimeUnixNano: '1700000000000000100',
        attributes: {},
        status: { code: 1 },
        events: [],
      },
    ]);
  });

  it('answers errors: setStatus, unknown path, bad media type, bad payload', async () => {
    receiver.setStatus(503);
    const failed = await post('/v1/logs', 'application/json', '{"resourceLogs":[]}');
    expect(failed.status).toBe(503);
    receiver.setStatus(200);

    expect((await post('/v1/nope', 'application/json', '{}')).status).toBe(404);
    expect((await post('/v1/logs', 'text/plain', 'hi')).status).toBe(415);
    expect((await post('/v1/logs', 'application/json', '{not json')).status).toBe(400);
    expect(
      (await post('/v1/logs', 'application/x-protobuf', new Uint8Array([0x0a, 0xff]))).status,
    ).toBe(400);
    expect((await post('/v1/logs', 'application/json', '{}')).status).toBe(200);

    expect(receiver.logs).toEqual([]);
    expect(receiver.requests).toEqual({
      '/v1/logs application/json': 3,
      '/v1/nope application/json': 1,
      '/v1/logs text/plain': 1,
      '/v1/logs application/x-protobuf': 1,
    });
    expect(receiver.requestLog.map((r) => [r.status, r.error === undefined])).toEqual([
      [503, true],
      [404, false],
      [415, false],
      [400, false],
      [400, false],
      [200, true],
    ]);
  });

  it('waitFor rejects with a summary on timeout', async () => {
    await expect(receiver.waitFor(() => receiver.logs.length > 0, 50)).rejects.toThrow(
      /timed out after 50 ms; received 0 log record/,
    );
  });
});
