import { SeverityNumber } from '@opentelemetry/api';
import { LoggingConfigError } from '../config/LoggingConfigError.js';

/**
 * A named level: the OTel SeverityNumber it maps to and the severityText the
 * record carries.
 */
export interface LevelDefinition {
  readonly name: string;
  /** The OTel SeverityNumber, 1–24. */
  readonly severityNumber: number;
  readonly severityText: string;
}

/**
 * The built-in levels. The six usual ones map to the first value of their
 * SeverityNumber range; the seed's extra levels (Python's TRACE 5, VERBOSE 15,
 * NOTICE 25, ALERT 45, EMERGENCY 55) sit inside the ranges by their place on
 * the Python scale, NOTICE and ALERT as the spec's syslog mapping puts them
 * (Logs Data Model, "Appendix B: SeverityNumber example mappings",
 * https://opentelemetry.io/docs/specs/otel/logs/data-model-appendix/).
 */
export const BUILTIN_LEVELS = {
  trace: { name: 'trace', severityNumber: SeverityNumber.TRACE, severityText: 'TRACE' },
  debug: { name: 'debug', severityNumber: SeverityNumber.DEBUG, severityText: 'DEBUG' },
  verbose: { name: 'verbose', severityNumber: SeverityNumber.DEBUG3, severityText: 'VERBOSE' },
  info: { name: 'info', severityNumber: SeverityNumber.INFO, severityText: 'INFO' },
  notice: { name: 'notice', severityNumber: SeverityNumber.INFO2, severityText: 'NOTICE' },
  warn: { name: 'warn', severityNumber: SeverityNumber.WARN, severityText: 'WARN' },
  error: { name: 'error', severityNumber: SeverityNumber.ERROR, severityText: 'ERROR' },
  alert: { name: 'alert', severityNumber: SeverityNumber.ERROR3, severityText: 'ALERT' },
  fatal: { name: 'fatal', severityNumber: SeverityNumber.FATAL, severityText: 'FATAL' },
  emergency: {
    name: 'emergency',
    severityNumber: SeverityNumber.FATAL3,
    severityText: 'EMERGENCY',
  },
} as const satisfies Record<string, LevelDefinition>;

/** The name of a built-in level. */
export type BuiltinLevelName = keyof typeof BUILTIN_LEVELS;

/** A level as options take it: a level name, or a SeverityNumber 1–24. */
export type LevelInput = string | number;

/** `silent` as a minimum level turns a logger off. */
export const SILENT = 'silent';

/** The short name of the SeverityNumber range a number falls in (`INFO` for 9–12). */
export function severityRangeName(severityNumber: number | undefined): string {
  if (severityNumber === undefined || severityNumber <= 0) return 'UNSPECIFIED';
  if (severityNumber <= 4) return 'TRACE';
  if (severityNumber <= 8) return 'DEBUG';
  if (severityNumber <= 12) return 'INFO';
  if (severityNumber <= 16) return 'WARN';
  if (severityNumber <= 20) return 'ERROR';
  return 'FATAL';
}

/**
 * Turns a level input (name, SeverityNumber or `silent`) into a minimum
 * SeverityNumber; `fallback` (INFO) when nothing was given.
 * @throws {@link LoggingConfigError} naming `picked.source` for a number
 *   outside 1–24 or an unknown level name.
 */
export function resolveMinSeverity(
  picked: { readonly value: LevelInput; readonly source: string } | undefined,
  levels: ReadonlyMap<string, LevelDefinition>,
  fallback: number = BUILTIN_LEVELS.info.severityNumber,
): number {
  if (!picked) return fallback;
  const { value, source } = picked;
  if (typeof value === 'number' || /^\d+$/.test(String(value).trim())) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 1 && n <= 24) return n;
    throw new LoggingConfigError(source, value, 'a SeverityNumber from 1 to 24');
  }
  const name = String(value).trim();
  if (name.toLowerCase() === SILENT) return Number.POSITIVE_INFINITY;
  const level = levels.get(name) ?? levels.get(name.toLowerCase());
  if (!level) {
    throw new LoggingConfigError(
      source,
      value,
      `a level name (${[...levels.keys(), SILENT].join(', ')})`,
    );
  }
  return level.severityNumber;
}

/** Logger members a user-defined level must not shadow. */
const RESERVED_LEVEL_NAMES = new Set(['log', 'emit', 'child', 'enabled', 'name', 'level']);

/**
 * The level table: the built-in levels and the user-defined ones of the
 * `levels` option (name → SeverityNumber).
 * @throws {@link LoggingConfigError} naming `option levels.<name>` for a name
 *   that is no identifier or shadows a logger member, or a number outside 1–24.
 */
export function resolveLevels(
  levels: Readonly<Record<string, number>> | undefined,
): Map<string, LevelDefinition> {
  const table = new Map<string, LevelDefinition>(Object.entries(BUILTIN_LEVELS));
  if (levels === undefined) return table;
  if (typeof levels !== 'object' || levels === null)
    throw new LoggingConfigError('option levels', levels, 'an object');
  for (const [name, severityNumber] of Object.entries(levels)) {
    const source = `option levels.${name}`;
    if (!/^[a-zA-Z_$][\w$]*$/.test(name) || RESERVED_LEVEL_NAMES.has(name)) {
      throw new LoggingConfigError(source, name, 'an identifier that is not a logger method name');
    }
    if (!Number.isInteger(severityNumber) || severityNumber < 1 || severityNumber > 24) {
      throw new LoggingConfigError(source, severityNumber, 'a SeverityNumber from 1 to 24');
    }
    table.set(name, { name, severityNumber, severityText: name.toUpperCase() });
  }
  return table;
}
