import { describe, expect, it } from 'vitest';
import { diagnoseLayer } from '../../src/train/step-stats.js';

const healthy = { count: 100, std: 0.6, nonFinite: 0, zeroFraction: 0.3, saturatedFraction: 0.02, nearZeroFraction: 0.05 };

describe('diagnoseLayer (lecture 002: initialization)', () => {
  it('passes healthy layers', () => {
    for (const label of ['1 Linear+Tanh', '1 Linear+ReLU', '3 Conv2d', '2 Sigmoid']) expect(diagnoseLayer({ ...healthy, label }), label).toEqual([]);
  });

  it('flags activations collapsed to 0, saturated tanh and sigmoid, dead ReLUs and NaN', () => {
    expect(diagnoseLayer({ ...healthy, label: '5 Linear+Tanh', std: 2e-4 })).toEqual(['collapsed']);
    expect(diagnoseLayer({ ...healthy, label: '5 Linear+Tanh', saturatedFraction: 0.8 })).toEqual(['saturated']);
    // A ReLU layer at ±1 is not saturated: saturation is a tanh/sigmoid property.
    expect(diagnoseLayer({ ...healthy, label: '5 Linear+ReLU', saturatedFraction: 0.8 })).toEqual([]);
    expect(diagnoseLayer({ ...healthy, label: '4 Sigmoid', saturatedFraction: 0.3, nearZeroFraction: 0.3 })).toEqual(['saturated']);
    expect(diagnoseLayer({ ...healthy, label: '1 Conv2d+ReLU', zeroFraction: 0.95 })).toEqual(['dead']);
    expect(diagnoseLayer({ ...healthy, label: '1 Linear', zeroFraction: 0.95 })).toEqual([]);
    expect(diagnoseLayer({ ...healthy, label: '1 Linear', nonFinite: 3 })).toEqual(['non-finite']);
    expect(diagnoseLayer({ ...healthy, label: '5 Linear+Tanh', saturatedFraction: 0.4 }, { saturatedShare: 0.3 })).toEqual(['saturated']);
  });
});
