/**
 * Seeded PRNG for test inputs. Every run draws a fresh seed (override with TEST_SEED) and failures print
 * it, so inputs are new each run yet any failure can be replayed.
 */
/** TEST_SEED as the browser project's build defines it (vitest.config.ts); undeclared under Node. */
declare const __TEST_SEED__: string | undefined;

function envSeed(): number | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const v = (typeof __TEST_SEED__ === 'string' ? __TEST_SEED__ : undefined) || g.process?.env?.TEST_SEED;
  return v ? Number(v) : undefined;
}

export const TEST_SEED: number = envSeed() ?? (Math.floor(Math.random() * 2 ** 31) >>> 0);

export class Rng {
  private s: number;
  constructor(seed: number = TEST_SEED) {
    this.s = seed >>> 0 || 1;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(n: number, lo = -1, hi = 1): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * this.next();
    return a;
  }

  normal(n: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return a;
  }

  int(n: number, lo: number, hi: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + Math.floor((hi - lo) * this.next());
    return a;
  }
}
