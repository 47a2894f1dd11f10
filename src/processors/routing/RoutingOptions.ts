import { fail } from '../../config/validate.js';
import { resolveMinSeverity, type LevelDefinition } from '../../logger/levels.js';
import type { RouteRule } from './RouteRule.js';

/** The `routing` option: a {@link RouteRule} by destination name. */
export type RoutingOptions = Readonly<Record<string, RouteRule>>;

/** One destination's rule, its `minLevel` resolved to a SeverityNumber. */
export interface ResolvedRoute {
  readonly rule: RouteRule;
  readonly minSeverity: number | undefined;
}

/** The destinations a routing rule may name, and those this configuration enables. */
export interface RoutingDestinations {
  /** Every name a rule may use: the built-in destinations and the user's. */
  readonly known: readonly string[];
  /** The destinations that will exist (the chosen exporters, `audit` when on, the user's). */
  readonly enabled: readonly string[];
}

/**
 * Validates the `routing` option and resolves each rule's `minLevel`.
 * @returns the rules by destination, and a note for each rule naming a
 *   destination that is not enabled (it has no effect), for `diag.debug`.
 * @throws {@link LoggingConfigError} for a malformed rule, or one naming no
 *   destination (`option routing.<name>`).
 */
export function resolveRouting(
  routing: RoutingOptions | undefined,
  levels: ReadonlyMap<string, LevelDefinition>,
  destinations: RoutingDestinations,
): { routes: ReadonlyMap<string, ResolvedRoute>; notes: string[] } {
  const routes = new Map<string, ResolvedRoute>();
  const notes: string[] = [];
  if (routing === undefined) return { routes, notes };
  if (typeof routing !== 'object' || routing === null) fail('option routing', routing, 'an object');
  for (const [name, rule] of Object.entries(routing)) {
    if (typeof rule !== 'object' || rule === null) {
      fail(`option routing.${name}`, rule, 'an object');
    }
    for (const part of ['include', 'exclude'] as const) {
      const pattern = rule[part];
      if (pattern === undefined) continue;
      for (const field of ['eventName', 'category'] as const) {
        const value = pattern[field];
        const ok =
          value === undefined ||
          typeof value === 'string' ||
          (Array.isArray(value) && value.every((v) => typeof v === 'string'));
        if (!ok) {
          fail(`option routing.${name}.${part}.${field}`, value, 'a glob or a list of globs');
        }
      }
    }
    const minSeverity =
      rule.minLevel === undefined
        ? undefined
        : resolveMinSeverity(
            { value: rule.minLevel, source: `option routing.${name}.minLevel` },
            levels,
          );
    routes.set(name, { rule, minSeverity });
  }
  for (const name of routes.keys()) {
    if (!destinations.known.includes(name)) {
      fail(`option routing.${name}`, name, `a destination (${destinations.known.join(', ')})`);
    }
    if (!destinations.enabled.includes(name)) {
      notes.push(`otel-logkit: routing rule for ${name}, which is not enabled, has no effect`);
    }
  }
  return { routes, notes };
}
