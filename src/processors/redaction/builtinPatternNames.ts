/**
 * Every built-in value pattern's name, declared once: the
 * {@link BuiltinPatternName} type, option validation and the documentation
 * derive from it. Which of them are opt-in is read from the pattern specs
 * themselves (`optIn` in patterns.ts), never written out again.
 */
export const BUILTIN_PATTERN_NAMES = [
  'jwt',
  'bearer',
  'basic',
  'aws-access-key-id',
  'aws-secret-key',
  'github-token',
  'slack-token',
  'stripe-key',
  'openai-key',
  'private-key',
  'card-number',
  'us-ssn',
  'url-credentials',
  'secret-query-param',
  'json-secret-field',
  'google-api-key',
  'gitlab-token',
  'anthropic-key',
  'huggingface-token',
  'npm-token',
  'sendgrid-key',
  'secret-assignment',
  'quoted-secret-field',
  'email',
  'ip-address',
] as const;

/** The built-in value patterns; `email` and `ip-address` are off unless listed in `patterns`. */
export type BuiltinPatternName = (typeof BUILTIN_PATTERN_NAMES)[number];
