import { afterEach, describe, expect, it } from 'vitest';
import { summarise, truncate } from '../../src/categories/summarise.js';
import { setOutputRedaction } from '../../src/processors/redaction/outputRedaction.js';
import { resolveRedactionOptions } from '../../src/processors/redaction/RedactionOptions.js';

const SECRET = 'Sup3rS3cretPassw0rdV';

afterEach(() => {
  setOutputRedaction(undefined);
});

describe('summarise', () => {
  it('should redact before it cuts, so a secret straddling the cut leaks nothing', () => {
    // `{"filler":"x…x","password":"Sup3r…` with the value starting before character 500.
    const filler = 'x'.repeat(470);
    const text = summarise({ filler, password: SECRET });
    expect(text).not.toContain(SECRET.slice(0, 4));
    // The placeholder may be cut; the secret never shows.
    expect(text).toContain('"password":"[REDA');
    // The same cut without redaction would have shown the start of the secret.
    expect(truncate(JSON.stringify({ filler, password: SECRET }))).toContain('Sup3');
  });

  it('should describe values that cannot be serialised without their contents', () => {
    const circular: Record<string, unknown> = { password: SECRET, note: 'card 4111111111111111' };
    circular.self = circular;
    Object.defineProperty(circular, 'trap', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const text = summarise(circular);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('4111111111111111');
    expect(JSON.parse(text)).toEqual({
      password: '[REDACTED]',
      note: 'card [REDACTED]',
      self: '[Circular]',
      trap: '[Unserializable: no]',
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(() => summarise(proxy)).not.toThrow();
  });

  it('should redact strings with the value patterns', () => {
    expect(summarise('key AKIAQ3EGRTY7ZLMN4PQ2')).toBe('key [REDACTED]');
  });

  it("should use the live registration's rules, and none with redaction: false", () => {
    setOutputRedaction(resolveRedactionOptions({ keys: ['pin'], mode: 'mask' }));
    expect(JSON.parse(summarise({ pin: '1234', password: 'abcdefghijklmnop' }))).toEqual({
      pin: '****',
      password: '****mnop',
    });
    setOutputRedaction(false);
    expect(summarise({ password: SECRET })).toBe(`{"password":"${SECRET}"}`);
  });
});
