// `npm run bench -- search`: cost per trial-step of K trials trained at once against the same K trials one after
// another, for MLP 784-512-512-10 and LeNet-5. Two ways at once: 'stacked', one model over a stacked trial
// dimension (TrialStack: one replay, each dispatch for all K; what randomSearch/gridSearch do by default), and
// 'concurrent', K compiled steps replayed in one submit per round (stack: false).
//   node bench/dist/search-bench.mjs [--device null|swiftshader|gpu] [--batch 32] [--steps N] [--repeats N] [--k 1,4,8] [--out DIR]
// null: dawn.node's null backend (validates, executes nothing): the CPU cost. swiftshader: the whole step on the CPU's
// Vulkan emulation (wall time, GPU work included). gpu: the machine's own adapter (scripts/gpu-run.sh search).
// Each trial is the search's own TrialRun (its compiled step with the GPU-side metrics, or its share of a
// TrialStack), with different learning rates and momenta reaching the GPU as data.
import { parseArgs } from 'node:util';
import * as wn from '../../src/index.js';
import { median } from '../../src/executor/profile.js';
import { FeedSet, round } from '../../src/search/scheduler.js';
import { TrialRun, type RunSettings } from '../../src/search/trial-run.js';
import { TrialStack } from '../../src/search/trial-stack.js';
import { randomArray } from '../suite/data.js';
import { machineInfo, outDir, setupDawn, writeReport } from './common.js';
import type { BenchReport } from '../suite/types.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'null' }, batch: { type: 'string', default: '32' }, steps: { type: 'string' },
    repeats: { type: 'string', default: '5' }, k: { type: 'string', default: '1,4,8' }, models: { type: 'string', default: 'mlp,lenet5' }, modes: { type: 'string', default: 'stacked,concurrent,sequential' }, out: { type: 'string' },
  },
});
const device = values.device!;
if (device !== 'null' && device !== 'swiftshader' && device !== 'gpu') throw new Error(`--device must be null, swiftshader or gpu, got ${device}`);
const onNull = device === 'null';
const batch = Number(values.batch), repeats = Number(values.repeats);
const steps = Number(values.steps ?? (onNull ? 200 : device === 'gpu' ? 100 : 3));
const ks = values.k!.split(',').map(Number);
const models = values.models!.split(',') as ('mlp' | 'lenet5')[];
// --modes stacked: one mode alone (to profile it); the table needs all three.
type Mode = 'stacked' | 'concurrent' | 'sequential';
const modes = values.modes!.split(',') as Mode[];
if (onNull) process.env.VK_ICD_FILENAMES ??= '';
const rt = await wn.init({ gpu: setupDawn(onNull ? ['backend=null'] : []) });

const SHAPES = { mlp: [784], lenet5: [1, 28, 28] } as const;
/**
 * usPerTrialStep: this process's CPU time (user + system, all threads: dawn's and SwiftShader's included) per
 * trial-step, median over repeats — robust to other processes on a shared machine, unlike wall time, which is
 * given too (wallUsPerTrialStep, and the fastest repeat's).
 */
interface Row { model: string; k: number; mode: Mode; usPerTrialStep: number; wallUsPerTrialStep: number; wallUsPerTrialStepFastest: number; submitsPerTrialStep: number; perTrialBytes: number }
const rows: Row[] = [];

for (const name of models) {
  const sample = SHAPES[name].reduce((a: number, b: number) => a * b, 1);
  const n = batch * 4;
  // Stored as Fashion-MNIST is (bytes, normalized as each batch is gathered): the data cost a real trial-step pays.
  const pixels = Uint8Array.from(randomArray(n * sample, 1), (v) => Math.floor((v + 1) * 127.5));
  const normalize = { scale: 1 / 255, mean: wn.FASHION_MNIST_MEAN, std: wn.FASHION_MNIST_STD };
  const data = new wn.InMemoryDataset(pixels, Int32Array.from({ length: n }, (_, i) => i % 10), { sampleShape: SHAPES[name], normalize });
  const settings: RunSettings = {
    model: () => (name === 'mlp' ? wn.mlp([784, 512, 512, 10], { runtime: rt }) : wn.lenet5({ runtime: rt })),
    batchSize: batch, steps: 1e9, metric: 'valAcc', minDelta: 0,
  };
  for (const k of ks) {
    const before = rt.memory().inUseBytes;
    // Different learning rates and momenta per trial: per-trial scalars reach the GPU as data.
    // The search's data path: one feed of shared, uploaded mini-batches for trials of the same data and batch size.
    const feeds = new FeedSet(rt, 0);
    const newRuns = () => Array.from({ length: k }, (_, i) => new TrialRun(rt, { optimizer: 'momentum', lr: 0.01 * (i + 1), momentum: 0.5 + 0.05 * i }, i, data, data, settings, (b) => feeds.get(data, b)));
    const runs = newRuns();
    for (const r of runs) round(rt, [r], feeds); // trace each compiled step
    await rt.sync();
    const perTrialBytes = { concurrent: (rt.memory().inUseBytes - before) / k, sequential: 0, stacked: 0 };
    perTrialBytes.sequential = perTrialBytes.concurrent;
    let stack: TrialStack | null = null, stackRuns: TrialRun[] = [];
    if (modes.includes('stacked')) {
      const beforeStack = rt.memory().inUseBytes;
      stackRuns = newRuns();
      stack = new TrialStack(rt, stackRuns, stackRuns[0]!.feed);
      round(rt, [stack], feeds); // trace the stack's step
      await rt.sync();
      perTrialBytes.stacked = (rt.memory().inUseBytes - beforeStack) / k;
    }
    // The modes alternate repeat by repeat, so all see the same machine load.
    const times = { stacked: [] as number[], concurrent: [] as number[], sequential: [] as number[] };
    const cpu = { stacked: [] as number[], concurrent: [] as number[], sequential: [] as number[] };
    const submits = { stacked: 0, concurrent: 0, sequential: 0 };
    for (let rep = 0; rep < repeats; rep++) {
      for (const mode of modes) {
        const s0 = rt.stats.submits;
        const t0 = performance.now(), c0 = process.cpuUsage();
        if (mode === 'stacked') for (let s = 0; s < steps; s++) round(rt, [stack!], feeds);
        else if (mode === 'concurrent') for (let s = 0; s < steps; s++) round(rt, runs, feeds);
        else for (const r of runs) for (let s = 0; s < steps; s++) round(rt, [r], feeds);
        await rt.sync();
        times[mode].push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu[mode].push((c.user + c.system) / 1000);
        submits[mode] = rt.stats.submits - s0;
      }
    }
    for (const mode of modes) {
      const per = (ms: number) => (ms * 1000) / (k * steps);
      const row: Row = {
        model: name, k, mode, usPerTrialStep: per(median(cpu[mode])), wallUsPerTrialStep: per(median(times[mode])), wallUsPerTrialStepFastest: per(Math.min(...times[mode])),
        submitsPerTrialStep: submits[mode] / (k * steps), perTrialBytes: perTrialBytes[mode],
      };
      rows.push(row);
      console.log(`${name} b${batch} K=${k} ${mode.padEnd(10)} ${row.usPerTrialStep.toFixed(1).padStart(8)} µs CPU, ${row.wallUsPerTrialStep.toFixed(1).padStart(8)} µs wall per trial-step  (${row.submitsPerTrialStep.toFixed(3)} submits per trial-step, ${(row.perTrialBytes / 2 ** 20).toFixed(2)} MiB per trial)`);
    }
    stack?.dispose();
    for (const r of [...runs, ...stackRuns]) r.dispose();
    feeds.dispose();
  }
}

const fmt = (us: number) => (us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${us.toFixed(1)} µs`);
if (modes.length < 3) process.exit(0);
console.log(`\nCost per trial-step, ${onNull ? 'null device (CPU cost)' : device === 'gpu' ? 'GPU (whole step)' : 'SwiftShader (whole step)'}, batch ${batch}: process CPU time (user + system) and wall time, medians of ${repeats} repeats of ${steps} steps per trial`);
console.log('| model | K | CPU: stacked | CPU: concurrent | CPU: sequential | sequential / stacked | sequential / concurrent | wall (median): stacked / concurrent / sequential | MiB per trial: stacked / own step |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const name of models) {
  for (const k of ks) {
    const [st, c, s] = (['stacked', 'concurrent', 'sequential'] as const).map((m) => rows.find((r) => r.model === name && r.k === k && r.mode === m)!);
    const mib = (b: number) => (b / 2 ** 20).toFixed(2);
    console.log(`| ${name} b${batch} | ${k} | ${fmt(st!.usPerTrialStep)} | ${fmt(c!.usPerTrialStep)} | ${fmt(s!.usPerTrialStep)} | **${(s!.usPerTrialStep / st!.usPerTrialStep).toFixed(2)}×** | ${(s!.usPerTrialStep / c!.usPerTrialStep).toFixed(2)}× | ${fmt(st!.wallUsPerTrialStep)} / ${fmt(c!.wallUsPerTrialStep)} / ${fmt(s!.wallUsPerTrialStep)} | ${mib(st!.perTrialBytes)} / ${mib(c!.perTrialBytes)} |`);
  }
}
const report = {
  backend: `search-${device}`,
  timestamp: new Date().toISOString(),
  machine: machineInfo({ adapter: rt.adapter, device }),
  argv: process.argv.slice(2),
  notes: ['Per trial-step: process CPU time (user + system, all threads) and wall time of K trials × steps (stacked: one replay of one step for all K per round; concurrent: K replays in one submit per round; sequential: one submit per step) / (K · steps), ending with rt.sync(); the modes alternate repeat by repeat.'],
  rows,
} as unknown as BenchReport;
console.log(`wrote ${writeReport(report, outDir(process.argv))}`);
process.exit(0);
