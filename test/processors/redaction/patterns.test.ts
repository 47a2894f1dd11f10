import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/processors/redaction/Redactor.js';
import type { RedactionOptions } from '../../../src/processors/redaction/RedactionOptions.js';
import { SAMPLE_JWT } from './helpers.js';

function redactText(text: string, options?: RedactionOptions): string {
  return Redactor.fromOptions(options).redact(text).value as string;
}

const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi',
  'Z1BjP5CE/Wm/Rr500P+rSRpaTzDxMSt+PE6AhqN1==',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

// [pattern, input, expected output]
const FAMILY_POSITIVES: [string, string, string][] = [];
const POSITIVES: [string, string, string][] = [
  ['jwt', `token ${SAMPLE_JWT} end`, 'token [REDACTED] end'],
  ['jwt', `jwt=${SAMPLE_JWT}`, 'jwt=[REDACTED]'],
  ['jwt (glued to text)', `xx${SAMPLE_JWT}.`, 'xx[REDACTED]'],
  ['jwt (no signature)', 'a eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. b', 'a [REDACTED] b'],
  ['bearer', 'Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA', 'Authorization: Bearer [REDACTED]'],
  ['bearer (lower case)', 'auth bearer abc123def456ghi', 'auth bearer [REDACTED]'],
  ['bearer (padded)', 'BEARER dG9rZW4tdmFsdWU=', 'BEARER [REDACTED]'],
  ['basic', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [REDACTED]'],
  ['aws-access-key-id', 'key AKIAIOSFODNN7EXAMPLE used', 'key [REDACTED] used'],
  ['aws-access-key-id', 'sts ASIAY34FZKBOKMUTVV7A', 'sts [REDACTED]'],
  [
    'aws-secret-key',
    'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'aws_secret_access_key=[REDACTED]',
  ],
  [
    'aws-secret-key',
    '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
    '{"SecretAccessKey": "[REDACTED]"}',
  ],
  ['github-token', 'push with ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'push with [REDACTED]'],
  [
    'github-token',
    'github_pat_11ABCDEFG0123456789abc_defghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV0123456789ab',
    '[REDACTED]',
  ],
  ['slack-token', 'slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp', 'slack [REDACTED]'],
  ['stripe-key', 'stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc!', 'stripe [REDACTED]!'],
  ['stripe-key', 'rk_test_51H8abcdefGHIJKL', '[REDACTED]'],
  [
    'openai-key',
    'OPENAI_API_KEY sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWxYz12',
    'OPENAI_API_KEY [REDACTED]',
  ],
  ['openai-key', 'key: sk-1234567890abcdefABCDEF1234567890abcdefABCDEF12', 'key: [REDACTED]'],
  [
    'private-key',
    `loaded ${PEM} ok`,
    'loaded -----BEGIN RSA PRIVATE KEY-----\n[REDACTED]\n-----END RSA PRIVATE KEY----- ok',
  ],
  [
    'private-key (no END)',
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    '-----BEGIN PRIVATE KEY-----\n[REDACTED]',
  ],
  ['card-number', 'paid with 4111111111111111.', 'paid with [REDACTED].'],
  ['card-number', 'card 4111 1111 1111 1111 exp 12/27', 'card [REDACTED] exp 12/27'],
  ['card-number', 'card 5500-0055-5555-5559', 'card [REDACTED]'],
  ['card-number (amex)', 'amex 3782 822463 10005', 'amex [REDACTED]'],
  ['card-number (and expiry month)', 'card 4111 1111 1111 1111 12/25', 'card [REDACTED] 12/25'],
  ['card-number (glued to letters)', 'cc:4012888888881881x', 'cc:[REDACTED]x'],
  ['us-ssn', 'ssn 123-45-6789 on file', 'ssn [REDACTED] on file'],
  ['us-ssn', 'SSN:078-05-1120', 'SSN:[REDACTED]'],
  [
    'url-credentials',
    'connect postgres://admin:s3cr3t@db.internal:5432/app',
    'connect postgres://admin:[REDACTED]@db.internal:5432/app',
  ],
  ['url-credentials', 'https://user:p@ss@example.com/x', 'https://user:[REDACTED]@example.com/x'],
  ['url-credentials', 'redis://:hunter2@cache:6379', 'redis://:[REDACTED]@cache:6379'],
  [
    'secret-query-param',
    'GET /cb?code=1&access_token=abc123&state=x',
    'GET /cb?code=1&access_token=[REDACTED]&state=x',
  ],
  [
    'secret-query-param',
    'https://x.io/a?api_key=k1&apikey=k2&key=k3&sig=k4&signature=k5#f',
    'https://x.io/a?api_key=[REDACTED]&apikey=[REDACTED]&key=[REDACTED]&sig=[REDACTED]&signature=[REDACTED]#f',
  ],
  [
    'secret-query-param',
    '/login?password=hunter2&client_secret=xyz&secret=s&token=t&Token=u',
    '/login?password=[REDACTED]&client_secret=[REDACTED]&secret=[REDACTED]&token=[REDACTED]&Token=[REDACTED]',
  ],
  [
    'secret-query-param (logfmt)',
    'user=bob password=hunter2 token=abc',
    'user=bob password=[REDACTED] token=[REDACTED]',
  ],
  [
    'json-secret-field',
    'body {"user":"bob","password":"hunter2","remember":true}',
    'body {"user":"bob","password":"[REDACTED]","remember":true}',
  ],
  [
    'json-secret-field (pretty-printed, escapes, suffix names)',
    '{\n  "db_password": "p4ss \\"quoted\\" \\\\ end",\n  "n": 1\n}',
    '{\n  "db_password": "[REDACTED]",\n  "n": 1\n}',
  ],
  [
    'json-secret-field (camelCase and kebab-case names)',
    '{"apiKey":"k-1","clientSecret":"s-2","X-Auth-Token":"t-3","aws_secret_access_key":"a-4"}',
    '{"apiKey":"[REDACTED]","clientSecret":"[REDACTED]","X-Auth-Token":"[REDACTED]","aws_secret_access_key":"[REDACTED]"}',
  ],
  [
    'json-secret-field (blanks before the colon)',
    '{"user" : "bob", "password" : "hunter2"}',
    '{"user" : "bob", "password" : "[REDACTED]"}',
  ],
  [
    'json-secret-field (JSON inside a JSON string)',
    JSON.stringify({ event: JSON.stringify({ user: 'bob', password: 'p "q" \\ \n end' }) }),
    JSON.stringify({ event: JSON.stringify({ user: 'bob', password: '[REDACTED]' }) }),
  ],
  [
    'quoted-secret-field (util.inspect)',
    "{ user: 'bob', password: 'correct horse', 'x-api-key': 'k 1', token: \"it's\" }",
    "{ user: 'bob', password: '[REDACTED]', 'x-api-key': '[REDACTED]', token: \"[REDACTED]\" }",
  ],
  [
    'quoted-secret-field (YAML, env, TOML)',
    'db_password: "a b"\nexport DB_PASSWORD=\'c d\'\nclient_secret = `e f`',
    'db_password: "[REDACTED]"\nexport DB_PASSWORD=\'[REDACTED]\'\nclient_secret = `[REDACTED]`',
  ],
  [
    'quoted-secret-field (escapes, no closing quote)',
    "apiKey: 'a\\'b' secret: 'cut off",
    "apiKey: '[REDACTED]' secret: '[REDACTED]",
  ],
  [
    'secret-query-param (env names)',
    'DB_PASSWORD=hunter2 app.secret=s3 MY_API_KEY=k1',
    'DB_PASSWORD=[REDACTED] app.secret=[REDACTED] MY_API_KEY=[REDACTED]',
  ],
];

// The key families of gitleaks and trufflehog that the default patterns cover
// besides the ones above (made-up values of the real shapes).
const GOOGLE_KEY = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';
const GITLAB_PAT = 'glpat-x1yZ2ab3Cd4Ef5Gh6Ij7';
const GITLAB_ROUTABLE = 'glpat-Ab3dEf6hIj9kLmN0pQrStUvWxY1.01.0q2w3e4r5';
const ANTHROPIC_KEY = `sk-ant-api03-${'Ab3_dE-f6hIj9kLmN0pQ'.repeat(4)}x1y2z3w4v5u6t7s8AA`;
const HF_TOKEN = 'hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh';
const NPM_TOKEN = 'npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const SENDGRID_KEY = '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';

FAMILY_POSITIVES.push(
  ['google-api-key', `maps?key=x&k ${GOOGLE_KEY} used`, 'maps?key=[REDACTED]&k [REDACTED] used'],
  ['google-api-key (quoted)', `"apiKey": '${GOOGLE_KEY}'`, `"apiKey": '[REDACTED]'`],
  [
    'gitlab-token',
    `git push https://oauth2:${GITLAB_PAT}@gitlab.com/a/b`,
    'git push https://oauth2:[REDACTED]@gitlab.com/a/b',
  ],
  ['gitlab-token', `PRIVATE-TOKEN ${GITLAB_PAT}`, 'PRIVATE-TOKEN [REDACTED]'],
  ['gitlab-token (routable)', `using ${GITLAB_ROUTABLE} now`, 'using [REDACTED] now'],
  ['gitlab-token (deploy)', 'deploy gldt-Ab3dEf6hIj9kLmN0pQrS1', 'deploy [REDACTED]'],
  ['anthropic-key', `x-api-key ${ANTHROPIC_KEY}`, 'x-api-key [REDACTED]'],
  ['huggingface-token', `HF ${HF_TOKEN}.`, 'HF [REDACTED].'],
  [
    'npm-token',
    `//registry.npmjs.org/:_authToken=${NPM_TOKEN}`,
    '//registry.npmjs.org/:_authToken=[REDACTED]',
  ],
  ['sendgrid-key', `sendgrid ${SENDGRID_KEY}`, 'sendgrid [REDACTED]'],
  ['secret-assignment (yaml)', 'api_key: 8f14e45fceea167a5a36dedd4bea2543', 'api_key: [REDACTED]'],
  [
    'secret-assignment (header)',
    'X-Auth-Token: "c2VjcmV0LXRva2VuLTEyMzQ1Njc4"',
    'X-Auth-Token: "[REDACTED]"',
  ],
  ['secret-assignment (env)', 'CLIENT_SECRET=Zq8xW2vL9kP4mN7bR3tY6uH1', 'CLIENT_SECRET=[REDACTED]'],
  [
    'service-account JSON (private_key)',
    '{"type":"service_account","private_key_id":"abc","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}',
    '{"type":"service_account","private_key_id":"abc","private_key":"[REDACTED]"}',
  ],
);

// Near misses that must come through unchanged.
const NEGATIVES: [string, string][] = [
  ['sentence', 'The quick brown fox jumps over the lazy dog; retrying in 5 seconds.'],
  ['sentence about auth', 'the Bearer token is missing and Basic authentication failed'],
  ['luhn-failing 16 digits', 'order 4111111111111112 shipped'],
  ['luhn-failing with spaces', 'ref 1234 5678 9012 3456'],
  ['epoch milliseconds', 'at 1705312245123 and 1705312245123456789 ns'],
  ['timestamp', '2024-01-15T12:30:45.123Z'],
  ['phone numbers', 'call +1 555-123-4567 or +44 20 7946 0958'],
  ['uuid', 'request 550e8400-e29b-41d4-a716-446655440000'],
  ['git sha', 'commit da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['max_tokens', 'max_tokens=4096 token_count=12 input_tokens=5'],
  ['decimal', 'pi is 3.14159265358979323846 and 0.30000000000000004'],
  ['invalid ssn', 'codes 000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000'],
  ['ssn-like inside a longer number', 'part 1-123-45-6789 and 123-45-6789-1'],
  ['sk- in a word', 'task-queue-worker-2024-05-01 and risk-assessment-report-v2'],
  ['sk- name without digits', 'sk-learn-pipeline-settings-for-training'],
  ['url without password', 'https://example.com:8443/path?q=1 and user@example.com'],
  ['query without secrets', '/search?q=token&page=2&sort=key'],
  ['bearer realm', 'WWW-Authenticate: Bearer realm="api"'],
  ['basic not base64 of user:pass', 'Basic auth'],
  ['aws-like without context', 'hash wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['AKIA too short', 'AKIA1234'],
  ['short strings', 'abc'],
  ['e-mail (opt-in)', 'mail bob@example.com'],
  ['ip (opt-in)', 'from 192.168.1.10 and 2001:db8::1'],
  ['empty', ''],
  [
    'json without secret names',
    '{"max_tokens":"4096","tokenizer":"bpe","password_hash":"x","secretary":"y","user":"bob"}',
  ],
  ['json secret names with non-string values', '{"password":null,"token":12,"secret":false}'],
  ['json secret name as a value', '{"field":"password","note":"token"}'],
  [
    'AIza too short or glued',
    'AIzaSyD-9tSrke72PouQ and AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWYmore',
  ],
  ['gitlab-ish words', 'glpat-short and glpat-documentation-for-everyone'],
  ['sk-ant- without a key', 'the sk-ant-api03- prefix and sk-ant-docs'],
  ['hf_ identifiers', 'hf_hub_download hf_transfer hf_abcdefghijklmnopqrstuvwxyzabcdefgh'],
  ['npm_ words', 'npm_config_cache npm_package_name npm_lifecycle_event'],
  ['SG. in a sentence', 'SG.Retry failed. See SG.docs for more.'],
  ['secret-named keys with ordinary values', 'password: hunter2, token: expired, api_key: none'],
  [
    'secret-named key with a long word',
    'token: authenticationrequired secret: pleaseseedocumentation',
  ],
  [
    'assignments of ordinary keys',
    'request_id: 8f14e45fceea167a5a36dedd4bea2543 build=1a2b3c4d5e6f7a8b9c0d',
  ],
  ['yaml of ordinary text', 'description: Fetches the user profile and caches it for 300 seconds'],
  [
    'quoted values of ordinary keys and secret words in prose',
    "Error: token 'abc' is invalid; { secretName: 'prod/db', password_hint: 'cat', tokens: '5' }",
  ],
  ['env names ending otherwise', 'PASSWORD_FILE=/run/secrets/db TOKEN_TTL=300 max_tokens=4096'],
];

describe('built-in value patterns', () => {
  it.each([...POSITIVES, ...FAMILY_POSITIVES])('%s: redacts %j', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each(NEGATIVES)('%s: keeps %j', (_name, input) => {
    expect(redactText(input)).toBe(input);
  });

  it('redacts e-mail addresses only when opted in', () => {
    const options: RedactionOptions = { patterns: ['email'] };
    expect(redactText('mail bob.smith+tag@mail.example.co.uk now', options)).toBe(
      'mail [REDACTED] now',
    );
    expect(redactText('a@b', options)).toBe('a@b');
    expect(redactText('user@localhost', options)).toBe('user@localhost');
  });

  it('redacts IPv4 and IPv6 addresses only when opted in', () => {
    const options: RedactionOptions = { patterns: ['ip-address'] };
    expect(redactText('from 192.168.1.100:8080 to 10.0.0.1', options)).toBe(
      'from [REDACTED]:8080 to [REDACTED]',
    );
    expect(redactText('v6 2001:db8::8a2e:370:7334 and fe80::1ff:fe23:4567:890a', options)).toBe(
      'v6 [REDACTED] and [REDACTED]',
    );
    expect(redactText('full 2001:0db8:85a3:0000:0000:8a2e:0370:7334.', options)).toBe(
      'full [REDACTED].',
    );
    expect(redactText('mapped ::ffff:192.0.2.128', options)).toBe('mapped [REDACTED]');
    for (const keep of [
      'version 1.2.3',
      '999.1.1.1',
      'std::vector<int> and io::Error',
      '12:30:45',
      'mac 00:1a:2b:3c:4d:5e',
      'v1.2.3.4',
    ]) {
      expect(redactText(keep, options)).toBe(keep);
    }
  });

  it('finds JSON members by the configured key list, as the key rule does', () => {
    const json = '{"session_id":"s-1","password":"p-2","q":"x"}';
    expect(redactText(json, { keys: ['session.id'] })).toBe(
      '{"session_id":"[REDACTED]","password":"[REDACTED]","q":"x"}',
    );
    expect(redactText(json, { keys: ['session_id'], replaceDefaultKeys: true })).toBe(
      '{"session_id":"[REDACTED]","password":"p-2","q":"x"}',
    );
    // No keys at all: the pattern has nothing to look for and is left out.
    expect(redactText(json, { keys: [], replaceDefaultKeys: true })).toBe(json);
    // Regular-expression characters in a key are literal.
    expect(redactText('{"a+b":"1","aab":"2"}', { keys: ['a+b'] })).toBe(
      '{"a+b":"[REDACTED]","aab":"2"}',
    );
    expect(redactText(json, { disablePatterns: ['json-secret-field'] })).toBe(json);
  });

  it('masks and hashes JSON member values, and leaves its own output alone', () => {
    const json = '{"token":"abcdef123456"}';
    const masked = redactText(json, { mode: 'mask' });
    expect(masked).toMatch(/^\{"token":"\*+3456"\}$/);
    expect(redactText(masked, { mode: 'mask' })).toBe(masked);
    const hashed = redactText(json, { mode: 'hash', hashKey: 'k' });
    expect(hashed).toMatch(/^\{"token":"\[HMAC:[0-9a-f]{16}\]"\}$/);
    expect(redactText(hashed, { mode: 'hash', hashKey: 'k' })).toBe(hashed);
  });

  it('turns off patterns listed in disablePatterns', () => {
    const options: RedactionOptions = { disablePatterns: ['card-number', 'jwt'] };
    expect(redactText('card 4111111111111111', options)).toBe('card 4111111111111111');
    expect(redactText(`t ${SAMPLE_JWT}`, options)).toBe(`t ${SAMPLE_JWT}`);
    expect(redactText('ssn 123-45-6789', options)).toBe('ssn [REDACTED]');
  });

  it('applies user patterns with their own mode', () => {
    const options: RedactionOptions = {
      patterns: [
        { name: 'acme', pattern: /ACME-[0-9A-F]{12}/ },
        { name: 'employee', pattern: /emp#\d+/i, mode: 'mask' },
      ],
    };
    expect(redactText('id ACME-0123456789AB and EMP#123456', options)).toBe(
      // 10 characters: masked whole (see MASK_KEEP_MIN).
      'id [REDACTED] and ****',
    );
  });

  it('redacts every secret of a string and counts each', () => {
    const redactor = Redactor.fromOptions(undefined);
    const { value, count } = redactor.redact(
      `a ${SAMPLE_JWT} b 4111111111111111 c AKIAIOSFODNN7EXAMPLE d`,
    );
    expect(value).toBe('a [REDACTED] b [REDACTED] c [REDACTED] d');
    expect(count).toBe(3);
  });

  it('redacts a JWT inside a URL password once', () => {
    const { value, count } = Redactor.fromOptions(undefined).redact(
      `https://u:${SAMPLE_JWT}@host/`,
    );
    expect(value).toBe('https://u:[REDACTED]@host/');
    expect(count).toBe(1);
  });
});
