import type { AnyValue, AnyValueMap } from '../../../src/logger/anyValue.js';
import fc from 'fast-check';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toAnyValue } from '../../../src/logger/toAnyValue.js';
import { createRedactionStep } from '../../../src/processors/redaction/RedactionStep.js';
import type {
  RedactionMode,
  RedactionOptions,
} from '../../../src/processors/redaction/RedactionOptions.js';
import { Redactor } from '../../../src/processors/redaction/Redactor.js';
import { SAMPLE_JWT, base64url, emitThrough, withLuhnDigit } from './helpers.js';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;

function charsFrom(chars: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...chars), minLength, maxLength });
}

const USER_PATTERN = { name: 'acme', pattern: /ACME-[0-9A-F]{12}/ };
const MODES: RedactionMode[] = ['replace', 'mask', 'hash'];

function optionsFor(mode: RedactionMode): RedactionOptions {
  return { mode, hashKey: 'property-key', patterns: [USER_PATTERN, 'email', 'ip-address'] };
}

/** A planted secret, and what must not be left of it. */
interface Secret {
  kind: string;
  text: string;
  /** The part that must not survive (the whole text unless set). */
  core?: string;
  /** Digit-shaped: glued to other digits it would be another number. */
  numeric?: boolean;
  /** A token of word characters: glued to other ones it would be another token. */
  bounded?: boolean;
}

const jwt = fc
  .tuple(
    fc.constantFrom('HS256', 'RS256', 'ES384', 'none'),
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.oneof(fc.string({ maxLength: 12 }), fc.integer()),
      {
        minKeys: 1,
        maxKeys: 4,
      },
    ),
    fc.uint8Array({ maxLength: 48 }),
  )
  .map(([alg, payload, signature]): Secret => ({
    kind: 'jwt',
    text: `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(
      JSON.stringify(payload),
    )}.${Buffer.from(signature).toString('base64url')}`,
  }));

const card = fc
  .tuple(
    fc.constantFrom(...'23456'),
    fc.constantFrom(13, 14, 15, 16, 19),
    charsFrom(DIGITS, 18, 18),
    fc.constantFrom('', ' ', '-'),
  )
  .map(([first, length, rest, separator]): Secret => {
    const digits = withLuhnDigit(first + rest.slice(0, length - 2));
    const groups: Record<number, number[]> = {
      14: [4, 6, 4],
      15: [4, 6, 5],
      16: [4, 4, 4, 4],
      19: [4, 4, 4, 4, 3],
    };
    const sizes = separator === '' ? undefined : groups[length];
    if (sizes === undefined) return { kind: 'card', text: digits, numeric: true };
    const parts: string[] = [];
    let at = 0;
    for (const size of sizes) {
      parts.push(digits.slice(at, at + size));
      at += size;
    }
    return { kind: 'card', text: parts.join(separator), numeric: true };
  });

const awsKey = fc
  .tuple(fc.constantFrom('AKIA', 'ASIA'), charsFrom(UPPER + DIGITS, 16, 16))
  .map(([prefix, rest]): Secret => ({ kind: 'aws', text: prefix + rest }));

const githubToken = fc.oneof(
  charsFrom(ALNUM, 36, 36).map((rest): Secret => ({ kind: 'github', text: `ghp_${rest}` })),
  fc
    .tuple(charsFrom(ALNUM, 22, 22), charsFrom(ALNUM, 59, 59))
    .map(([a, b]): Secret => ({ kind: 'github', text: `github_pat_${a}_${b}` })),
);

const pem = fc
  .tuple(
    fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED '),
    fc.array(fc.uint8Array({ minLength: 12, maxLength: 48 }), { minLength: 1, maxLength: 4 }),
  )
  .map(([type, lines]): Secret => {
    const body = lines.map((bytes) => Buffer.from(bytes).toString('base64')).join('\n');
    return {
      kind: 'pem',
      text: `-----BEGIN ${type}PRIVATE KEY-----\n${body}\n-----END ${type}PRIVATE KEY-----`,
      core: body,
    };
  });

const ssn = fc
  .tuple(
    fc.integer({ min: 1, max: 899 }).filter((area) => area !== 666),
    fc.integer({ min: 1, max: 99 }),
    fc.integer({ min: 1, max: 9999 }),
  )
  .map(([area, group, serial]): Secret => ({
    kind: 'ssn',
    text: `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(
      serial,
    ).padStart(4, '0')}`,
    numeric: true,
  }));

const bearer = fc
  .tuple(
    fc.constantFrom('Bearer', 'bearer', 'BEARER'),
    charsFrom(`${ALNUM}-._~+/`, 8, 60),
    fc.nat(),
    fc.constantFrom(...DIGITS),
  )
  .map(([scheme, token, at, digit]): Secret => {
    const credential = token.slice(0, at % token.length) + digit + token.slice(at % token.length);
    return { kind: 'bearer', text: `${scheme} ${credential}`, core: credential };
  });

const userPattern = charsFrom('0123456789ABCDEF', 12, 12).map((hex): Secret => ({
  kind: 'user',
  text: `ACME-${hex}`,
}));

const B64URL = `${ALNUM}_-`;

/** The key families added for gitleaks / trufflehog parity, in their real shapes. */
const keyFamily = fc.oneof(
  charsFrom(B64URL, 35, 35).map((rest): Secret => ({
    kind: 'google',
    text: `AIza${rest}`,
    bounded: true,
  })),
  fc
    .tuple(fc.constantFrom('glpat', 'gldt', 'glptt', 'glrt'), charsFrom(B64URL, 19, 40))
    .map(([prefix, rest]): Secret => ({
      kind: 'gitlab',
      text: `${prefix}-7${rest}`,
      bounded: true,
    })),
  fc
    .tuple(fc.constantFrom('api03', 'admin01'), charsFrom(B64URL, 93, 93))
    .map(([kind, rest]): Secret => ({
      kind: 'anthropic',
      text: `sk-ant-${kind}-${rest}AA`,
      bounded: true,
    })),
  charsFrom(UPPER + LOWER, 32, 32).map((rest): Secret => ({
    kind: 'huggingface',
    text: `hf_Aa${rest}`,
    bounded: true,
  })),
  charsFrom(ALNUM, 35, 35).map((rest): Secret => ({
    kind: 'npm',
    text: `npm_7${rest}`,
    bounded: true,
  })),
  fc
    .tuple(charsFrom(B64URL, 22, 22), charsFrom(B64URL, 43, 43))
    .map(([a, b]): Secret => ({ kind: 'sendgrid', text: `SG.${a}.${b}`, bounded: true })),
);

const secret = fc.oneof(jwt, card, awsKey, githubToken, pem, ssn, bearer, userPattern, keyFamily);

// Any text around the secret; a digit-shaped secret is kept off other digits
// (glued to them it is another number, not this one).
function plant(prefix: string, value: Secret, suffix: string): string {
  if (value.numeric === true) {
    if (/[0-9.*]$|\d-$/.test(prefix)) prefix += ' ';
    if (/^[0-9]|^[-.]\d/.test(suffix)) suffix = ` ${suffix}`;
  }
  if (value.bounded === true) {
    if (/[A-Za-z0-9_\-.]$/.test(prefix)) prefix += ' ';
    if (/^[A-Za-z0-9_\-.]/.test(suffix)) suffix = ` ${suffix}`;
  }
  return prefix + value.text + suffix;
}

function survives(output: unknown, value: Secret): boolean {
  const core = JSON.stringify(value.core ?? value.text).slice(1, -1);
  return JSON.stringify(output).includes(core);
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);

const key = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('password', 'API-KEY', 'x_token', 'message', 'items', 'max_tokens'),
);

const json: fc.Arbitrary<AnyValue> = fc.jsonValue({ maxDepth: 3 }).map((v) => toAnyValue(v));

/** Wraps `leaf` in maps and arrays along `path`, with random siblings. */
function nest(leaf: AnyValue, path: (string | number)[], siblings: AnyValueMap): AnyValue {
  let value = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i] as string | number;
    if (typeof step === 'number') {
      const items = Object.values(siblings).slice(0, 3);
      items.splice(step % (items.length + 1), 0, value);
      value = items;
    } else {
      const map: AnyValueMap = { ...siblings };
      Object.defineProperty(map, step, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      value = map;
    }
  }
  return value;
}

const path = fc.array(fc.oneof(key, fc.nat(5)), { maxLength: 6 });
const siblings = fc.dictionary(key, json, { maxKeys: 3 });

describe('property: a planted secret never survives', () => {
  it.each(MODES)('in any position of a string body or attribute (%s)', (mode) => {
    const step = createRedactionStep(optionsFor(mode));
    fc.assert(
      fc.property(text, secret, text, (prefix, value, suffix) => {
        const planted = plant(prefix, value, suffix);
        const { record, error } = emitThrough(step, {
          body: planted,
          attributes: { 'exception.message': planted, plain: plant(suffix, value, prefix) },
        });
        expect(error).toBeUndefined();
        expect(survives(record.body, value)).toBe(false);
        expect(survives(record.attributes, value)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it.each(MODES)('as a value at any depth of attributes and of a map body (%s)', (mode) => {
    const step = createRedactionStep(optionsFor(mode));
    fc.assert(
      fc.property(
        text,
        secret,
        text,
        path,
        siblings,
        key,
        (prefix, value, suffix, where, around, top) => {
          const tree = nest(plant(prefix, value, suffix), where, around);
          const { record, error } = emitThrough(step, {
            body: { ...around, tree },
            attributes: { [top === '' ? 'attr' : top]: tree, other: tree },
          });
          expect(error).toBeUndefined();
          expect(survives(record.body, value)).toBe(false);
          expect(survives(record.attributes, value)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('under a secret-named key, whatever the value', () => {
    const step = createRedactionStep(undefined);
    const secretKey = fc.constantFrom(
      'password',
      'db.password',
      'apiKey',
      'X-API-KEY',
      'csrf_token',
      'Authorization',
      'set-cookie',
      'client_secret',
      'cardNumber',
      'SSN',
    );
    fc.assert(
      fc.property(
        secretKey,
        fc.string({ minLength: 6, maxLength: 30 }).filter((s) => s.trim().length >= 6),
        path,
        siblings,
        (name, plain, where, around) => {
          const value: Secret = { kind: 'plain', text: plain };
          const holder = nest(plain, where, around);
          const { record } = emitThrough(step, {
            body: { [name]: holder },
            attributes: { nested: { deeper: [{ [name]: holder }] }, [name]: holder },
          });
          expect(survives(record.body, value)).toBe(false);
          expect(survives(record.attributes, value)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('as the value of a secret-named key in text, whatever the value', () => {
    // The shapes a secret takes when an object is logged as text: util.inspect
    // (console.log), YAML, env files and shell, JSON, JSON with blanks
    // before the colon, and JSON put inside a JSON string.
    const redactor = Redactor.fromOptions(undefined);
    const secretKey = fc.constantFrom(
      'password',
      'DB_PASSWORD',
      'apiKey',
      'x-api-key',
      'db.password',
      'client_secret',
      'access_token',
    );
    const shapes: [string, (key: string, value: string) => string][] = [
      ['inspect', (k, v) => inspect({ user: 'bob', [k]: v, n: 1 })],
      ['yaml', (k, v) => `config:\n  ${k}: ${JSON.stringify(v)}\n  n: 1`],
      ['env', (k, v) => `export ${k}='${v.replace(/['\n\\]/g, '')}'`],
      ['json', (k, v) => JSON.stringify({ user: 'bob', [k]: v })],
      ['json, spaced', (k, v) => JSON.stringify({ user: 'bob', [k]: v }).replaceAll('":', '" :')],
      ['json in json', (k, v) => JSON.stringify({ event: JSON.stringify({ [k]: v, n: 1 }) })],
    ];
    fc.assert(
      fc.property(
        secretKey,
        fc.constantFrom(...shapes),
        fc
          .string({ minLength: 1, maxLength: 30 })
          .filter((v) => /[A-Za-z0-9]/.test(v.replace(/['\n\\]/g, '')) && !v.startsWith('*')),
        (key, [name, shape], value) => {
          const text = shape(key, value);
          // The secret is gone exactly: the text is the shape of a placeholder
          // (util.inspect picks its quotes by the value: the value's quotes kept).
          let expected = shape(key, '[REDACTED]');
          if (name === 'inspect') {
            const quoted = inspect(value);
            const at = text.lastIndexOf(quoted);
            const q = quoted[0]!;
            expected = `${text.slice(0, at)}${q}[REDACTED]${q}${text.slice(at + quoted.length)}`;
          }
          expect(redactor.redact(text).value).toBe(expected);
        },
      ),
      { numRuns: 600 },
    );
  });
});

// Strings built from pieces of secrets, separators and placeholders, so that
// redaction has something to do and outputs meet the patterns again.
const FRAGMENTS = [
  SAMPLE_JWT,
  'eyJhbGciOiJIUzI1NiJ9',
  '.eyJzdWIiOiIxIn0.',
  'eyJ',
  'AKIAIOSFODNN7EXAMPLE',
  '4111 1111 1111 1111',
  '4111111111111111',
  '5500-0055-5555-5559',
  '123-45-6789',
  'Bearer abc123def456',
  'Basic dXNlcjpwYXNz',
  'https://u:p@h',
  '://',
  '?token=',
  '&key=',
  'password=',
  ' secret=',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  'xoxb-1234567890-abc',
  'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'sk-proj-Ab3dEf6hIj9kLmN0pQrSt',
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA',
  '-----END RSA PRIVATE KEY-----',
  'aws_secret_access_key=',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'bob@example.com',
  '10.0.0.1',
  '2001:db8::1',
  '::',
  'ACME-0123456789AB',
  '[REDACTED]',
  '[HMAC:0123456789abcdef]',
  '[HMAC:',
  '****',
  '*',
  '[',
  ']',
  ' ',
  '-',
  '.',
  ':',
  '@',
  '=',
  '&',
  '?',
  '/',
  '\n',
  '0',
  '1',
  '5',
  '9',
  'a',
  'Z',
];

const fragmentText = fc.string({
  unit: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 2 })),
  maxLength: 12,
});

const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ value: AnyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fragmentText,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('property: redaction is idempotent', () => {
  it.each(MODES)('on arbitrary values (%s)', (mode) => {
    const redactor = Redactor.fromOptions(optionsFor(mode));
    fc.assert(
      fc.property(anyValue, (value) => {
        const once = redactor.redact(value);
        const twice = redactor.redact(once.value);
        expect(twice.count).toBe(0);
        expect(twice.value).toBe(once.value);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(MODES)('with the key mode differing from the value mode (%s)', (keyMode) => {
    const redactor = Redactor.fromOptions({ ...optionsFor('mask'), keyMode });
    fc.assert(
      fc.property(anyValue, (value) => {
        const once = redactor.redact(value);
        expect(redactor.redact(once.value).count).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: redaction never throws', () => {
  it.each(MODES)('on anything the logger converts (%s)', (mode) => {
    const redactor = Redactor.fromOptions(optionsFor(mode));
    const step = createRedactionStep(optionsFor(mode));
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withDate: true }), (input) => {
        const value = toAnyValue(input);
        expect(() => redactor.redact(value)).not.toThrow();
        const attributes: AnyValueMap =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? (value as AnyValueMap)
            : { value };
        const { error } = emitThrough(step, { body: value, attributes });
        expect(error).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary unicode strings', () => {
    const redactor = Redactor.fromOptions(optionsFor('hash'));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fragmentText,
        ),
        (input) => {
          const { value } = redactor.redact(input);
          expect(typeof value).toBe('string');
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('property: ordinary text is left alone', () => {
  // Log-like text with the near misses of the key families: secret-named words
  // in prose, their prefixes in identifiers, ids, hex digests and key=value
  // pairs under ordinary names. Numbers stand alone (a run of digit groups
  // can be a Luhn-valid card number, which is the card rule's to judge).
  const word = fc.constantFrom(
    'the',
    'order',
    'shipped',
    'retrying',
    'token',
    'tokens',
    'secret',
    'password',
    'key',
    'api',
    'failed',
    'hf_hub_download',
    'npm_config_cache',
    'glpat-documentation',
    'sk-ant-docs',
    'AIza',
    'SG.docs',
    'github_pat_',
    'max_tokens',
    'token_count',
    'api_version',
    'in',
    'for',
    'warehouse',
  );
  // A run of 13+ digits (dashes aside) inside a digest or UUID may be a
  // Luhn-valid card number, which the card rule redacts even when glued to
  // letters (by design); fast-check's bias towards zeros makes them common.
  const noDigitRun = (h: string) => !/\d{13}/.test(h.replace(/-/g, ''));
  const hex = charsFrom('0123456789abcdef', 32, 32).filter(noDigitRun);
  const uuid = fc.uuid().filter(noDigitRun);
  const number = fc.nat(99_999).map((n) => `${n} ms`);
  const name = fc.constantFrom(
    'request_id',
    'trace_id',
    'build',
    'commit',
    'user',
    'region',
    'sha',
  );
  const pair = fc
    .tuple(name, fc.constantFrom('=', ': ', ':'), fc.oneof(hex, uuid, word))
    .map(([k, sep, v]) => `${k}${sep}${v}`);
  const json = fc
    .dictionary(name, fc.oneof(hex, word, fc.nat()), { maxKeys: 4 })
    .map((o) => JSON.stringify(o));
  const piece = fc.oneof(word, word, word, hex, uuid, number, pair, json);
  const line = fc
    .array(fc.tuple(piece, fc.constantFrom(' ', ', ', '; ', ' | ', '\n')), {
      minLength: 1,
      maxLength: 20,
    })
    .map((parts) => parts.map(([p, sep]) => p + sep).join(''))
    // Two pieces side by side can form a card-like run across the separator
    // ("…c60724 48825029d…": 13 digits with a space), which the card rule
    // redacts by design when Luhn-valid: the same filter over the whole line.
    .filter((text) => noDigitRun(text.replace(/\s/g, '')));

  it('leaves log-like lines unchanged', () => {
    const redactor = Redactor.fromOptions(undefined);
    fc.assert(
      fc.property(line, (text) => {
        expect(redactor.redact(text)).toEqual({ value: text, count: 0 });
      }),
      { numRuns: 2000 },
    );
  });
});
