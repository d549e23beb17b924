import { TEST_SEED } from './random.js';

export interface Tolerance {
  /** Relative error bound: |a − e| ≤ atol + rtol·|e|. */
  rtol: number;
  atol?: number;
}

/**
 * Throws on the first element outside the bound, naming index, values and the seed to replay. NaN
 * (the poison value of unwritten outputs) never matches a number.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  const atol = tol.atol ?? 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const err = Math.abs(a - e);
    const bound = atol + tol.rtol * Math.abs(e);
    if (!(err <= bound)) {
      throw new Error(`${what}: element ${i} is ${a}, expected ${e} (|err| ${err.toExponential(3)} > bound ${bound.toExponential(3)}, rtol ${tol.rtol}, atol ${atol}; TEST_SEED=${TEST_SEED})`);
    }
    worst = Math.max(worst, err / Math.max(bound, Number.MIN_VALUE));
  }
}

export function expectEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what = 'values'): void {
  expectClose(actual, expected, { rtol: 0, atol: 0 }, what);
}
