import { isValidTraceId } from '@opentelemetry/api';

/**
 * Trace-id ratio sampling, computed exactly as `TraceIdRatioBasedSampler` of
 * `@opentelemetry/sdk-trace` 2.x does for spans, so that logs and spans
 * sampled at the same ratio keep the same traces.
 */

/** One above the largest accumulated value: what ratio 1 compares against. */
const ALWAYS = 0x100000000;

/** The bound an accumulated trace id must be under to be kept at `ratio` (0..1). */
export function traceIdRatioUpperBound(ratio: number): number {
  const r = Number.isNaN(ratio) ? 0 : ratio >= 1 ? 1 : ratio <= 0 ? 0 : ratio;
  return r === 1 ? ALWAYS : Math.floor(r * 0xffffffff);
}

/** XORs the 32 hex digits of a trace id in four 8-digit chunks, as an unsigned 32-bit number. */
export function accumulateTraceId(traceId: string): number {
  let accumulation = 0;
  for (let i = 0; i < 32; i += 8) {
    let part = 0;
    for (let j = 0; j < 8; j++) {
      const c = traceId.charCodeAt(i + j);
      // '0'-'9' -> 0-9, 'A'-'F' -> 10-15, 'a'-'f' -> 10-15
      const v = c < 58 ? c - 48 : c < 71 ? c - 55 : c - 87;
      part = (part << 4) | v;
    }
    accumulation = (accumulation ^ part) >>> 0;
  }
  return accumulation;
}

/** Whether the trace `traceId` is kept under `upperBound` (from {@link traceIdRatioUpperBound}). */
export function keepTraceId(traceId: string, upperBound: number): boolean {
  return isValidTraceId(traceId) && accumulateTraceId(traceId) < upperBound;
}
