import { describe, expect, it } from 'vitest';

describe('node project', () => {
  it('runs TypeScript tests under Node', () => {
    expect(typeof process.versions.node).toBe('string');
    expect(new Float32Array([1, 2, 3]).reduce((a, b) => a + b, 0)).toBe(6);
  });
});
