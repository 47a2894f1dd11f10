import type { BuiltinPatternName } from './builtinPatternNames.js';

/**
 * One built-in value pattern, as parts of a regular expression source put
 * together as `before(prefix)(secret)(suffix)after`:
 *
 * - `before` / `after` are zero-width assertions (boundaries);
 * - `prefix` / `suffix` are consumed but kept (a scheme word, a parameter
 *   name, a PEM header);
 * - `secret` is what the mode replaces.
 *
 * The parts use only non-capturing groups and no flags (case-insensitive
 * words are spelled out with {@link ci}). Every pattern is linear-time: no
 * nested quantifiers over the same characters, and no pattern can fail after
 * scanning a long run from many starting points (it starts at a literal that
 * cannot repeat inside the run, or an assertion lets it start only at the
 * beginning of a run, or it succeeds once it has consumed the run), so a long
 * string is scanned a bounded number of times per pattern.
 */
export interface BuiltinPatternSpec {
  readonly name: BuiltinPatternName;
  readonly before?: string;
  readonly prefix?: string;
  readonly secret: string;
  readonly suffix?: string;
  readonly after?: string;
  /** The length of the shortest string the whole pattern can match. */
  readonly minLength: number;
  /** Off unless listed in `patterns` (e-mail and IP addresses). */
  readonly optIn?: boolean;
  /**
   * A second look at a match: false keeps it (a failed check, a word rather
   * than a token). Runs only on matches, never on clean strings.
   */
  readonly confirm?: (secret: string) => boolean;
  /** Leading and trailing whitespace of the secret is kept, not redacted. */
  readonly trim?: boolean;
  /** Card numbers: the secret is a run of digit groups, checked by {@link findCard}. */
  readonly card?: boolean;
  /** JWTs: the match starts at the header's end; {@link jwtStart} finds its start. */
  readonly jwt?: boolean;
  /**
   * For a pattern that looks for secret key names: {@link before} built from
   * the configured key list (defaults and `keys`). The pattern is left out
   * when that list is empty.
   */
  readonly beforeKeys?: (keys: readonly string[]) => string;
  /**
   * The gate of the pattern: one of {@link GATE}. {@link openGates} tests
   * all gates at once, cheaply, before any pattern runs; a pattern runs only
   * on a string that opens its gate.
   */
  readonly gate: number;
}

/**
 * The gates: cheap necessary conditions of the patterns behind them, each one
 * or two `indexOf` calls (memchr speed) or an expression V8 can run with
 * skipping. Most strings open none of them and are left without any pattern
 * having run.
 */
export const GATE = {
  /** `-`: private-key, slack-token, openai-key. */
  dash: 1,
  /** `J` (of `eyJ`): jwt. */
  jwt: 2,
  /** The scheme word: bearer, basic. */
  scheme: 4,
  /** `@`: url-credentials, email. */
  at: 8,
  /** `IA` (of `AKIA`, `ASIA`, `ABIA`): aws-access-key-id. */
  awsId: 16,
  /** `=`: secret-query-param. */
  assign: 32,
  /** `=` or `:`: aws-secret-key. */
  awsSecret: 64,
  /** `_`: github-token, stripe-key. */
  underscore: 128,
  /** Eight digits with single separators: card-number, us-ssn. */
  digits: 256,
  /** `.`: ip-address (IPv4). */
  dot: 512,
  /** `:`: ip-address (IPv6). */
  colon: 1024,
  /** `":`, or `"` and blanks before the `:`: json-secret-field. */
  jsonMember: 2048,
  /** `AIza`: google-api-key. */
  google: 4096,
  /** `SG.`: sendgrid-key. */
  sendgrid: 8192,
  /** `:` or `=`: secret-assignment. */
  keyed: 16384,
  /** `:` or `=` with a quote (`'`, `"` or `` ` ``) after it: quoted-secret-field. */
  quoted: 32768,
  /** `\"` besides the json-secret-field gate: JSON inside a JSON string. */
  escapedMember: 65536,
} as const;

const SCHEME_WORD = /[Bb](?:earer|asic)|BEARER|BASIC/;
/** Whether `c` is a character of the regular expression class `\s`. */
function isRegExpSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c >= 0xa0 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

/** {@link colonQuotes}: a `"` before some `:` with only `\s` between (a JSON member name's closing quote, `"password" : "…"`). */
const QUOTE_BEFORE = 1;
/** {@link colonQuotes}: a quote (`'`, `"`, `` ` ``) after some `:`, at most 3 spaces or tabs between. */
const QUOTE_AFTER = 2;

/**
 * Which of `wanted` ({@link QUOTE_BEFORE}, {@link QUOTE_AFTER}) the `:`s of
 * `text` have around them: each `:` found with indexOf, its neighbours read,
 * until all wanted are found. Regular expressions of the same (`/"\s+:/`,
 * `/[:=][ \t]{0,3}['"`]/`) cost 50–100 ns more on an 80-character line.
 */
function colonQuotes(text: string, wanted: number): number {
  let found = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) {
    if ((wanted & QUOTE_BEFORE) !== 0) {
      let i = at - 1;
      while (i >= 0 && isRegExpSpace(text.charCodeAt(i))) i--;
      if (i >= 0 && text.charCodeAt(i) === 34) found |= QUOTE_BEFORE;
    }
    if ((wanted & QUOTE_AFTER) !== 0 && quoteFrom(text, at + 1)) found |= QUOTE_AFTER;
    if (found === wanted) break;
  }
  return found;
}

/** Whether a quote (`'`, `"`, `` ` ``) is at `from` after at most 3 spaces or tabs. */
function quoteFrom(text: string, from: number): boolean {
  const end = Math.min(text.length, from + 4);
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return false;
}

/** Whether some `=` has a quote after it (as {@link quoteFrom}). */
function assignQuote(text: string): boolean {
  for (let at = text.indexOf('='); at !== -1; at = text.indexOf('=', at + 1)) {
    if (quoteFrom(text, at + 1)) return true;
  }
  return false;
}
// Eight digits with at most one separator between any two: unrolled, so that
// V8 can skip ahead (a quantified group is several times slower).
const EIGHT_DIGITS = /\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d[ -]?\d/;

/**
 * The gates among `enabled` that `text` opens, as a bit set of {@link GATE}.
 * Straight-line code, with each gate skipped for strings shorter than the
 * shortest match of its patterns. `=`, `:` and `.` are looked for once each
 * (they were looked for twice, and `":` and `SG.` whether or not the string
 * held a `:` or `.`): 178 → 166 ns on the 97-character message of
 * bench/redaction.bench.mjs, 171 → 132 ns on that of bench/pipeline.bench.mjs,
 * 119 → 95 ns on a 28-character route (fastest of 8 interleaved rounds,
 * Node 24.22, load ~5.7 on 2 cores). A single
 * pass over the string noting every character the gates need measured slower
 * than these memchr-speed scans (240–350 ns), and one regex of all the
 * gates' conditions far slower (520–600 ns).
 */
export function openGates(text: string, enabled: number): number {
  const length = text.length;
  let open = 0;
  const hasAssign =
    length >= 5 &&
    (enabled & (GATE.assign | GATE.keyed | GATE.awsSecret | GATE.quoted)) !== 0 &&
    text.indexOf('=') !== -1;
  const hasColon =
    length >= 4 &&
    (enabled & (GATE.colon | GATE.keyed | GATE.awsSecret | GATE.jsonMember | GATE.quoted)) !== 0 &&
    text.indexOf(':') !== -1;
  const hasDot =
    length >= 7 && (enabled & (GATE.dot | GATE.sendgrid)) !== 0 && text.indexOf('.') !== -1;
  if (length >= 6 && hasAssign) open |= enabled & GATE.assign;
  if (length >= 6 && (enabled & GATE.at) !== 0 && text.indexOf('@') !== -1) open |= GATE.at;
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
  // `=` or `:`: both gates that need one.
  if (length >= 20 && (hasAssign || hasColon)) {
    open |= enabled & GATE.keyed;
    if (length >= 50) open |= enabled & GATE.awsSecret;
  }
  // `"` before a `:` (blanks between) and a quote after one, each looked
  // for only when the string has the quote and no cheaper test decided.
  let quotes = 0;
  if (hasColon && length >= 5) {
    const hasDouble = text.indexOf('"') !== -1;
    let wanted = 0;
    if (length >= 9 && hasDouble && (enabled & (GATE.jsonMember | GATE.escapedMember)) !== 0) {
      if (text.indexOf('":') !== -1) quotes |= QUOTE_BEFORE;
      else wanted |= QUOTE_BEFORE;
    }
    if (
      (enabled & GATE.quoted) !== 0 &&
      (hasDouble || text.indexOf("'") !== -1 || text.indexOf('`') !== -1)
    ) {
      wanted |= QUOTE_AFTER;
    }
    if (wanted !== 0) quotes |= colonQuotes(text, wanted);
  }
  if (length >= 9 && (quotes & QUOTE_BEFORE) !== 0) {
    open |= enabled & GATE.jsonMember;
    if (length >= 11 && text.indexOf('\\"') !== -1) open |= enabled & GATE.escapedMember;
  }
  if (
    length >= 5 &&
    (enabled & GATE.quoted) !== 0 &&
    ((quotes & QUOTE_AFTER) !== 0 ||
      (hasAssign &&
        (text.indexOf('"') !== -1 || text.indexOf("'") !== -1 || text.indexOf('`') !== -1) &&
        assignQuote(text)))
  ) {
    open |= GATE.quoted;
  }
  if (length >= 39 && (enabled & GATE.google) !== 0 && text.indexOf('AIza') !== -1) {
    open |= GATE.google;
  }
  if (length >= 69 && hasDot && (enabled & GATE.sendgrid) !== 0 && text.indexOf('SG.') !== -1) {
    open |= GATE.sendgrid;
  }
  if (hasDot) open |= enabled & GATE.dot;
  if (hasColon) open |= enabled & GATE.colon;
  return open;
}

/** A case-insensitive spelling of an ASCII word that needs no `i` flag. */
export function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    out += lower === upper ? escapeRegExp(ch) : `[${upper}${lower}]`;
  }
  return out;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function words(list: readonly string[]): string {
  return `(?:${list.map(ci).join('|')})`;
}

/**
 * Key names as the key rule compares them: case-insensitive, and `api_key`
 * also as `apiKey`, `api-key`, `api.key` (a separator where the listed name
 * has one is optional and any of `_ - .` or a space).
 */
function keyNames(list: readonly string[]): string {
  return `(?:${list
    .map((key) =>
      key
        .split(/[-_. ]+/)
        .map(ci)
        .join('[_.\\- ]?'),
    )
    .join('|')})`;
}

// Placeholders must not be matched again (idempotence). Besides the check of
// every match against the placeholders around it (in Redactor), the digit
// patterns refuse to start right after `[HMAC:` or after the `*` of a mask.
const HMAC_OPEN = '\\[HMAC:';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
const H = '[0-9A-Fa-f]{1,4}';
// Standard IPv6 text forms with at least two groups (so `::1`, `::` and the
// `d::` of `std::vector` are not addresses), and IPv4-mapped forms.
const IPV6 = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,4}:${IPV4}`,
  `::(?:[Ff]{4}(?::0{1,4})?:)?${IPV4}`,
  `(?:${H}:){2,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?::${H}){2,7}`,
].join('|');

/** Query parameter names whose value is redacted after `?` or `&`. */
export const SECRET_QUERY_PARAMS: readonly string[] = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'secret',
  'client_secret',
  'password',
  'passwd',
  'pwd',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-security-token',
  'x-goog-signature',
];

/**
 * Names whose value is redacted in `name=value` text outside a URL (at the
 * start of a string or after a space, comma or semicolon, as logfmt writes
 * them): the unambiguous ones only, not `key` or `sig`.
 */
export const SECRET_ASSIGNMENT_NAMES: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'apikey',
  'client_secret',
];

const SEP = '[_.\\-]?';

/**
 * A quoted string assigned to a secret-named key in text, whatever its
 * value: `{ password: 'hunter2' }` (util.inspect, console.log of an
 * object), `password: "…"` (YAML), `DB_PASSWORD="…"` and
 * `export API_KEY='…'` (env files, shell), `secret = "…"` (TOML). The
 * key is matched as the key rule matches keys, by its end, with the key
 * rule's names (`keys` included): `dbPassword`, `x-api-key`, and quoted as
 * util.inspect quotes a key that is no identifier (`'x-api-key': '…'`). The
 * value runs to the same quote (escapes skipped), a line break or the end.
 * Found at a `:` or `=` with a quote after it (the lookahead first), reading
 * back the name and 3 blanks; the value is one run of characters that are
 * not its quote, consumed whole: linear. A JSON member (its name
 * in double quotes before the `:`) is json-secret-field's alone.
 */
const QUOTED_SECRET_FIELD: BuiltinPatternSpec = {
  name: 'quoted-secret-field',
  beforeKeys: (keys) => `(?=[:=][ \\t]{0,3}['"\`])(?<=${keyNames(keys)}'?[ \\t]{0,3})`,
  prefix: `[:=][ \\t]{0,3}['"\`]`,
  // One run per quote, the quote found behind it: no capture group, so the
  // pattern keeps the (prefix)(secret)(suffix) groups of every built-in.
  secret: ['"', "'", '`']
    .map((quote) => `(?<=${quote})(?:[^${quote}\\\\\\n]|\\\\[\\s\\S])+`)
    .join('|'),
  after: `(?=['"\`\\n]|$)`,
  minLength: 5,
  gate: GATE.quoted,
};

/**
 * The built-in patterns. They run in this order, those behind one gate
 * together, so a secret inside another (a JWT as a URL password) is redacted
 * once, by the first.
 */
export const BUILTIN_PATTERNS: readonly BuiltinPatternSpec[] = [
  {
    name: 'private-key',
    prefix: '-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----',
    // Up to the next `-----`: the END line, or whatever follows a block whose
    // END was cut off (a truncated key is still redacted).
    secret: '(?:(?!-----)[\\s\\S])*',
    suffix: '(?:-----END[A-Z0-9 ]*PRIVATE KEY-----)?',
    minLength: 28,
    trim: true,
    gate: GATE.dash,
  },
  {
    name: 'jwt',
    // Found at the `.eyJ` between header and payload, the header confirmed
    // behind it; the header's start is then found by {@link jwtStart}. (Looking
    // for `eyJ…` forwards would rescan a long run once per `eyJ` in it.)
    // The lookahead first: the lookbehind scans back over the run, so it
    // must run at a `.` only, not at every position of a long run.
    before: '(?=\\.)(?<=eyJ[A-Za-z0-9_\\-]{5,})',
    // The payload is a JSON object too: `{"` and a key starting with a letter
    // is `eyJ`; other first characters give `eyI`, `eyK` or `eyL`.
    secret: '\\.ey[I-L][A-Za-z0-9_\\-]{2,}(?:\\.[A-Za-z0-9_\\-]*){0,3}',
    minLength: 14,
    jwt: true,
    gate: GATE.jwt,
  },
  {
    name: 'bearer',
    prefix: '(?:[Bb]earer|BEARER)\\s+',
    secret: '[A-Za-z0-9\\-._~+/]{8,}=*',
    minLength: 15,
    confirm: notAWord,
    gate: GATE.scheme,
  },
  {
    name: 'basic',
    prefix: '(?:[Bb]asic|BASIC)\\s+',
    secret: '[A-Za-z0-9+/]{4,}={0,2}',
    minLength: 10,
    confirm: isBasicCredential,
    gate: GATE.scheme,
  },
  {
    name: 'url-credentials',
    // `://user:` is kept; the scheme before it does not matter.
    prefix: ':\\/\\/[^\\s:@\\/?#]*:',
    // Up to the last `@` of the authority: a raw `@` in a password is common.
    secret: '[^\\s\\/?#]+',
    after: '(?=@)',
    minLength: 7,
    gate: GATE.at,
  },
  {
    name: 'email',
    before: '(?<![A-Za-z0-9._%+\\-])',
    secret: '[A-Za-z0-9._%+\\-]+@[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.[A-Za-z]{2,}',
    after: '(?![A-Za-z0-9\\-])',
    minLength: 6,
    optIn: true,
    gate: GATE.at,
  },
  {
    name: 'aws-access-key-id',
    secret: '(?:AKIA|ASIA|ABIA)[A-Z0-9]{16}',
    minLength: 20,
    gate: GATE.awsId,
  },
  {
    name: 'secret-query-param',
    // After `?` or `&`. The name is looked for behind an `=` (the lookahead
    // first, so the lookbehind runs at `=` signs only).
    before: `(?==)(?<=[?&]${words(SECRET_QUERY_PARAMS)})`,
    prefix: '=',
    secret: `[^&#\\s"'<>]+`,
    minLength: 6,
    gate: GATE.assign,
  },
  {
    name: 'secret-query-param',
    // `password=…` at the start of a string or after a space, comma or
    // semicolon (logfmt, form bodies), also at the end of a longer name
    // after a separator (`DB_PASSWORD=…`, `app.secret=…` in env and
    // properties dumps: the name after a letter or digit and a separator).
    before: `(?==)(?<=(?:^|[\\s,;]|[A-Za-z0-9][_.\\-])${words(SECRET_ASSIGNMENT_NAMES)})`,
    prefix: '=',
    secret: `[^&#\\s"'<>,;]+`,
    minLength: 7,
    gate: GATE.assign,
  },
  {
    name: 'json-secret-field',
    // A JSON member in a string (a logged request body, JSON.stringify output) whose name
    // ends with a secret key of the key rule (the defaults and `keys`): `"password":"…"`,
    // `"db_password": "…"`, `"apiKey":"…"`. Found at the name's closing quote (the lookahead
    // first, so the lookbehind runs at quotes only, and scans back to the opening quote).
    // String values only; the value's content is the secret, its quotes are kept.
    beforeKeys: (keys) => `(?=")(?<="[^"\\\\]*${keyNames(keys)})`,
    prefix: '"\\s*:\\s*"',
    secret: '(?:[^"\\\\]|\\\\[\\s\\S])+',
    after: '(?=")',
    minLength: 9,
    gate: GATE.jsonMember,
  },
  {
    name: 'json-secret-field',
    // The same member in JSON that was itself put in a JSON string (a
    // request body logged inside a serialised event: `{\"password\":\"…\"}`).
    // Its quotes are `\"`; inside the value a character is a plain one, or,
    // after two backslashes, an escaped quote (three backslashes and `"`), an
    // escaped backslash (four) or another escape (`\\n`): the value ends at
    // the first `\"`. Found at the name's closing `\"` as above.
    beforeKeys: (keys) => `(?=\\\\")(?<=\\\\"[^"\\\\]*${keyNames(keys)})`,
    prefix: '\\\\"\\s*:\\s*\\\\"',
    secret: '(?:[^"\\\\]|\\\\\\\\(?:\\\\\\\\|\\\\"|[^"\\\\]))+',
    after: '(?=\\\\")',
    minLength: 11,
    gate: GATE.escapedMember,
  },
  {
    name: 'aws-secret-key',
    prefix:
      `(?:${ci('aws')}${SEP})?${ci('secret')}${SEP}(?:${ci('access')}${SEP})?${ci('key')}` +
      `["']?\\s*[:=]\\s*["']?`,
    secret: '[A-Za-z0-9\\/+]{40}',
    after: '(?![A-Za-z0-9\\/+=])',
    minLength: 50,
    gate: GATE.awsSecret,
  },
  {
    name: 'github-token',
    secret: '(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})',
    minLength: 24,
    gate: GATE.underscore,
  },
  {
    // Hugging Face user (`hf_`) and organisation (`api_org_`) tokens: 34
    // letters (gitleaks' huggingface rules). Starts only at the literal prefix
    // and reads a bounded 34 characters: linear. Random tokens mix cases; an
    // identifier such as `hf_` and a lower-case word does not.
    name: 'huggingface-token',
    before: '(?<![A-Za-z0-9_])',
    secret: '(?:hf|api_org)_[A-Za-z]{34}',
    after: '(?![A-Za-z0-9_])',
    minLength: 37,
    confirm: hasBothCases,
    gate: GATE.underscore,
  },
  {
    // npm access tokens: `npm_` and 36 base62 characters (gitleaks'
    // npm-access-token). A literal start and a bounded run: linear.
    name: 'npm-token',
    before: '(?<![A-Za-z0-9_])',
    secret: 'npm_[A-Za-z0-9]{36}',
    after: '(?![A-Za-z0-9_])',
    minLength: 40,
    confirm: hasDigit,
    gate: GATE.underscore,
  },
  {
    name: 'stripe-key',
    secret: '[spr]k_(?:live|test)_[A-Za-z0-9]{10,}',
    minLength: 18,
    gate: GATE.underscore,
  },
  {
    name: 'slack-token',
    secret: 'xox[abposr]-[A-Za-z0-9\\-]{10,}',
    minLength: 15,
    gate: GATE.dash,
  },
  {
    // GitLab tokens: personal (`glpat-`, also the routable form with `.`),
    // deploy (`gldt-`), pipeline trigger (`glptt-`), runner (`glrt-`), CI job
    // (`glcbt-`), OAuth app secret (`gloas-`), feed (`glft-`), incoming mail
    // (`glimt-`), agent (`glagent-`), service account (`glsoat-`): GitLab's
    // own prefixes, as gitleaks lists them. Starts only at the literal prefix;
    // the run after it is consumed whole on success and is under 20 characters
    // on failure: linear.
    name: 'gitlab-token',
    before: '(?<![A-Za-z0-9_\\-])',
    secret: 'gl(?:pat|dt|ptt|rt|cbt|oas|ft|imt|agent|soat)-[A-Za-z0-9_\\-.]{20,}',
    minLength: 25,
    confirm: hasDigit,
    gate: GATE.dash,
  },
  {
    // Anthropic API and admin keys (`sk-ant-api03-…`, `sk-ant-admin01-…`,
    // gitleaks' anthropic rules), before openai-key, which would also match
    // them. A literal start and a run consumed whole: linear.
    name: 'anthropic-key',
    before: '(?<![A-Za-z0-9])',
    secret: 'sk-ant-[a-z]{2,8}\\d{2}-[A-Za-z0-9_\\-]{20,}',
    minLength: 34,
    gate: GATE.dash,
  },
  {
    name: 'openai-key',
    // Not inside a word: `task-`, `disk-`, `risk-` end in `sk-`.
    before: '(?<![A-Za-z0-9])',
    secret: 'sk-[A-Za-z0-9_\\-]{20,}',
    minLength: 23,
    // `sk-learn-pipeline-settings` is a name, not a key: keys carry digits.
    confirm: hasDigit,
    gate: GATE.dash,
  },
  {
    // Google API keys (Maps, Firebase, Gemini, GCP): `AIza` and 35 base64url
    // characters (gitleaks' gcp-api-key). A literal start and a bounded run: linear.
    name: 'google-api-key',
    before: '(?<![A-Za-z0-9_\\-])',
    secret: 'AIza[A-Za-z0-9_\\-]{35}',
    after: '(?![A-Za-z0-9_\\-])',
    minLength: 39,
    gate: GATE.google,
  },
  {
    // SendGrid API keys: `SG.`, 22 and 43 base64url characters around a dot
    // (gitleaks' sendgrid-api-token). A literal start and bounded runs: linear.
    name: 'sendgrid-key',
    before: '(?<![A-Za-z0-9_\\-.])',
    secret: 'SG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43}',
    after: '(?![A-Za-z0-9_\\-])',
    minLength: 69,
    gate: GATE.sendgrid,
  },
  {
    // A high-entropy value assigned to a secret-named key in text, outside
    // JSON (which json-secret-field covers): `api_key: 8f14e45f…`,
    // `X-Auth-Token=…`, `client_secret: "…"` in YAML, headers, env dumps,
    // the generic rule of gitleaks and trufflehog, with our key list. Found at
    // the `:` or `=` (the lookahead first, so the lookbehind runs at those
    // only, and reads back a bounded key name, a quote and 3 blanks). The
    // value is a run that excludes the separators, consumed whole on
    // success, and under 16 characters on failure: linear. Only values of 16+
    // characters with letters and digits and 3+ bits of entropy per character
    // count (`password: hunter2` is left to the key rule and `password=`).
    name: 'secret-assignment',
    beforeKeys: (keys) => `(?=[:=])(?<=${keyNames(keys)}["']?[ \\t]{0,3})`,
    prefix: `[:=][ \\t]{0,3}["']?`,
    secret: '[A-Za-z0-9+/_\\-.~]{16,}={0,2}',
    after: '(?![A-Za-z0-9+/_\\-.~=])',
    minLength: 20,
    confirm: isHighEntropy,
    gate: GATE.keyed,
  },
  QUOTED_SECRET_FIELD,
  {
    name: 'card-number',
    // Not glued to other digits (then it is another number), nor after the
    // `.` of a decimal, the `*` of a mask or inside `[HMAC:…]`.
    before: `(?<![0-9.*]|${HMAC_OPEN})`,
    secret: '[2-6](?:[ \\-]?\\d){12,18}',
    after: '(?![0-9]|\\.\\d)',
    minLength: 13,
    card: true,
    gate: GATE.digits,
  },
  {
    name: 'us-ssn',
    before: '(?<![0-9.*]|\\d-)',
    secret: '(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}',
    after: '(?![0-9]|-\\d)',
    minLength: 11,
    gate: GATE.digits,
  },
  {
    name: 'ip-address',
    // Before IPv4, so that an IPv4-mapped address goes whole.
    before: '(?<![0-9A-Za-z:.*])',
    secret: `(?:${IPV6})`,
    after: '(?![0-9A-Za-z:]|\\.\\d)',
    minLength: 4,
    optIn: true,
    gate: GATE.colon,
  },
  {
    name: 'ip-address',
    before: '(?<![0-9A-Za-z.*])',
    secret: IPV4,
    after: '(?![0-9A-Za-z]|\\.\\d)',
    minLength: 7,
    optIn: true,
    gate: GATE.dot,
  },
];

export { BUILTIN_PATTERN_NAMES } from './builtinPatternNames.js';

/**
 * The patterns that are off unless listed in `patterns`: derived from the
 * specs' `optIn` flags, so a new pattern marked opt-in ships switched off.
 */
export const OPT_IN_PATTERNS: ReadonlySet<BuiltinPatternName> = new Set(
  BUILTIN_PATTERNS.filter((spec) => spec.optIn === true).map((spec) => spec.name),
);

function hasDigit(secret: string): boolean {
  for (let i = 0; i < secret.length; i++) {
    const c = secret.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function hasBothCases(secret: string): boolean {
  return /[a-z]/.test(secret) && /[A-Z]/.test(secret);
}

/**
 * A random-looking value: letters and digits, and at least 3 bits of Shannon
 * entropy per character (a 16-character hex key has about 3.5; `aaaa1111…`
 * and words have less).
 */
export function isHighEntropy(secret: string): boolean {
  if (!hasDigit(secret) || !/[A-Za-z]/.test(secret)) return false;
  const counts = new Map<number, number>();
  for (let i = 0; i < secret.length; i++) {
    const c = secret.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / secret.length;
    bits -= p * Math.log2(p);
  }
  return bits >= 3;
}

// `Bearer authentication` in a sentence: a short run of letters is a word.
function notAWord(secret: string): boolean {
  return secret.length >= 20 || !/^[A-Za-z]+$/.test(secret);
}

// A Basic credential is base64 of `user:password` (RFC 7617): decoding it
// tells a credential from the next word of `Basic authentication failed`.
function isBasicCredential(secret: string): boolean {
  const decoded = Buffer.from(secret, 'base64').toString('utf8');
  // eslint-disable-next-line no-control-regex
  return decoded.includes(':') && !/[\u0000-\u001f\u007f\ufffd]/.test(decoded);
}

/**
 * Luhn checksum over `digits[start, end)`, skipping anything that is not a
 * digit (the separators of `4111 1111 1111 1111`).
 */
export function luhnValid(digits: string, start = 0, end = digits.length): boolean {
  let sum = 0;
  let double = false;
  for (let i = end - 1; i >= start; i--) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (double) {
      const twice = d * 2;
      sum += twice > 9 ? twice - 9 : twice;
    } else {
      sum += d;
    }
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Within a run of digit groups (`4111 1111 1111 1111 12` — a card number and
 * the month of its expiry date), finds the longest leading run of whole groups
 * that is shaped like a card number and passes the Luhn check: 13 to 19
 * digits, starting with 2–6 (the payment-card industries), one separator
 * throughout, a first group of at least 4 digits and no group under 3. Returns
 * its end offset in `text`, or -1.
 */
export function findCard(text: string, start: number, end: number): number {
  const first = text.charCodeAt(start);
  if (first < 50 || first > 54) return -1; // '2'..'6'
  let digits = 0;
  let group = 0;
  let groups = 0;
  let separator = -1;
  let best = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      group++;
      continue;
    }
    // A separator: the group before it just ended.
    if (!acceptGroup(group, groups)) return best;
    if (digits >= 13 && digits <= 19 && luhnValid(text, start, i)) best = i;
    if (separator === -1) separator = c;
    else if (c !== separator) return best;
    groups++;
    group = 0;
  }
  if (acceptGroup(group, groups) && digits >= 13 && digits <= 19 && luhnValid(text, start, end)) {
    best = end;
  }
  return best;
}

function acceptGroup(size: number, index: number): boolean {
  return index === 0 ? size >= 4 : size >= 3;
}

function isBase64UrlChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45
  );
}

/**
 * The start of the JWT header that ends at `dot`: the first `eyJ` of the run
 * of base64url characters before it (the run may begin with other text glued
 * to the token). The pattern's lookbehind guarantees there is one.
 */
export function jwtStart(text: string, dot: number): number {
  let start = dot;
  while (start > 0 && isBase64UrlChar(text.charCodeAt(start - 1))) start--;
  const header = text.indexOf('eyJ', start);
  return header >= 0 && header < dot ? header : dot;
}
