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
      expect(String(logged[3]![0])).toMatch(/^GPU time per step .+, median of 1\)\nSum of \d+ dispatches timed one per pass .+\n {2}\S+ · \S+ +×\d+/);
    }
  },
  inspect(logged) {
    expect(logged).toHaveLength(5);
    expect(String(logged[0]![0])).toMatch(/^Sequential\(\n {2}\(0\): Flatten\(start_dim=1, end_dim=-1\)\n {2}\(1\): Linear\(in_features=784, /);
    const layers = logged[1]![0] as string[];
    expect(layers.map((l) => l.split(':')[0])).toEqual(['0 Flatten', '1 Linear+ReLU', '3 Linear']);
    // The input is 0.5 everywhere: the flattened layer's mean is 0.5 and its std 0.
    expect(layers[0]).toBe('0 Flatten: mean 0.500, std 0.000');
    const params = logged[2]![0] as string[];
    expect(params.map((p) => p.split(':')[0])).toEqual(['1.weight', '1.bias', '3.weight', '3.bias']);
    for (const p of params) expect(p).toMatch(/‖g‖ \d\.\d\de[+-]\d+, ‖Δw‖\/‖w‖ \d\.\d\de[+-]\d+$/);
    expect(String(logged[3]![0])).toMatch(/Compiled step: \d+ dispatches/);
    const top3 = logged[4]![0] as { index: number; probability: number }[];
    expect(top3).toHaveLength(3);
    expect(top3[0]!.probability).toBeGreaterThanOrEqual(top3[1]!.probability);
    expect(top3[1]!.probability).toBeGreaterThanOrEqual(top3[2]!.probability);
    for (const t of top3) expect(t.probability).toBeGreaterThan(0);
  },
  search(logged) {
    // 4 trial lines, the table, the best configuration, then the range test's three learning rates.
    expect(logged).toHaveLength(7);
    const trials = logged.slice(0, 4).map((args) => String(args[0]));
    for (const t of trials) expect(t).toMatch(/^#\d (done|stopped-early|diverged) (\d\.\d{3}|NaN)$/);
    expect(new Set(trials.map((t) => t.split(' ')[0]))).toEqual(new Set(['#0', '#1', '#2', '#3']));
    expect(String(logged[4]![0]).split('\n').length).toBeGreaterThanOrEqual(5);
    const [config, weightBytes, memory] = logged[5]! as [Record<string, unknown>, number, unknown];
    expect(Object.keys(config).sort()).toEqual(['lr', 'optimizer', 'weightDecay', 'width']);
    expect(weightBytes).toBeGreaterThan(784 * 32 * 4);
    expect(memory).toBeDefined();
    const [suggested, minLoss] = logged[6]! as number[];
    // Smith's rule: a tenth of the lowest loss's learning rate, inside the tested range.
    expect(suggested).toBeCloseTo(minLoss! / 10, 12);
    expect(minLoss).toBeGreaterThan(1e-7);
    expect(minLoss).toBeLessThanOrEqual(10);
  },
  transfer(logged) {
    expect(logged).toHaveLength(4);
    expect(logged[0]![0]).toEqual(['11.weight: file [10, 84] vs module [5, 84]', '11.bias: file [10] vs module [5]']);
    const accuracy = logged[1]![0] as number;
    expect(accuracy * 10).toBeCloseTo(Math.round(accuracy * 10), 6);   // a share of 10 images
    expect(logged[2]).toEqual([1e-4, 1e-2]);
    const [shape, scores] = logged[3]! as [number[], Float32Array];
    expect(shape).toEqual([2, 8]);
    for (let q = 0; q < 2; q++) {
      for (let j = 0; j < 8; j++) {
        const v = scores[q * 8 + j]!;
        expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-5);                   // cosine similarities
        if (j > 0) expect(v).toBeLessThanOrEqual(scores[q * 8 + j - 1]! + 1e-6); // best first
      }
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
