import { describe, expect, it } from 'vitest';
import { sizeClass } from '../../src/buffer-pool.js';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import { philox4x32_10 } from '../../src/reference/philox.js';
import { broadcastShapes, broadcastStrides, normalizeAxes, resolveReshape, stridesOf } from '../../src/shape.js';

describe('shape rules', () => {
  it('broadcasts NumPy-style and names op, shapes and rule on failure', () => {
    expect(broadcastShapes('add', [3, 1, 5], [4, 1])).toEqual([3, 4, 5]);
    expect(broadcastShapes('add', [], [2, 3])).toEqual([2, 3]);
    expect(() => broadcastShapes('add', [3, 2], [4, 2])).toThrow(ShapeError);
    expect(() => broadcastShapes('add', [3, 2], [4, 2])).toThrow(/^add: shapes are not broadcastable.*\[3, 2\], \[4, 2\]/);
  });

  it('gives zero strides to broadcast dimensions', () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(broadcastStrides([3, 1], [2, 3, 5])).toEqual([0, 1, 0]);
  });

  it('normalizes axes and rejects bad ones', () => {
    expect(normalizeAxes('sum', [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeAxes('sum', undefined, 2)).toEqual([0, 1]);
    expect(() => normalizeAxes('sum', 3, 3)).toThrow(ArgumentError);
    expect(() => normalizeAxes('sum', [1, -2], 3)).toThrow(/repeat/);
  });

  it('resolves -1 in reshape and refuses a size change', () => {
    expect(resolveReshape('reshape', [2, 3, 4], [-1, 4])).toEqual([6, 4]);
    expect(() => resolveReshape('reshape', [2, 3], [4, -1])).toThrow(/same number of elements \(6\)/);
    expect(() => resolveReshape('reshape', [2, 3], [-1, -1])).toThrow(/at most one/);
  });
});

describe('buffer pool size classes', () => {
  it('waste at most 12.5% above 4 KiB and are monotone', () => {
    let prev = 0;
    for (let b = 1; b < 1 << 22; b = Math.ceil(b * 1.37) + 1) {
      const c = sizeClass(b);
      expect(c).toBeGreaterThanOrEqual(b);
      expect(c).toBeGreaterThanOrEqual(prev);
      if (b > 4096) expect(c / b).toBeLessThanOrEqual(1.125);
      expect(c % 4).toBe(0);
      prev = c;
    }
  });
});

describe('philox reference', () => {
  it('matches the Random123 known-answer vectors', () => {
    const hex = (xs: number[]) => xs.map((x) => x.toString(16).padStart(8, '0'));
    expect(hex(philox4x32_10([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    expect(hex(philox4x32_10([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});
