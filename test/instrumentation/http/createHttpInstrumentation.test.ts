import { describe, expect, it } from 'vitest';
import { createHttpInstrumentation } from '../../../src/instrumentation/http/index.js';

describe('createHttpInstrumentation', () => {
  it('should throw a message naming the problem when there is no registration', () => {
    expect(() => createHttpInstrumentation()).toThrow(/registerLogging\(\)/);
  });
});
