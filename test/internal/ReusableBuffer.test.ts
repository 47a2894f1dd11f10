// The delivery path's reused request buffer (src/internal/ReusableBuffer.ts).
import { describe, expect, it } from 'vitest';
import { ReusableBuffer } from '../../src/internal/ReusableBuffer.js';

describe('ReusableBuffer', () => {
  it('should lend one buffer at a time and reuse it once given back', () => {
    const b = new ReusableBuffer(1024, 64);
    const first = b.take(100);
    expect(first.length).toBe(100);
    expect(b.isLent(first)).toBe(true);
    // Lent: the next take gets a buffer of its own, which writes cannot reach.
    const second = b.take(50);
    expect(b.isLent(second)).toBe(false);
    first.fill(1);
    second.fill(2);
    expect(first.every((x) => x === 1)).toBe(true);
    b.giveBack();
    const third = b.take(80);
    expect(b.isLent(third)).toBe(true);
    expect(third.buffer).toBe(first.buffer);
  });

  it('should grow up to its maximum and give larger requests a buffer of their own', () => {
    const b = new ReusableBuffer(1024, 64);
    const small = b.take(10);
    b.giveBack();
    const larger = b.take(500);
    expect(larger.length).toBe(500);
    expect(b.isLent(larger)).toBe(true);
    expect(larger.buffer).not.toBe(small.buffer);
    b.giveBack();
    const huge = b.take(2000);
    expect(huge.length).toBe(2000);
    expect(b.isLent(huge)).toBe(false);
    // The kept buffer is still free.
    expect(b.isLent(b.take(1024))).toBe(true);
  });

  it('should free its buffer on release only when it is not lent', () => {
    const b = new ReusableBuffer(1024, 64);
    const lent = b.take(100);
    b.release();
    b.giveBack();
    expect(b.take(100).buffer).toBe(lent.buffer);
    b.giveBack();
    b.release();
    expect(b.take(100).buffer).not.toBe(lent.buffer);
  });
});
