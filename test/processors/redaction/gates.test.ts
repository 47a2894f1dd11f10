import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { GATE, openGates } from '../../../src/processors/redaction/patterns.js';
import type * as Patterns from '../../../src/processors/redaction/patterns.js';
import { Redactor } from '../../../src/processors/redaction/Redactor.js';

// openGates looks for `=`, `:` and `.` once each and for `":` / `SG.` only
// when `:` / `.` is there. It must open exactly the gates the former code did
// (one indexOf or regex per gate, some characters looked for twice), kept
// here as the reference: a gate it failed to open would let a secret through
// unredacted.
const SCHEME_WORD = /[Bb](?:earer|asic)|BEARER|BASIC/;
const EIGHT_DIGITS = /\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d/;

function referenceGates(text: string, enabled: number): number {
  const length = text.length;
  let open = 0;
  if (length >= 6) {
    if ((enabled & GATE.assign) !== 0 && text.indexOf('=') !== -1) open |= GATE.assign;
    if ((enabled & GATE.at) !== 0 && text.indexOf('@') !== -1) open |= GATE.at;
  }
  if (length >= 10 && (enabled & GATE.scheme) !== 0 && SCHEME_WORD.test(text)) {
    open |= GATE.scheme;
  }
  if (length >= 11 && (enabled & GATE.digits) !== 0 && EIGHT_DIGITS.test(text)) {
    open |= GATE.digits;
  }
  if (length >= 14 && (enabled & GATE.jwt) !== 0 && text.indexOf('J') !== -1) open |= GATE.jwt;
  if (length >= 15 && (enabled & GATE.dash) !== 0 && text.indexOf('-') !== -1) open |= GATE.dash;
  if (length >= 18 && (enabled & GATE.underscore) !== 0 && text.indexOf('_') !== -1) {
    open |= GATE.underscore;
  }
  if (length >= 20 && (enabled & GATE.awsId) !== 0 && text.indexOf('IA') !== -1) {
    open |= GATE.awsId;
  }
  if (length >= 20 && (enabled & (GATE.awsSecret | GATE.keyed)) !== 0) {
    if ((open & GATE.assign) !== 0 || text.indexOf('=') !== -1 || text.indexOf(':') !== -1) {
      open |= enabled & GATE.keyed;
      if (length >= 50) open |= enabled & GATE.awsSecret;
    }
  }
  if (length >= 9 && (enabled & GATE.jsonMember) !== 0 && /"\s*:/.test(text)) {
    open |= GATE.jsonMember;
  }
  if (
    length >= 11 &&
    (enabled & GATE.escapedMember) !== 0 &&
    /"\s*:/.test(text) &&
    text.includes('\\"')
  ) {
    open |= GATE.escapedMember;
  }
  if (length >= 5 && (enabled & GATE.quoted) !== 0 && /[:=][ \t]{0,3}['"`]/.test(text)) {
    open |= GATE.quoted;
  }
  if (length >= 39 && (enabled & GATE.google) !== 0 && text.indexOf('AIza') !== -1) {
    open |= GATE.google;
  }
  if (length >= 69 && (enabled & GATE.sendgrid) !== 0 && text.indexOf('SG.') !== -1) {
    open |= GATE.sendgrid;
  }
  if ((enabled & GATE.dot) !== 0 && length >= 7 && text.indexOf('.') !== -1) open |= GATE.dot;
  if ((enabled & GATE.colon) !== 0 && length >= 4 && text.indexOf(':') !== -1) {
    open |= GATE.colon;
  }
  return open;
}

const ALL = Object.values(GATE).reduce((a, b) => a | b, 0);
// The characters the gates look for, their neighbours, separators and
// characters outside ASCII (one of them a surrogate half, one past U+00FF).
const ALPHABET = [
  ...'=@BbJ-_IA":zSG.0123456789 earsicEARSICKOX\t\'`\n\\',
  '\u00e9',
  '\u0130',
  '\ud83d',
  '\u2028',
  '\uff21',
];
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);
const enabledSets = fc.oneof(
  fc.constant(ALL),
  fc.integer({ min: 0, max: ALL }),
  fc.constantFrom(...Object.values(GATE)),
);

describe('openGates', () => {
  it('should open exactly the gates one test per gate opens', () => {
    fc.assert(
      fc.property(text, enabledSets, (s, enabled) => {
        expect(openGates(s, enabled)).toBe(referenceGates(s, enabled));
      }),
      { numRuns: 3000 },
    );
  });

  it('should open each gate on the shortest string that needs it', () => {
    const cases: [string, number][] = [
      ['a=bcde', GATE.assign],
      ['a@bcde', GATE.at],
      ['xx Bearer x', GATE.scheme],
      ['BASIC abcd', GATE.scheme],
      ['1234 5678-9', GATE.digits],
      ['eyJhbGciOiJIUz', GATE.jwt],
      ['ab-cdefghijklmn', GATE.dash],
      ['ghp_abcdefghijklmn', GATE.underscore],
      ['AKIAABCDEFGHIJKLMNOP', GATE.awsId],
      ['{"password":1', GATE.jsonMember],
      [`AIza${'x'.repeat(35)}`, GATE.google],
      [`SG.${'x'.repeat(66)}`, GATE.sendgrid],
      ['1.2.3.4', GATE.dot],
      ['a::1', GATE.colon],
      [`k:${'x'.repeat(18)}`, GATE.keyed],
      [`k=${'x'.repeat(48)}`, GATE.awsSecret],
    ];
    for (const [s, gate] of cases) {
      expect(openGates(s, ALL) & gate, s).toBe(gate);
      expect(referenceGates(s, ALL) & gate, s).toBe(gate);
    }
  });

  it('should still redact a secret next to characters outside ASCII', () => {
    const redactor = Redactor.fromOptions(undefined);
    const samples = [
      'é token=abcdef123456 ü',
      '\u2028Authorization: Bearer abc.def.ghi\u2028',
      'ключ AKIAABCDEFGHIJKLMNOP 鍵',
      '🔑 card 4111 1111 1111 1111 🔑',
      'ñ {"password":"hunter2"} ñ',
    ];
    for (const sample of samples) {
      const { value, count } = redactor.redact(sample);
      expect(count, sample).toBeGreaterThan(0);
      expect(value, sample).not.toBe(sample);
    }
  });
});

// The gates against no gates at all: the same Redactor with every gate open
// (a second copy of the modules whose openGates opens them all) must redact
// every string as the gated one does. A gate that stays closed for a string
// one of its rules would change lets that secret through.
const PIECES = [
  'password',
  'PASSWORD',
  'db_password',
  'DB_PASSWORD',
  'DbPassword',
  'api_key',
  'apiKey',
  "'x-api-key'",
  'token',
  'secret',
  'auth',
  ':',
  ' : ',
  ':\t',
  '=',
  ' = ',
  '"',
  "'",
  '`',
  '\\"',
  '\\\\',
  ' ',
  '\t',
  '\n',
  '{',
  '}',
  ',',
  'hunter2',
  'correct horse battery staple',
  'ab',
  '4111 1111 1111 1111',
  '4539-5787-6362-1486',
  '219-09-9999',
  'Bearer abcdefgh12',
  'basic dXNlcjpwYXNz',
  'export ',
  'AKIAQ3EGRTY7ZLMN4PQ2',
  'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY',
  'SG.',
  'ghp_Qx7Lm2Np9Rs4Tv6Wy8Za1Bc3De5Fg0Hj2Kl4',
  'glpat-x1yZ2ab3Cd4Ef5Gh6Ij7',
  'postgres://admin:Pg9sw0rd@db:5432/app',
  'https://',
  '?token=abc123def456&',
  'a@b.co',
  '10.0.0.1',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_abcdefghij',
  '8f14e45fceea167a5a36dedd4bea2543',
  'x',
  '.',
  '-',
  '_',
  'é',
  '\u2028',
];
const shapedText = fc
  .array(fc.constantFrom(...PIECES), { maxLength: 16 })
  .map((parts) => parts.join(''));

describe('the gates as necessary conditions', () => {
  it('should redact every string as a Redactor with every gate open does', async () => {
    vi.resetModules();
    vi.doMock('../../../src/processors/redaction/patterns.js', async (importOriginal) => ({
      ...(await importOriginal<typeof Patterns>()),
      openGates: (_text: string, enabled: number) => enabled,
    }));
    const { Redactor: Ungated } = await import('../../../src/processors/redaction/Redactor.js');
    vi.doUnmock('../../../src/processors/redaction/patterns.js');
    expect(Ungated).not.toBe(Redactor);
    for (const options of [
      undefined,
      { mode: 'mask' as const },
      { patterns: ['email' as const, 'ip-address' as const] },
    ]) {
      const gated = Redactor.fromOptions(options);
      const ungated = Ungated.fromOptions(options);
      fc.assert(
        fc.property(shapedText, (s) => {
          expect(gated.redact(s).value, s).toBe(ungated.redact(s).value);
        }),
        { numRuns: 3000 },
      );
    }
  });
});
