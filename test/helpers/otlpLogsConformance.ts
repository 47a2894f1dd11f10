// Shared by the OTLP logs encoding conformance tests (unit and e2e): the
// official opentelemetry-proto definitions (./otlp-proto, read with
// protobufjs) and fast-check arbitraries of ReadableLogRecord batches.
import { fileURLToPath } from 'node:url';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import type { IConversionOptions, Type } from 'protobufjs';

const root = new protobuf.Root();
root.loadSync(
  ['logs_service.proto'].map((f) => fileURLToPath(new URL(`./otlp-proto/${f}`, import.meta.url))),
);
root.resolveAll();
const Request: Type = root.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);
const TO_OBJECT: IConversionOptions = { longs: String, bytes: String, enums: Number };

/** The request as the .proto definitions read it (bytes/ids base64, int64 as strings). */
export function decode(bytes: Uint8Array): unknown {
  return Request.toObject(Request.decode(bytes), TO_OBJECT);
}

/** OTLP/JSON → the protobufjs JSON form (ids hex → base64), then read through the .proto. */
export function decodeOtlpJson(text: string): unknown {
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

export const resources = fc
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
export const batches = fc.tuple(resources, scopes, fc.array(recordShape, { maxLength: 12 })).map(
  ([res, scs, shapes]) =>
    shapes.map(({ resourceIndex, scopeIndex, ...rest }) => ({
      ...rest,
      resource: res[resourceIndex % res.length]!,
      instrumentationScope: scs[scopeIndex % scs.length]!,
    })) as unknown as ReadableLogRecord[],
);
