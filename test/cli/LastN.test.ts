import { describe, expect, it } from 'vitest';
import { LastN } from '../../src/cli/LastN.js';

describe('LastN', () => {
  it('should keep the last n items, oldest first', () => {
    const ring = new LastN<number>(3);
    for (let i = 1; i <= 7; i++) ring.push(i);
    expect([...ring]).toEqual([5, 6, 7]);
  });

  it('should keep everything while fewer than n were pushed, and nothing for n = 0', () => {
    const some = new LastN<string>(5);
    some.push('a');
    some.push('b');
    expect([...some]).toEqual(['a', 'b']);
    const none = new LastN<string>(0);
    none.push('a');
    expect([...none]).toEqual([]);
  });
});
