import { describe, expect, it } from 'vitest';
import { ArgumentError, InMemoryDataset } from '../../src/index.js';

describe('InMemoryDataset label checks (CPU, at construction)', () => {
  it('refuses a label ≥ C, naming its index, value and C', () => {
    const y = Int32Array.of(0, 2, 1, 3, 0);
    expect(() => new InMemoryDataset(new Float32Array(10), y, { sampleShape: [2], classes: 3 }))
      .toThrow(/InMemoryDataset: label 3 at index 3 is out of range \[0, 3\) \(C = 3\)/);
    expect(() => new InMemoryDataset(new Float32Array(10), y, { sampleShape: [2], classes: 3 })).toThrow(ArgumentError);
    expect(new InMemoryDataset(new Float32Array(10), y, { sampleShape: [2], classes: 4 }).classes).toBe(4);
  });

  it('refuses a negative label even without a class count, and a bad class count', () => {
    expect(() => new InMemoryDataset(new Float32Array(6), Int32Array.of(1, -1, 0), { sampleShape: [2] })).toThrow(/label -1 at index 1 is out of range/);
    expect(() => new InMemoryDataset(new Float32Array(2), Int32Array.of(0), { sampleShape: [2], classes: 0 })).toThrow(/classes must be a positive integer, got 0/);
  });

  it('subsets keep the class count', () => {
    const d = new InMemoryDataset(new Float32Array(6), Int32Array.of(1, 0, 2), { sampleShape: [2], classes: 3 });
    expect(d.subset([2, 0]).classes).toBe(3);
  });
});
