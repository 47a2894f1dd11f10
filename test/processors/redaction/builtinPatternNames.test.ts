import { describe, expect, it } from 'vitest';
import { BUILTIN_PATTERN_NAMES } from '../../../src/processors/redaction/builtinPatternNames.js';
import { BUILTIN_PATTERNS, OPT_IN_PATTERNS } from '../../../src/processors/redaction/patterns.js';
import { resolveRedactionOptions } from '../../../src/processors/redaction/RedactionOptions.js';

// The names are declared once; the specs, the opt-in set and the defaults
// must follow them, so a new pattern marked opt-in ships switched off.
describe('the built-in pattern names', () => {
  it('should name every spec, and every name should have a spec', () => {
    const specNames = new Set(BUILTIN_PATTERNS.map((spec) => spec.name));
    expect([...specNames].sort()).toEqual([...BUILTIN_PATTERN_NAMES].sort());
  });

  it('should have specs that agree on optIn for each name', () => {
    for (const name of BUILTIN_PATTERN_NAMES) {
      const flags = new Set(
        BUILTIN_PATTERNS.filter((s) => s.name === name).map((s) => s.optIn === true),
      );
      expect(flags.size, name).toBe(1);
    }
  });

  it('should take the opt-in set from the specs, and leave exactly those out of the defaults', () => {
    expect([...OPT_IN_PATTERNS].sort()).toEqual(['email', 'ip-address']);
    const defaults = resolveRedactionOptions(undefined).builtins;
    for (const name of BUILTIN_PATTERN_NAMES) {
      expect(defaults.has(name), name).toBe(!OPT_IN_PATTERNS.has(name));
    }
  });
});
