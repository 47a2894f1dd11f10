// The default secret key names: the key rule redacts the values under them in attributes and
// map bodies, and the `json-secret-field` pattern the values of JSON members so named inside
// strings. One list, so both agree.

/** The keys redacted by default (whole value, at any depth). */
export const DEFAULT_REDACTED_KEYS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'authorization',
  'cookie',
  'set-cookie',
  'private_key',
  'client_secret',
  'secret_key',
  'secret_access_key',
  'signing_key',
  'passphrase',
  'credit_card',
  'card_number',
  'cvv',
  'ssn',
];
