/**
 * The nanoseconds since the epoch of an OTel HrTime `[seconds, nanoseconds]`
 * that the encoders' fast paths do not take (any other than two integers,
 * seconds in [0, 2^32), nanoseconds in [0, 10^9)): finite non-negative parts
 * are truncated to integers and added (a non-normalised `[1, 1.5e9]` is
 * 2.5 s); anything else (NaN, ±Infinity, a negative part, which a
 * `timestamp: NaN` or an invalid `Date` passed to the Logs API's `emit()`
 * gives) is 0, which OTLP defines as an unknown timestamp
 * (opentelemetry-proto logs.proto, `time_unix_nano`), so the record is kept
 * and the receiver uses its observed time. The SDK's serializers throw on
 * these and lose the batch. Both of our encodings write this same value.
 *
 * @internal
 */
export function hrTimeNanos(seconds: number, nanos: number): bigint {
  if (!(Number.isFinite(seconds) && seconds >= 0 && Number.isFinite(nanos) && nanos >= 0)) {
    return 0n;
  }
  const total = BigInt(Math.trunc(seconds)) * 1_000_000_000n + BigInt(Math.trunc(nanos));
  // fixed64: past 2^64 - 1 the time is not representable either.
  return total < 1n << 64n ? total : 0n;
}

/** Whether the encoders' fast paths take this HrTime as it is (see {@link hrTimeNanos}). @internal */
export function isPlainHrTime(seconds: number, nanos: number): boolean {
  return (
    Number.isInteger(seconds) &&
    seconds >= 0 &&
    seconds < 4294967296 &&
    Number.isInteger(nanos) &&
    nanos >= 0 &&
    nanos < 1e9
  );
}
