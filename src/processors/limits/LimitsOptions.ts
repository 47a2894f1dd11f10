import { fail, integer, pick, type Env } from '../../config/validate.js';

/**
 * Truncation limits (the limit step). Each truncated string is marked
 * `…[truncated N chars]`; attributes past the count are dropped and counted in
 * the record's `droppedAttributesCount`.
 */
export interface LimitsOptions {
  /**
   * `summary`: the seed's 500-character summaries of large responses, that is
   * `bodyLength` and `attributeValueLength` of 500 unless given.
   */
  readonly preset?: 'summary';
  /** Characters per string attribute value. `OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT`; default no limit. */
  readonly attributeValueLength?: number;
  /** Attributes per record. `OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT`; default 128. */
  readonly attributeCount?: number;
  /** Characters of a string body. `OTEL_LOGKIT_BODY_LENGTH_LIMIT`; default no limit. */
  readonly bodyLength?: number;
}

/** {@link LimitsOptions} resolved; `Infinity` turns one off. */
export interface ResolvedLimits {
  /** Characters per string attribute value (also inside arrays and maps). */
  readonly attributeValueLength: number;
  /** Attributes per record; the rest are dropped and counted in `droppedAttributesCount`. */
  readonly attributeCount: number;
  /** Characters of a string body. */
  readonly bodyLength: number;
}

/**
 * Resolves the `limits` option against its variables (the option wins) and
 * the defaults.
 * @throws {@link LoggingConfigError} naming the bad option or `OTEL_LOGKIT_*`
 *   variable; a bad `OTEL_LOGRECORD_*` value is ignored with a warning.
 */
export function resolveLimits(limits: LimitsOptions | undefined, env: Env): ResolvedLimits {
  const options = limits ?? {};
  if (options.preset !== undefined && options.preset !== 'summary') {
    fail('option limits.preset', options.preset, '`summary`');
  }
  const summary = options.preset === 'summary' ? 500 : Number.POSITIVE_INFINITY;
  return {
    attributeValueLength: integer(
      pick(
        options.attributeValueLength,
        'limits.attributeValueLength',
        env,
        'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      ),
      summary,
      { min: 1 },
    ),
    attributeCount: integer(
      pick(
        options.attributeCount,
        'limits.attributeCount',
        env,
        'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
      ),
      128,
    ),
    bodyLength: integer(
      pick(options.bodyLength, 'limits.bodyLength', env, 'OTEL_LOGKIT_BODY_LENGTH_LIMIT'),
      summary,
      { min: 1 },
    ),
  };
}
