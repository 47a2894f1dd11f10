// Conformance of our OTLP logs encoders (src/exporters/otlp/) against the
// official opentelemetry-proto definitions (test/helpers/otlp-proto, decoded
// with protobufjs) and against the SDK's own serializers
// (@opentelemetry/otlp-transformer) for the same records, over arbitrary
// batches: AnyValue trees (nested maps and arrays, bytes, integers past 2^53
// and past 2^63, NaN/±Infinity/-0, lone surrogates, empty values), dropped
// counts, flags, event names, every severity number, several resources and
// scopes. A wrong byte here is silent data loss at the receiver.
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeLogsJson,
  encodeLogsJsonString,
} from '../../../src/exporters/otlp/encodeLogsJson.js';
import { encodeLogsProtobuf } from '../../../src/exporters/otlp/encodeLogsProtobuf.js';
import { batches, decode, decodeOtlpJson, resources } from '../../helpers/otlpLogsConformance.js';

const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------------------

describe('encodeLogsProtobuf', () => {
  it('should produce what the .proto decodes to the same request as the SDK serializer', () => {
    fc.assert(
      fc.property(batches, (batch) => {
        const ours = encodeLogsProtobuf(batch);
        const sdk = ProtobufLogsSerializer.serializeRequest(batch)!;
        expect(decode(ours)).toEqual(decode(sdk));
      }),
      RUNS,
    );
  });

  it('should write the same bytes as the SDK serializer (same field order, canonical varints)', () => {
    fc.assert(
      fc.property(batches, (batch) => {
        const ours = encodeLogsProtobuf(batch);
        const sdk = ProtobufLogsSerializer.serializeRequest(batch)!;
        expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(sdk).toString('hex'));
      }),
      RUNS,
    );
  });

  it('should write one key with a value of each type, in turn, as the SDK does (scalars at their bounds)', () => {
    // The key is pre-encoded and the length of a scalar value written up
    // front: each must hold at the edges of the sizes it assumes.
    const values: unknown[] = [
      0,
      127,
      128,
      16_383,
      16_384,
      2 ** 32 - 1,
      2 ** 32,
      -1,
      2 ** 60,
      -(2 ** 63),
      0.5,
      -0.5,
      NaN,
      Infinity,
      -Infinity,
      true,
      false,
      's',
      '',
      'é'.repeat(70),
      null,
      new Uint8Array([1, 2]),
      [1, 'a'],
      { inner: 'x', n: 2 },
    ];
    const resource = resourceFromAttributes({ 'service.name': 'proto' });
    const scope = { name: 's' };
    const keys = ['same', 'k'.repeat(130), 'ключ', 'lone\ud800'];
    const batch = values.map((value, i) => ({
      hrTime: [1_700_000_000, i],
      hrTimeObserved: [1_700_000_000, i],
      severityNumber: 9,
      body: value,
      attributes: Object.fromEntries([...keys.map((k) => [k, value]), ['other', i]]),
      droppedAttributesCount: 0,
      resource,
      instrumentationScope: scope,
    })) as unknown as ReadableLogRecord[];
    const sdk = Buffer.from(ProtobufLogsSerializer.serializeRequest(batch)!).toString('hex');
    expect(Buffer.from(encodeLogsProtobuf(batch)).toString('hex')).toBe(sdk);
    // Twice, now that every key is pre-encoded.
    expect(Buffer.from(encodeLogsProtobuf(batch)).toString('hex')).toBe(sdk);
  });

  it('should return a buffer of its own: a later batch does not overwrite an earlier one', () => {
    const batch = fc.sample(
      batches.filter((b) => b.length > 0),
      { numRuns: 2, seed: 7 },
    );
    const first = encodeLogsProtobuf(batch[0]!);
    const copy = Uint8Array.from(first);
    encodeLogsProtobuf(batch[1]!);
    expect(first).toEqual(copy);
  });

  it('should encode an empty batch as an empty request', () => {
    expect(encodeLogsProtobuf([])).toEqual(new Uint8Array(0));
  });

  it('should keep large records intact (lengths past one and two varint bytes)', () => {
    const [resource] = fc.sample(resources, { numRuns: 1, seed: 1 })[0]!;
    const scope = { name: 'big' };
    const batch = [200, 20_000, 3_000_000].map((n) => ({
      hrTime: [1, 2],
      hrTimeObserved: [3, 4],
      body: 'é'.repeat(n),
      attributes: { blob: new Uint8Array(n) },
      droppedAttributesCount: 0,
      resource,
      instrumentationScope: scope,
    })) as unknown as ReadableLogRecord[];
    expect(decode(encodeLogsProtobuf(batch))).toEqual(
      decode(ProtobufLogsSerializer.serializeRequest(batch)!),
    );
  });
});

describe('encodeLogsJson', () => {
  it('should read through the .proto (OTLP/JSON rules) as the same request as the SDK protobuf', () => {
    fc.assert(
      fc.property(batches, (batch) => {
        const ours = Buffer.from(encodeLogsJson(batch)).toString('utf8');
        expect(decodeOtlpJson(ours)).toEqual(
          decode(ProtobufLogsSerializer.serializeRequest(batch)!),
        );
      }),
      RUNS,
    );
  });

  it('should follow the OTLP/JSON spelling: hex ids, int64 as strings, enums as integers', () => {
    fc.assert(
      fc.property(batches, (batch) => {
        const tree = JSON.parse(encodeLogsJsonString(batch)) as {
          resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<Record<string, unknown>> }> }>;
        };
        const seen: unknown[] = [];
        const walkValue = (v: Record<string, unknown>): void => {
          if ('intValue' in v) expect(v.intValue).toMatch(/^-?\d+$/);
          if ('doubleValue' in v && typeof v.doubleValue !== 'number') {
            expect(['NaN', 'Infinity', '-Infinity']).toContain(v.doubleValue);
          }
          const a = v.arrayValue as { values: Array<Record<string, unknown>> } | undefined;
          a?.values.forEach(walkValue);
          const m = v.kvlistValue as
            { values: Array<{ value: Record<string, unknown> }> } | undefined;
          m?.values.forEach((kv) => walkValue(kv.value));
        };
        for (const rl of tree.resourceLogs) {
          for (const sl of rl.scopeLogs) {
            for (const r of sl.logRecords) {
              seen.push(r);
              expect(r.timeUnixNano).toMatch(/^\d+$/);
              expect(r.observedTimeUnixNano).toMatch(/^\d+$/);
              if (r.traceId !== undefined) expect(r.traceId).toMatch(/^[0-9a-f]{32}$/);
              if (r.spanId !== undefined) expect(r.spanId).toMatch(/^[0-9a-f]{16}$/);
              if (r.severityNumber !== undefined) expect(typeof r.severityNumber).toBe('number');
              if (r.body !== undefined) walkValue(r.body as Record<string, unknown>);
              for (const kv of (r.attributes ?? []) as Array<{ value: Record<string, unknown> }>) {
                walkValue(kv.value);
              }
            }
          }
        }
        expect(seen).toHaveLength(batch.length);
      }),
      RUNS,
    );
  });

  it('should write one key with a value of each type, in turn, as the SDK does', () => {
    // Each key's prefix is kept with the opening of the value type it last
    // met (string, integer, boolean): the same key must switch types cleanly.
    const values: unknown[] = [
      's',
      7,
      true,
      false,
      -3,
      2 ** 60,
      1.5,
      NaN,
      null,
      new Uint8Array([1, 2]),
      [1, 'a'],
      { inner: 'x', n: 2 },
      '',
      0,
      'a "quoted" \\ value\n',
    ];
    const resource = resourceFromAttributes({ 'service.name': 'json' });
    const scope = { name: 's' };
    const batch = values.map((value, i) => ({
      hrTime: [1_700_000_000, i],
      hrTimeObserved: [1_700_000_000, i],
      severityNumber: 9,
      body: value,
      attributes: { same: value, 'same.too': value, other: i },
      droppedAttributesCount: 0,
      resource,
      instrumentationScope: scope,
    })) as unknown as ReadableLogRecord[];
    const ours = Buffer.from(encodeLogsJson(batch)).toString('utf8');
    expect(decodeOtlpJson(ours)).toEqual(decode(ProtobufLogsSerializer.serializeRequest(batch)!));
    // Twice, now that every prefix is made.
    const again = Buffer.from(encodeLogsJson(batch)).toString('utf8');
    expect(again).toBe(ours);
  });

  it('should write runs of one span, one level and one instant as the SDK does, batch after batch', () => {
    // The span's fields and the severity fields written last are kept as
    // bytes, and equal timestamps are copied: each must follow changes of
    // every part (ids, flags, number, text, either time), and survive the
    // shared writer being reused by the next batch.
    const resource = resourceFromAttributes({ 'service.name': 'json' });
    const scope = { name: 's' };
    const span = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    };
    const variants: Array<Record<string, unknown>> = [
      {},
      {},
      { spanContext: { ...span } },
      { spanContext: { ...span, traceFlags: 0 } },
      { spanContext: { ...span, spanId: '00f067aa0ba902b7' } },
      { spanContext: { ...span, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } },
      { spanContext: undefined },
      { severityText: 'WARN' },
      { severityNumber: 13 },
      { severityNumber: 13, severityText: 'WARN' },
      { severityNumber: undefined, severityText: undefined },
      { severityText: 'a "quoted" level' },
      { hrTimeObserved: [1_700_000_001, 5] },
      { hrTime: [1_700_000_000, 6] },
      {},
    ];
    // A scope name of another length per batch moves every later byte.
    const scopes = variants.map((_, i) => ({ name: 's'.repeat(i + 1) }));
    const record = (i: number, variant: Record<string, unknown>, at = 0): ReadableLogRecord =>
      ({
        hrTime: [1_700_000_000, 5],
        hrTimeObserved: [1_700_000_000, 5],
        severityNumber: 9,
        severityText: 'INFO',
        spanContext: span,
        body: `record ${i}`,
        attributes: { i },
        droppedAttributesCount: 0,
        resource,
        instrumentationScope: scopes[at] ?? scope,
        ...variant,
      }) as unknown as ReadableLogRecord;
    const expectSame = (batch: ReadableLogRecord[]): void => {
      const ours = Buffer.from(encodeLogsJson(batch)).toString('utf8');
      expect(decodeOtlpJson(ours)).toEqual(decode(ProtobufLogsSerializer.serializeRequest(batch)!));
    };
    // Each variant in a batch of its own (the writer reused in between), then all in one.
    variants.forEach((variant, i) =>
      expectSame([record(i, variant, i), record(i + 100, variant, i)]),
    );
    expectSame(variants.map((variant, i) => record(i, variant)));
    expectSame(variants.map((variant, i) => record(i, variant)).reverse());
  });

  it('should carry what the SDK JSON serializer carries, and non-finite doubles it writes as null', () => {
    const resource = resourceFromAttributes({ 'service.name': 'json' });
    const batch = [
      {
        hrTime: [1_700_000_000, 5],
        hrTimeObserved: [1_700_000_000, 6],
        severityNumber: 17,
        severityText: 'ERROR',
        body: { n: NaN, inf: -Infinity, big: 2 ** 60 },
        attributes: { k: 'v' },
        droppedAttributesCount: 2,
        eventName: 'e',
        spanContext: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 },
        resource,
        instrumentationScope: { name: 's', version: '1' },
      },
    ] as unknown as ReadableLogRecord[];
    type Tree = {
      resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<Record<string, unknown>> }> }>;
    };
    const firstRecord = (json: string) =>
      (JSON.parse(json) as Tree).resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    const oursRecord = firstRecord(encodeLogsJsonString(batch));
    const sdkRecord = firstRecord(
      Buffer.from(JsonLogsSerializer.serializeRequest(batch)!).toString(),
    );
    for (const k of [
      'timeUnixNano',
      'observedTimeUnixNano',
      'severityNumber',
      'severityText',
      'eventName',
      'traceId',
      'spanId',
      'flags',
      'droppedAttributesCount',
      'attributes',
    ]) {
      expect(oursRecord[k], k).toEqual(sdkRecord[k]);
    }
    expect(oursRecord['body']).toEqual({
      kvlistValue: {
        values: [
          { key: 'n', value: { doubleValue: 'NaN' } },
          { key: 'inf', value: { doubleValue: '-Infinity' } },
          { key: 'big', value: { intValue: '1152921504606846976' } },
        ],
      },
    });
  });
});

describe('timestamps without a valid value', () => {
  it('should be written as 0 (unknown) by both encodings, keeping the record and the observed time', () => {
    // `emit({ timestamp: NaN })` or an invalid Date gives the SDK record an
    // HrTime of [NaN, NaN]; the SDK's serializers throw on it (the batch is lost).
    const resource = resourceFromAttributes({ 'service.name': 'time' });
    const scope = { name: 's' };
    const record = (hrTime: [number, number]) =>
      ({
        hrTime,
        hrTimeObserved: [1_700_000_000, 7],
        body: 'kept',
        attributes: {},
        droppedAttributesCount: 0,
        resource,
        instrumentationScope: scope,
      }) as unknown as ReadableLogRecord;
    const batch = [record([NaN, NaN]), record([-1, 5]), record([Infinity, 0]), record([2, 1.5e9])];
    const fromProtobuf = decode(encodeLogsProtobuf(batch));
    const fromJson = decodeOtlpJson(encodeLogsJsonString(batch));
    expect(fromJson).toEqual(fromProtobuf);
    const records = (
      JSON.parse(encodeLogsJsonString(batch)) as {
        resourceLogs: [{ scopeLogs: [{ logRecords: Array<Record<string, unknown>> }] }];
      }
    ).resourceLogs[0].scopeLogs[0].logRecords;
    expect(records.map((r) => r.timeUnixNano)).toEqual(['0', '0', '0', '3500000000']);
    expect(records.map((r) => r.observedTimeUnixNano)).toEqual(
      Array(4).fill('1700000000000000007'),
    );
    expect(records.map((r) => r.body)).toEqual(Array(4).fill({ stringValue: 'kept' }));
  });
});
