import { expect, vi } from 'vitest';

/** The example files (examples/*.ts), loaded on demand: importing one runs it, as `node`/a page would. */
const modules = import.meta.glob('../../examples/*.ts');

/** Example names (file names without .ts). */
export const exampleNames = Object.keys(modules).map((k) => k.replace(/^.*\/(.+)\.ts$/, '$1')).sort();

/**
 * Runs examples/<name>.ts once (its top-level code) and returns what it passed to console.log, call by call.
 * A throw or a rejected top-level await fails the calling test.
 */
export async function runExample(name: string): Promise<unknown[][]> {
  const load = modules[`../../examples/${name}.ts`];
  if (!load) throw new Error(`no examples/${name}.ts (have ${exampleNames.join(', ')})`);
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(args);
  });
  try {
    await load();
  } finally {
    spy.mockRestore();
  }
  return logged;
}

/** What the browser and Node runs of an example both check: its printed results, beyond "it did not throw". */
export const exampleChecks: Record<string, (logged: unknown[][]) => void> = {
  tensors(logged) {
    expect(logged).toHaveLength(1);
    const [shape, values] = logged[0]! as [number[], Float32Array];
    expect(shape).toEqual([128, 10]);
    expect(values).toBeInstanceOf(Float32Array);
    expect(values.length).toBe(1280);
    // relu(a · w) with w all 0.1: each row is 0.1·Σ a_row (clamped at 0) in all ten columns.
    let positive = 0;
    for (let r = 0; r < 128; r++) {
      const v = values[r * 10]!;
      expect(v).toBeGreaterThanOrEqual(0);
      if (v > 0) positive++;
      for (let c = 1; c < 10; c++) expect(values[r * 10 + c]).toBe(v);
    }
    // Σ of 64 standard normals is positive for about half the rows.
    expect(positive).toBeGreaterThan(32);
    expect(positive).toBeLessThan(96);
  },
  autodiff(logged) {
    expect(logged).toHaveLength(1);
    expect(logged[0]![0]).toBeInstanceOf(Float32Array);
    expect(Array.from(logged[0]![0] as Float32Array)).toEqual([2, 4, 6]);
  },
  'compiled-step'(logged) {
    const steps = logged.slice(0, 3).map((args) => {
      const m = /^step (\d): loss (\d+\.\d{4})$/.exec(String(args[0]));
      expect(m, `line ${String(args[0])}`).not.toBeNull();
      return Number(m![2]);
    });
    // Untrained LeNet-5 on 10 classes starts near ln 10; SGD on one repeated batch lowers the loss.
    expect(Math.abs(steps[0]! - Math.log(10))).toBeLessThan(0.5);
    expect(steps[2]!).toBeLessThan(steps[0]!);
    // The profile is printed where the device has timestamp queries (dawn and Chromium on SwiftShader do).
    if (logged.length > 3) {
      expect(logged).toHaveLength(4);
      expect(String(logged[3]![0])).toMatch(/^GPU time per step .+ in \d+, median of 1\)\n {2}\S+ · \S+ +×\d+/);
    }
  },
  node(logged) {
    expect(logged).toHaveLength(2);
    expect(String(logged[0]![0]).length).toBeGreaterThan(0);
    const s = logged[1]![0] as number;
    expect(Number.isFinite(s)).toBe(true);
    // Σ of 1000 standard normals: σ = √1000 ≈ 31.6; 5σ.
    expect(Math.abs(s)).toBeLessThan(160);
  },
};
