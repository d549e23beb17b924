// The optimizer playground's race (demo/optimizers/race.ts) on dawn.node: every optimizer's path, advanced by the
// library's fused kernels in one compiled step, against its float64 PyTorch-semantics formula (src/reference/optim.ts)
// with the float64 gradient of the same expression; and the lecture's claims about the surfaces.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/index.js';
import { RefOptimizer } from '../../src/reference/optim.js';
import { refRandn } from '../../src/reference/philox.js';
import { evaluate, evaluateWithGradient, parseExpression } from '../../demo/optimizers/expression.js';
import { Race } from '../../demo/optimizers/race.js';
import { RACERS, racer, type RacerId } from '../../demo/optimizers/racers.js';
import { defaultSettings, surface, type SurfaceId } from '../../demo/optimizers/surfaces.js';
import { testRuntime } from '../helpers/gpu.js';
import { Rng } from '../helpers/random.js';

let rt: Runtime;
beforeAll(async () => { rt = await testRuntime(); });

/** Runs the race for `steps` steps; paths[r][t] = racer r's (x, y) before step t. */
async function runRace(surfaceId: SurfaceId, start: [number, number], ids: readonly RacerId[], steps: number, noise = 0, seed = 0) {
  const expr = parseExpression(surface(surfaceId).expression);
  const racers = ids.map((id) => ({ name: id, config: racer(id).config(defaultSettings(surfaceId, id)) }));
  const race = new Race({ surface: expr, start, racers, noise, seed, rt });
  const outs = Array.from({ length: steps }, () => race.advance());
  const rows = await Promise.all(outs.map((o) => o.toArray()));
  outs.forEach((o) => o.dispose());
  race.dispose();
  return ids.map((_, r) => rows.map((row) => [row[2 * r]!, row[2 * r + 1]!] as [number, number]));
}

const rosenbrock = parseExpression(surface('rosenbrock').expression);

/**
 * The float64 path of racer `id` on Rosenbrock; with `jitter`, every parameter, optimizer state and gradient
 * takes a random relative error of up to 2⁻²³ (one f32 ulp) at every step.
 */
function referencePath(id: RacerId, start: readonly [number, number], steps: number, jitter?: Rng): [number, number][] {
  const ref = new RefOptimizer(racer(id).config(racer(id).defaults), [Float64Array.from(start)]);
  const nudge = (v: number) => (jitter ? v * (1 + (2 * jitter.next() - 1) * 2 ** -23) : v);
  const nudgeAll = (a: Float64Array) => a.forEach((v, i) => { a[i] = nudge(v); });
  const path: [number, number][] = [];
  for (let t = 0; t < steps; t++) {
    const p = ref.params[0]!;
    nudgeAll(p);
    for (const arrays of Object.values(ref.state)) arrays.forEach(nudgeAll);
    path.push([p[0]!, p[1]!]);
    const [, dx, dy] = evaluateWithGradient(rosenbrock, p[0]!, p[1]!);
    ref.update([Float64Array.of(nudge(dx), nudge(dy))]);
  }
  return path;
}

/** The largest distance from `exact` of 8 jittered paths: how far this start carries rounding errors. */
function roundingSpread(id: RacerId, start: readonly [number, number], exact: readonly [number, number][]): number {
  const jitter = new Rng(99);
  let spread = 0;
  for (let k = 0; k < 8; k++) {
    const path = referencePath(id, start, exact.length, jitter);
    path.forEach(([x, y], t) => { spread = Math.max(spread, Math.abs(x - exact[t]![0]), Math.abs(y - exact[t]![1])); });
  }
  return spread;
}

describe('optimizer race', () => {
  it('each optimizer follows its float64 PyTorch formula on Rosenbrock for 200 steps, within its start\'s rounding spread', async () => {
    const rng = new Rng();
    // A fresh start near the page's default (−1.5, 2).
    const start: [number, number] = [Math.fround(-1.5 + 0.2 * rng.next() - 0.1), Math.fround(2 + 0.2 * rng.next() - 0.1)];
    const ids = RACERS.map((r) => r.id);
    const gpu = await runRace('rosenbrock', start, ids, 200);
    ids.forEach((id, r) => {
      const exact = referencePath(id, start, 200);
      let worst = 0;
      for (let t = 0; t < 200; t++) worst = Math.max(worst, Math.abs(gpu[r]![t]![0] - exact[t]![0]), Math.abs(gpu[r]![t]![1] - exact[t]![1]));
      // How far this start's valley carries f32-sized errors differs by start and optimizer (RMSProp's 1/√v
      // amplifies them 100× more from some starts than from others). The bound is the spread of float64 paths
      // that take a 1-ulp relative error in every parameter, state and gradient at every step, ×10 for the
      // GPU's several roundings per operation (measured: GPU error ≤ 2.9× the spread, 16 starts × 7 optimizers).
      const bound = 10 * roundingSpread(id, start, exact);
      expect(worst, `${id}: max |gpu − float64| over 200 steps from (${start}), bound ${bound.toExponential(2)}`).toBeLessThan(bound);
    });
  });

  it('from (−1.5, 2) with the page defaults every optimizer lowers f on Rosenbrock', async () => {
    const ids = RACERS.map((r) => r.id);
    const gpu = await runRace('rosenbrock', [-1.5, 2], ids, 200);
    const f0 = evaluate(rosenbrock, -1.5, 2);
    ids.forEach((id, r) => {
      const [x, y] = gpu[r]![199]!;
      expect(evaluate(rosenbrock, x, y), `${id} ends at (${x}, ${y})`).toBeLessThan(0.6 * f0);
    });
  });

  it('saddle from (1, 0): plain GD without noise slides to the origin along y = 0; with noise it escapes', async () => {
    const saddle = parseExpression(surface('saddle').expression);
    const [exact] = await runRace('saddle', [1, 0], ['sgd'], 300);
    for (const [, y] of exact!) expect(y).toBe(0);
    const [x, y] = exact![299]!;
    // x shrinks by (1 − 2η) per step: 0.98^299 ≈ 2e-3 with the page's η = 0.01 on the saddle.
    const lr = defaultSettings('saddle', 'sgd').lr;
    expect(x).toBeGreaterThan(0);
    expect(x).toBeCloseTo((1 - 2 * lr) ** 299, 6);
    expect(y).toBe(0);
    const [noisy] = await runRace('saddle', [1, 0], ['sgd'], 300, 1, 7);
    // Noise puts y off the ridge, and −y² then pushes it away: |y| grows like (1 + 2η)^t ≈ e^6 over 300 steps.
    expect(Math.abs(noisy![299]![1])).toBeGreaterThan(0.5);
    expect(evaluate(saddle, ...noisy![299]!)).toBeLessThan(evaluate(saddle, ...exact![299]!));
  });

  it('noise is reproducible from its seed, differs between seeds, and is stream t of the seed added to the gradient at step t', async () => {
    const a = await runRace('rosenbrock', [-1.5, 2], ['adam'], 20, 0.5, 3);
    const b = await runRace('rosenbrock', [-1.5, 2], ['adam'], 20, 0.5, 3);
    const c = await runRace('rosenbrock', [-1.5, 2], ['adam'], 20, 0.5, 4);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // SGD on the saddle with σ = 1, against float64 with the reference normals: w −= η(∇f + n_t).
    const seed = 5, sigma = 1, steps = 30;
    const [gpu] = await runRace('saddle', [1, 0], ['sgd'], steps, sigma, seed);
    const saddle = parseExpression(surface('saddle').expression);
    const ref = new RefOptimizer(racer('sgd').config(defaultSettings('saddle', 'sgd')), [Float64Array.of(1, 0)]);
    for (let t = 0; t < steps; t++) {
      const [x, y] = ref.params[0]!;
      // WGSL's cos/sin may err by 2⁻¹¹ (× radius ≤ 5.8) per normal, times η = 0.01, over 30 steps growing ≤ 1.02^30: < 3e-3.
      expect(Math.abs(gpu![t]![0] - x!) + Math.abs(gpu![t]![1] - y!), `step ${t}`).toBeLessThan(3e-3);
      const [, dx, dy] = evaluateWithGradient(saddle, x!, y!);
      const n = refRandn(2, seed, t, 0, sigma);
      ref.update([Float64Array.of(dx + n[0]!, dy + n[1]!)]);
    }
  });
});
