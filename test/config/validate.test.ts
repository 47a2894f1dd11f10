import { describe, expect, it } from 'vitest';
import { LoggingConfigError } from '../../src/config/LoggingConfigError.js';
import {
  atMost,
  boolean,
  collectWarnings,
  directory,
  integer,
  list,
  number,
  oneOf,
  pick,
} from '../../src/config/validate.js';

const option = (value: unknown) => ({ value, source: 'option x' });
const specVar = (value: string) => ({ value, source: 'OTEL_X', lenient: true });

describe('validate', () => {
  describe('pick', () => {
    it('should prefer the option, then a non-empty variable; spec variables are lenient', () => {
      expect(pick(3, 'x', { OTEL_X: '4' }, 'OTEL_X')).toEqual({ value: 3, source: 'option x' });
      expect(pick(undefined, 'x', { OTEL_X: ' 4 ' }, 'OTEL_X')).toEqual({
        value: '4',
        source: 'OTEL_X',
        lenient: true,
      });
      expect(pick(undefined, 'x', { OTEL_LOGKIT_X: '4' }, 'OTEL_LOGKIT_X')?.lenient).toBe(false);
      expect(pick(undefined, 'x', { OTEL_X: '  ' }, 'OTEL_X')).toBeUndefined();
    });
  });

  describe('integer', () => {
    it('should take whole numbers and digit strings at or above min', () => {
      expect(integer(undefined, 7)).toBe(7);
      expect(integer(option(5), 7)).toBe(5);
      expect(integer(option(' 12 '), 7)).toBe(12);
      expect(() => integer(option(0), 7, { min: 1 })).toThrow(LoggingConfigError);
      expect(() => integer(option(1.5), 7)).toThrow('expected a whole number >= 0');
      expect(() => integer(option('12'), 7, { strings: false })).toThrow(LoggingConfigError);
    });

    it('should ignore a bad spec variable with one warning', () => {
      const { value, warnings } = collectWarnings(() => [
        integer(specVar('x'), 7),
        integer(specVar('x'), 7),
      ]);
      expect(value).toEqual([7, 7]);
      expect(warnings).toEqual(['otel-logkit: ignoring OTEL_X="x" (expected a whole number >= 0)']);
    });
  });

  describe('atMost', () => {
    it('should keep a value under its bound, and otherwise throw or warn and use the bound', () => {
      const bound = { min: 1, max: 10, expected: 'at most 10' };
      expect(atMost(undefined, 30, bound)).toBe(10);
      expect(atMost(option(5), 30, bound)).toBe(5);
      expect(() => atMost(option(20), 30, bound)).toThrow(
        new LoggingConfigError('option x', 20, 'at most 10'),
      );
      const { value, warnings } = collectWarnings(() => atMost(specVar('20'), 30, bound));
      expect(value).toBe(10);
      expect(warnings).toEqual(['otel-logkit: ignoring OTEL_X=20 (expected at most 10)']);
    });
  });

  describe('number', () => {
    it('should take a number in range only', () => {
      const range = { min: 0, max: 1, expected: 'a number from 0 to 1' };
      expect(number(option(0.5), 1, range)).toBe(0.5);
      expect(() => number(option(Number.NaN), 1, range)).toThrow('option x');
      expect(() => number(option('0.5'), 1, range)).toThrow('a number from 0 to 1');
    });
  });

  describe('boolean', () => {
    it('should take true/false and, for a spec variable, anything else as false', () => {
      expect(boolean(option('TRUE'), false)).toBe(true);
      expect(() => boolean(option('yes'), false)).toThrow(LoggingConfigError);
      const { value, warnings } = collectWarnings(() => boolean(specVar('1'), true));
      expect(value).toBe(false);
      expect(warnings).toHaveLength(1);
    });
  });

  describe('oneOf and list', () => {
    it('should normalise and check names', () => {
      expect(oneOf(option(' GZIP '), ['none', 'gzip'], 'none')).toBe('gzip');
      expect(() => oneOf(option('zip'), ['none', 'gzip'], 'none')).toThrow(
        'expected one of none, gzip',
      );
    });

    it('should read comma-separated lists, with none alone meaning empty', () => {
      const names = ['otlp', 'console', 'none'] as const;
      expect(list(specVar('otlp,console'), names, [])).toEqual(['otlp', 'console']);
      expect(list(option('none'), names, ['otlp'])).toEqual([]);
      expect(list(option(['none', 'otlp']), names, [])).toEqual(['otlp']);
      expect(() => list(option(['bad']), names, [])).toThrow(LoggingConfigError);
      const { value, warnings } = collectWarnings(() => list(specVar('bad,otlp'), names, []));
      expect(value).toEqual(['otlp']);
      expect(warnings).toHaveLength(1);
    });
  });

  describe('directory', () => {
    it('should resolve a non-empty path or the fallback', () => {
      expect(directory(option('/tmp/a'), 'logs')).toBe('/tmp/a');
      expect(directory(undefined, '/tmp/b')).toBe('/tmp/b');
      expect(() => directory(option(''), 'logs')).toThrow('expected a non-empty path');
    });
  });
});
