export {
  ATTR_LOGKIT_REDACTION_COUNT,
  REDACTION_STEP_NAME,
  createRedactionStep,
} from './RedactionStep.js';
export { DEFAULT_REDACTED_KEYS, resolveRedactionOptions } from './RedactionOptions.js';
export type {
  BuiltinPatternName,
  CustomPattern,
  RedactionMode,
  RedactionOptions,
} from './RedactionOptions.js';
export { BUILTIN_PATTERN_NAMES } from './patterns.js';
export { REDACTED, Redactor } from './Redactor.js';
