// fast-check generators of OTLP/JSON log lines and of `view` filter flags,
// shared by the tests of the filters' fast path and of the selective decode.
import fc from 'fast-check';
import type { FilterFlags, RecordFilter } from '../../src/cli/filters.js';
import type { RecordPredicate } from '../../src/cli/otlp.js';

// Records are generated with the encoding variants OTLP/JSON allows and with
// message text that looks like the keys the fast path scans for.

export const BASE = 1_735_689_600_000n * 1_000_000n; // 2025-01-01T00:00:00Z in ns
export const HOUR = 3_600_000_000_000n;

const tricky = fc.constantFrom(
  'plain text',
  '"timeUnixNano":"1"',
  '"severityNumber":24',
  '"severityText":"FATAL"',
  'ends with timeUnixNano',
  'say "hi" <b>&</b>',
  'path/to/file',
  'ünïcödé ✓',
  'line\nbreak\ttab',
  'llm',
  'checkout',
  // Lowercase to ASCII (`k`, `i` and a combining dot): for --ignore-case.
  'Kelvin \u212a',
  '\u0130stanbul',
  '',
);
const text = fc.oneof(
  tricky,
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

const nanos = fc.bigInt({ min: 0n, max: 6n }).map((hours) => (BASE + hours * HOUR).toString());
const time = fc.oneof(
  nanos,
  nanos.map((value) => Number(value)),
  fc.constant('0'),
  fc.constant(undefined),
);
const severityNumber = fc.oneof(
  fc.integer({ min: 0, max: 24 }),
  fc.constantFrom('SEVERITY_NUMBER_WARN', 'SEVERITY_NUMBER_INFO', 'SEVERITY_NUMBER_FATAL2'),
  fc.constant(undefined),
);
const severityText = fc.oneof(
  fc.constantFrom('INFO', 'WARN', 'error', 'Warning', 'NOTICE', 'FATAL', 'WA\\"RN', 'bogus'),
  fc.constant(undefined),
);

const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text.map((s) => ({ stringValue: s })),
    fc.integer().map((n) => ({ intValue: String(n) })),
    fc.integer().map((n) => ({ intValue: n })),
    fc.double().map((d) => ({ doubleValue: Number.isFinite(d) ? d : String(d) })),
    fc.boolean().map((b) => ({ boolValue: b })),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    fc
      .array(fc.record({ key: text, value: tie('value') }), { maxLength: 3 })
      .map((values) => ({ kvlistValue: { values } })),
  ),
})).value;

const attributeKey = fc.constantFrom('logkit.category', 'user.id', 'success', 'url.path', 'k');
const CATEGORIES = ['llm', 'user', 'a/b', 'say "hi" <b>&</b>'];
const SERVICES = ['checkout', 'plain text', 'path/to/file'];
const attribute = fc.oneof(
  fc.record({ key: attributeKey, value: anyValue }),
  // Entries decodeKeyValues passes over or reads as `undefined`, and an
  // entry with its value first.
  fc.constantFrom(null, 7, [], ['logkit.category']),
  fc.record({ key: fc.constantFrom(1, null, ['k']), value: anyValue }),
  fc.record({ key: attributeKey }),
  fc.record({ key: attributeKey, value: fc.constantFrom(null, {}, { stringValue: null }) }),
  fc.record({ value: anyValue, key: attributeKey }),
  fc.record({
    key: fc.constant('logkit.category'),
    value: fc.constantFrom(...CATEGORIES).map((c) => ({ stringValue: c })),
  }),
  fc.record({
    key: attributeKey,
    value: fc.constantFrom('true', 'llm', '1', 'plain text').map((v) => ({ stringValue: v })),
  }),
);
const record = fc.record(
  {
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber,
    severityText,
    body: anyValue,
    attributes: fc.array(attribute, { maxLength: 4 }),
    traceId: fc.constantFrom(
      '4bf92f3577b34da6a3ce929d0e0e4736',
      '4BF92F3577B34DA6A3CE929D0E0E4736',
      '',
      'ffff0000ffff0000ffff0000ffff0000',
    ),
  },
  { requiredKeys: [] },
);
export const request = fc.record({
  resourceLogs: fc.array(
    fc.record({
      resource: fc.record({
        attributes: fc.array(
          fc.record({ key: fc.constantFrom('service.name', 'host.name'), value: anyValue }),
          {
            maxLength: 2,
          },
        ),
      }),
      scopeLogs: fc.array(
        fc.record({
          scope: fc.record({ name: text }),
          logRecords: fc.array(record, { maxLength: 4 }),
        }),
        {
          maxLength: 2,
        },
      ),
    }),
    { minLength: 1, maxLength: 2 },
  ),
});

const flagParts = {
  category: fc.array(fc.constantFrom(...CATEGORIES), { minLength: 1, maxLength: 2 }),
  service: fc.array(fc.constantFrom(...SERVICES), { minLength: 1, maxLength: 2 }),
  level: fc.constantFrom('trace', 'info', 'notice', 'warn', 'error', 'fatal', '24'),
  since: nanos,
  until: nanos,
  keyword: fc.oneof(
    tricky.filter((t) => t !== ''),
    fc.constantFrom('text', 'plain', 'hi', '<b>', 'a/b', '1', 'e', 'ul', 'true', 'K', 'LLM', 'I'),
    fc.string({ minLength: 1, maxLength: 3 }),
  ),
  grep: fc.constantFrom('^p', 'text$', '[0-9]', 'timeUnixNano'),
  ignoreCase: fc.boolean(),
  traceId: fc.constantFrom('4bf9', '4BF92F35', 'ffff'),
  attr: fc.array(
    fc
      .tuple(attributeKey, fc.constantFrom('true', 'llm', '1', 'plain text'))
      .map(([k, v]) => `${k}=${v}`),
    { minLength: 1, maxLength: 2 },
  ),
};
type FlagName = keyof typeof flagParts;
// One to three filters at a time, so that records do match.
export const flags: fc.Arbitrary<FilterFlags> = fc
  .shuffledSubarray(Object.keys(flagParts) as FlagName[], { minLength: 1, maxLength: 3 })
  .chain((names) =>
    fc.record(
      Object.fromEntries(names.map((name) => [name, flagParts[name]])) as {
        [K in FlagName]: (typeof flagParts)[K];
      },
    ),
  );

// Go's encoder (the Collector's) escapes <, > and & in strings; some escape /.
export function goStyle(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

const u = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

// Encoders such as Python's (`ensure_ascii`) write every character outside printable ASCII as a `\u` escape.
export function asciiStyle(json: string): string {
  return json.replace(/[^\u0020-\u007e]/g, u);
}

// Attribute keys and string values with their first character written as a
// `\u` escape: valid JSON no encoder writes, which the record scan must
// still read right (or leave to the full decode).
export function escapedStyle(json: string): string {
  return json.replace(
    /"(key|stringValue)":"([^"\\])/g,
    (_m, name: string, c: string) => `"${name}":"${u(c)}`,
  );
}

/** The ways a request line is written in the property tests (see {@link writeLine}). */
export type LineStyle =
  'plain' | 'go' | 'slash' | 'spaced' | 'tabs' | 'reversed' | 'ascii' | 'escaped';

/** `request` as one line of JSON, written in `style`. */
export function writeLine(request: unknown, style: LineStyle): string {
  switch (style) {
    case 'go':
      return goStyle(JSON.stringify(request));
    case 'ascii':
      return asciiStyle(JSON.stringify(request));
    case 'escaped':
      return escapedStyle(JSON.stringify(request));
    case 'slash':
      return JSON.stringify(request).replace(/\//g, '\\/');
    case 'spaced':
      return JSON.stringify(request, null, 1).replace(/\n/g, ' ');
    case 'tabs':
      return JSON.stringify(request, null, '\t').replace(/\n/g, '\r');
    case 'reversed':
      return JSON.stringify(reversedKeys(request));
    default:
      return JSON.stringify(request);
  }
}

// Every object's keys in reverse order: members need not come in the order encoders write them.
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reversedKeys(inner)]),
  );
}

/**
 * The filter without its shortcuts (`recordMayMatch`, `rawMayMatch`): every
 * record that passes the raw check is decoded whole and judged by `matches`.
 * The reference the fast paths are compared with.
 */
export function fullDecode(filter: RecordFilter): RecordPredicate {
  return {
    minSeverity: filter.minSeverity,
    matchesRaw: (timeNs, severity, traceId) => filter.matchesRaw(timeNs, severity, traceId),
    matches: (record) => filter.matches(record),
  };
}
