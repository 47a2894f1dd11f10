/**
 * The OTLP AnyValue shape, as a structural type.
 *
 * `@opentelemetry/api` 1.10 (the stable Logs API) types `AnyValue` as `unknown`
 * and `Attributes` as `{ [key: string]: unknown }`, so that callers may pass
 * anything and the SDK decides what it keeps. Our conversion, redaction and
 * limit code walks values and needs the union that the OTLP data model defines
 * (https://opentelemetry.io/docs/specs/otel/logs/data-model/#type-any); every
 * value of this type is assignable to the API's.
 */
export type AnyValueScalar = string | number | boolean;

/** An OTLP `ArrayValue`. */
export type AnyValueArray = AnyValue[];

/** An OTLP `KeyValueList` (a map with string keys). */
export interface AnyValueMap {
  [attributeKey: string]: AnyValue;
}

/** One OTLP `AnyValue`: scalar, bytes, array, map, or empty. */
export type AnyValue = AnyValueScalar | Uint8Array | AnyValueArray | AnyValueMap | null | undefined;

/** LogRecord attributes as we build them: a map of AnyValues. */
export type LogAttributes = AnyValueMap;
