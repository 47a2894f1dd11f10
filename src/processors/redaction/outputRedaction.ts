import type { AnyValue } from '../../logger/anyValue.js';
import { toAnyValue } from '../../logger/toAnyValue.js';
import { reportOnce, setDiagRedaction } from '../../internal/reportOnce.js';
import { REDACTED, Redactor } from './Redactor.js';
import type { ResolvedRedactionOptions } from './RedactionOptions.js';

/**
 * What stands for a value that could not be redacted (it threw, or was too
 * large or deep for the redactor): its contents are never shown.
 */
export const UNREDACTABLE = '[REDACTED: value could not be redacted]';

/**
 * The redaction of the live registration's `redaction` options, for the
 * places that reshape values before a record exists: the helpers' summaries
 * (`gen_ai.tool.call.arguments`, a user interaction's response), the console
 * bridge's formatting of objects into the message, and the span attributes
 * and statuses the helpers set. They redact with the same rules as the
 * pipeline's `redact` step (compiled into their own {@link Redactor}, as one
 * instance serves one value at a time) before they encode or cut, so no
 * secret survives by being cut in half or hidden in a format no pattern
 * reads. The record then goes through the pipeline's step as well (which
 * leaves placeholders alone). `undefined` (before any registration) means
 * the default rules; `false` (the `redaction: false` option) none.
 */
let current: Redactor | false | undefined;
let defaults: Redactor | undefined;

/**
 * Sets the rules of {@link redactForOutput}: the options of the live
 * registration, `false` for none, `undefined` for the defaults.
 * @throws {@link LoggingConfigError} for invalid options (validated by the
 *   pipeline's step first, in practice).
 */
export function setOutputRedaction(options: ResolvedRedactionOptions | false | undefined): void {
  current = options === false ? false : options === undefined ? undefined : new Redactor(options);
}

function redactor(): Redactor | false {
  if (current !== undefined) return current;
  return (defaults ??= Redactor.fromOptions(undefined));
}

/**
 * `value` as an OTel AnyValue (circular references, throwing getters and
 * Proxies described, never read raw; see toAnyValue) with every secret
 * redacted. Fails closed: a value the redactor gives up on becomes
 * {@link UNREDACTABLE}. Never throws.
 */
export function redactForOutput(value: unknown): AnyValue {
  let safe: AnyValue;
  try {
    safe = toAnyValue(value);
  } catch (error) {
    reportOnce('output-redaction', 'a value could not be converted for redaction', error);
    return UNREDACTABLE;
  }
  const r = redactor();
  if (r === false) return safe;
  try {
    return r.redact(safe).value;
  } catch (error) {
    reportOnce('output-redaction', 'a value could not be redacted; it was replaced', error);
    return UNREDACTABLE;
  }
}

/** {@link redactForOutput} for a string; never throws. */
export function redactTextForOutput(text: string): string {
  const out = redactForOutput(text);
  return typeof out === 'string' ? out : UNREDACTABLE;
}

/**
 * A redacted value as one line of JSON (bytes as base64), for a summary.
 * A string stays as it is (redacted), not quoted. Never throws.
 */
export function redactedJson(value: unknown): string {
  const safe = redactForOutput(value);
  if (typeof safe === 'string') return safe;
  try {
    return (
      JSON.stringify(safe, (_key, v: unknown) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
      ) ?? 'null'
    );
  } catch {
    return REDACTED;
  }
}

/**
 * An error as `Span.recordException` takes it (`name`, `message`, `stack`),
 * each redacted: span events reach the trace exporter, not the log pipeline.
 * Never throws.
 */
export function redactedException(error: unknown): {
  name: string;
  message: string;
  stack?: string;
} {
  const converted = redactForOutput(error);
  if (typeof converted === 'object' && converted !== null && !Array.isArray(converted)) {
    const map = converted as Record<string, AnyValue>;
    const out: { name: string; message: string; stack?: string } = {
      name: typeof map.type === 'string' ? map.type : 'Error',
      message: typeof map.message === 'string' ? map.message : '',
    };
    if (typeof map.stacktrace === 'string') out.stack = map.stacktrace;
    return out;
  }
  return { name: 'Error', message: typeof converted === 'string' ? converted : UNREDACTABLE };
}

// What reportOnce hands to diag is redacted with the same rules.
setDiagRedaction(redactTextForOutput);
