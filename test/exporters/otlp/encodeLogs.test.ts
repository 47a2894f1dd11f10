// Conformance of our OTLP logs encoders (src/exporters/otlp/) against the
// official opentelemetry-proto definitions (test/helpers/otlp-proto, decoded
// with protobufjs) and against the SDK's own serializers
// (@opentelemetry/otlp-transformer) for the same records, over arbitrary
// batches: AnyValue trees (nested maps and arrays, bytes, integers past 2^53
// and past 2^63, NaN/±Infinity/-0, lone surrogates, empty values), dropped
// counts, flags, event names, every severity number, several resources and
// scopes. A wrong byte here is silent data loss at the receiver.
import { fileURLToPath } from 'node:url';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import type { IConversionOptions, Type } from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  encodeLogsJson,
  encodeLogsJsonString,
} from '../../../src/exporters/otlp/encodeLogsJson.js';
import { encodeLogsProtobuf } from '../../../src/exporters/otlp/encodeLogsProtobuf.js';

const root = new protobuf.Root();
root.loadSync(
  ['logs_service.proto'].map((f) =>
    fileURLToPath(new URL(`../../helpers/otlp-proto/${f}`, import.meta.url)),
  ),
);
root.resolveAll();
const Request: Type = root.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);
const TO_OBJECT: IConversionOptions = { longs: String, bytes: String, enums: Number };

/** The request as the .proto definitions read it (bytes/ids base64, int64 as strings). */
function decode(bytes: Uint8Array): unknown {
  return Request.toObject(Request.decode(bytes), TO_OBJECT);
}

/** OTLP/JSON → the protobufjs JSON form (ids hex → base64), then read through the .proto. */
function decodeOtlpJson(text: string): unknown {
  const tree = JSON.parse(text) as { resourceLogs?: Array<Record<string, unknown>> };
  for (const rl of tree.resourceLogs ?? []) {
    for (const sl of (rl.scopeLogs as Array<Record<string, unknown>>) ?? []) {
      for (const r of (sl.logRecords as Array<Record<string, string>>) ?? []) {
        for (const k of ['traceId', 'spanId'] as const) {
          if (r[k] !== undefined) r[k] = Buffer.from(r[k], 'hex').toString('base64');
        }
      }
    }
  }
  return Request.toObject(Request.fromObject(tree), TO_OBJECT);
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

/** Any UTF-16 code unit, lone surrogates included. */
const anyUnitString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 20,
});
const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  anyUnitString,
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ minLength: 60, maxLength: 400 }), // past the 1-byte length prefix
);
const numbers = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(), // includes NaN, ±Infinity, -0
  fc.constantFrom(
    2 ** 53,
    2 ** 53 + 2,
    2 ** 60,
    -(2 ** 60),
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    -(2 ** 64),
    0xffffffff,
    2 ** 32,
    -1,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
  ),
);
const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    numbers,
    fc.boolean(),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(null, undefined, '', new Uint8Array(0)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
}));
const attributes = fc.dictionary(text, anyValue, { maxKeys: 6 });
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const hrTime = fc.tuple(
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fc.integer({ min: 0, max: 999_999_999 }),
);

const resources = fc
  .array(
    fc.record(
      { attributes, schemaUrl: fc.option(text, { nil: undefined }) },
      { requiredKeys: ['attributes'] },
    ),
    { minLength: 1, maxLength: 2 },
  )
  .map((list) =>
    list.map(({ attributes: a, schemaUrl }) =>
      resourceFromAttributes(a as Record<string, string>, schemaUrl ? { schemaUrl } : undefined),
    ),
  );
const scopes = fc.array(
  fc.record(
    {
      name: text,
      version: text,
      schemaUrl: text,
      attributes,
      droppedAttributesCount: fc.nat(1000),
    },
    { requiredKeys: ['name'] },
  ),
  { minLength: 1, maxLength: 3 },
);
const recordShape = fc.record(
  {
    resourceIndex: fc.nat(),
    scopeIndex: fc.nat(),
    hrTime,
    hrTimeObserved: hrTime,
    severityNumber: fc.integer({ min: 0, max: 24 }),
    severityText: text,
    body: anyValue,
    eventName: text,
    attributes,
    droppedAttributesCount: fc.nat(),
    spanContext: fc.record({
      traceId: fc.oneof(hex(16), fc.constant('')),
      spanId: fc.oneof(hex(8), fc.constant('')),
      traceFlags: fc.integer({ min: 0, max: 255 }),
    }),
  },
  {
    requiredKeys: [
      'resourceIndex',
      'scopeIndex',
      'hrTime',
      'hrTimeObserved',
      'attributes',
      'droppedAttributesCount',
    ],
  },
);
const batches = fc.tuple(resources, scopes, fc.array(recordShape, { maxLength: 12 })).map(
  ([res, scs, shapes]) =>
    shapes.map(({ resourceIndex, scopeIndex, ...rest }) => ({
      ...rest,
      resource: res[resourceIndex % res.length]!,
      instrumentationScope: scs[scopeIndex % scs.length]!,
    })) as unknown as ReadableLogRecord[],
);

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
