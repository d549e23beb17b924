// `npm run bench -- playground` (part 1): CPU cost per frame of the playgrounds' GPU work on dawn.node's null backend
// (a device that validates and executes nothing, so wall time is the JavaScript + encoding cost). The optimizer race:
// all 7 optimizers advanced in one compiled step against one compiled step per optimizer. The classification
// playground: one training step of the default network, and one grid evaluation (encoding only, no readback).
import { init, type Runtime } from '../../src/index.js';
import { median } from '../../src/executor/profile.js';
import { classesOf, generate, split } from '../../demo/classify/datasets.js';
import { DATA_DEFAULTS } from '../../demo/classify/defaults.js';
import { Classifier } from '../../demo/classify/trainer.js';
import { gridPoints, NETWORK_DEFAULTS } from '../../demo/classify/settings.js';
import { parseExpression } from '../../demo/optimizers/expression.js';
import { Race } from '../../demo/optimizers/race.js';
import { RACERS } from '../../demo/optimizers/racers.js';
import { defaultSettings, surface } from '../../demo/optimizers/surfaces.js';
import { setupDawn } from './common.js';

const REPEATS = 7;
const FRAMES = 300;

/**
 * Mean µs per call of each case over FRAMES calls, median over REPEATS; the cases take turns within each repeat,
 * so a load that comes and goes on a shared machine hits them alike.
 */
async function perFrame(rt: Runtime, frames: readonly (() => void)[]): Promise<number[]> {
  for (const frame of frames) for (let i = 0; i < 10; i++) frame();
  await rt.sync();
  const times = frames.map(() => [] as number[]);
  for (let r = 0; r < REPEATS; r++) {
    for (const [k, frame] of frames.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < FRAMES; i++) frame();
      await rt.sync();
      times[k]!.push(((performance.now() - t0) * 1000) / FRAMES);
    }
  }
  return times.map(median);
}

export interface CostResult {
  case: string;
  usPerFrame: number;
  dispatchesPerFrame: number;
  submitsPerFrame: number;
}

export async function playgroundCost(log: (s: string) => void): Promise<CostResult[]> {
  const rt = await init({ gpu: setupDawn(['backend=null']) });
  const results: CostResult[] = [];
  /** Measures the cases together (interleaved); dispatches and submits per frame are counted on one extra frame each. */
  const measure = async (cases: readonly [string, () => void][]) => {
    const us = await perFrame(rt, cases.map(([, f]) => f));
    cases.forEach(([name, frame], k) => {
      const before = { ...rt.stats };
      frame();
      const r = { case: name, usPerFrame: +us[k]!.toFixed(1), dispatchesPerFrame: rt.stats.dispatches - before.dispatches, submitsPerFrame: rt.stats.submits - before.submits };
      results.push(r);
      log(`${name.padEnd(64)} ${r.usPerFrame.toFixed(1).padStart(8)} µs/frame   ${r.dispatchesPerFrame} dispatches, ${r.submitsPerFrame} submits per frame`);
    });
  };

  const rosenbrock = parseExpression(surface('rosenbrock').expression);
  const racer = (id: (typeof RACERS)[number]['id']) => ({ name: id, config: RACERS.find((r) => r.id === id)!.config(defaultSettings('rosenbrock', id)) });
  const options = { surface: rosenbrock, start: [-1.5, 2] as const, noise: 0, seed: 1, rt };
  const all = new Race({ ...options, racers: RACERS.map((r) => racer(r.id)) });
  const each = RACERS.map((r) => new Race({ ...options, racers: [racer(r.id)] }));
  const noisy = new Race({ ...options, noise: 1, racers: RACERS.map((r) => racer(r.id)) });
  await measure([
    ['optimizer race: 7 optimizers in ONE compiled step', () => all.advance().dispose()],
    ['optimizer race: 7 compiled steps, one per optimizer', () => { for (const race of each) race.advance().dispose(); }],
    ['optimizer race: 7 in one step, with gradient noise (RandomStream)', () => noisy.advance().dispose()],
  ]);
  for (const race of [all, ...each, noisy]) race.dispose();

  const spec = { ...DATA_DEFAULTS };
  const net = new Classifier(rt, NETWORK_DEFAULTS, classesOf(spec), split(generate(spec), spec.split, spec.seed));
  const grid = gridPoints(40, -1.5, 1.5);
  await measure([
    ['classify: one training step (default 2-16-16-16-2, batch 32)', () => net.train(1)],
    ['classify: grid evaluation 40×40 + train/test loss (no readback)', () => { for (const t of net.evaluationTensors(grid)) t.dispose(); }],
  ]);
  net.dispose();
  return results;
}

// Run directly (the bundle's entry): print, and write bench/results/playground-cost-<time>.json.
if (process.argv[1] && /playground-cost\.mjs$/.test(process.argv[1])) {
  const { machineInfo, outDir } = await import('./common.js');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const path = await import('node:path');
  console.log('playground cost per frame: dawn.node backend=null (validates, executes nothing): JavaScript + encoding only');
  const results = await playgroundCost((s) => console.log(s));
  const dir = outDir(process.argv.slice(2));
  mkdirSync(dir, { recursive: true });
  const timestamp = new Date().toISOString();
  const file = path.join(dir, `playground-cost-${timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ backend: 'playground-cost', timestamp, machine: machineInfo(), repeats: REPEATS, framesPerRepeat: FRAMES, results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
  process.exit(0);
}
