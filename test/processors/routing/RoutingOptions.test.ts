import { describe, expect, it } from 'vitest';
import { LoggingConfigError } from '../../../src/config/LoggingConfigError.js';
import { BUILTIN_LEVELS, type LevelDefinition } from '../../../src/logger/levels.js';
import { resolveRouting } from '../../../src/processors/routing/RoutingOptions.js';

const LEVELS: ReadonlyMap<string, LevelDefinition> = new Map(Object.entries(BUILTIN_LEVELS));
const destinations = { known: ['console', 'file', 'otlp', 'audit', 'kafka'], enabled: ['console'] };

describe('resolveRouting', () => {
  it('should resolve each rule with its minLevel as a SeverityNumber', () => {
    const { routes, notes } = resolveRouting({ console: { minLevel: 'warn' }, kafka: {} }, LEVELS, {
      ...destinations,
      enabled: ['console', 'kafka'],
    });
    expect(routes.get('console')?.minSeverity).toBe(13);
    expect(routes.get('kafka')).toEqual({ rule: {}, minSeverity: undefined });
    expect(notes).toEqual([]);
  });

  it('should reject a rule naming no destination, listing the known ones', () => {
    expect(() => resolveRouting({ elastic: {} }, LEVELS, destinations)).toThrow(
      new LoggingConfigError(
        'option routing.elastic',
        'elastic',
        'a destination (console, file, otlp, audit, kafka)',
      ),
    );
  });

  it('should note a rule for a destination that is not enabled', () => {
    expect(resolveRouting({ file: {} }, LEVELS, destinations).notes).toEqual([
      'otel-logkit: routing rule for file, which is not enabled, has no effect',
    ]);
  });

  it('should reject malformed rules', () => {
    expect(() =>
      resolveRouting({ console: { include: { category: [1] } } } as never, LEVELS, destinations),
    ).toThrow(/option routing.console.include.category/);
    expect(() => resolveRouting({ console: 5 } as never, LEVELS, destinations)).toThrow(
      /option routing.console/,
    );
  });
});
