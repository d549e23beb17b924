// The benchmark suite shared by the three back ends (browser page, Node overhead runner, GPU bundle).
import { chainReference, denseSampleError, matmulSampleError, randomArray, relativeError } from './data.js';
import { median } from '../../src/executor/profile.js';
import { diffCounters } from './instrument.js';
import { BN_SHAPES, bnCheck, bnSpec, CONV_LAYERS, convCheck, convSpec, trainSpec } from './workloads.js';
import {
  CHAIN_OPS, type BenchCase, type BenchLib, type CaseResult, type GpuProfile, type DenseSpec, type ElementwiseSpec, type LibResult,
  type MatmulSpec, type SuiteOptions, type SuiteResult, type Timing, type TrainSpec, type ConvSpec, type BatchNormSpec,
} from './types.js';

const now = () => performance.now();

interface Prepared {
  lib: BenchLib;
  c: BenchCase;
  run(steps: number): Promise<number>;
  steps: number;
  firstStepMs: number;
  deviceFirstStep: Record<string, number>;
  checkError?: number;
}

/** First (cold) step, warm-up, and calibration of the steps per repeat (≈ targetMsPerRepeat of wall time). */
async function prepare(lib: BenchLib, c: BenchCase, o: SuiteOptions): Promise<Prepared> {
  const run = async (steps: number): Promise<number> => {
    const t = now();
    for (let i = 0; i < steps; i++) c.step();
    await lib.sync();
    return now() - t;
  };
  const d0 = lib.deviceCounters();
  const firstStepMs = await run(1);
  const deviceFirstStep = diffCounters(lib.deviceCounters(), d0);
  // warmupSteps counts the first step and the calibration step below.
  if (o.warmupSteps > 2) await run(o.warmupSteps - 2);
  // One step (includes a sync) gives a first estimate of the steps per repeat; then batches of that size,
  // re-estimated each time, until warmupMs have passed (JIT tiers and GC heap sizing settle). A case whose
  // single step already takes a whole repeat (a training step on a CPU adapter: seconds) and whose first two
  // steps lasted warmupMs is warm: no further batch.
  const clampSteps = (msPerStep: number) => Math.max(1, Math.min(o.maxSteps, Math.round(o.targetMsPerRepeat / Math.max(msPerStep, 1e-4))));
  const calibration = await run(1);
  let steps = clampSteps(calibration);
  if (!(steps === 1 && firstStepMs + calibration >= o.warmupMs)) {
    for (let warmed = 0; ;) {
      const t = await run(steps);
      warmed += t;
      steps = clampSteps(t / steps);
      if (warmed >= o.warmupMs) break;
    }
  }
  return { lib, c, run, steps, firstStepMs, deviceFirstStep };
}

/**
 * Timed repeats, interleaved between the libraries (A B A B …, first one alternating) so that a change in
 * machine load during the case hits both alike; each repeat = `steps` steps then one sync.
 */
async function timeInterleaved(ps: Prepared[], o: SuiteOptions): Promise<Map<Prepared, Timing>> {
  const before = ps.map((p) => ({ d: p.lib.deviceCounters(), l: p.lib.libCounters() }));
  const samples = ps.map(() => [] as number[]);
  for (let r = 0; r < o.repeats; r++) {
    for (let j = 0; j < ps.length; j++) {
      const i = r % 2 ? ps.length - 1 - j : j;
      const p = ps[i]!;
      samples[i]!.push((await p.run(p.steps)) / (p.steps * p.c.opsPerStep));
    }
  }
  const out = new Map<Prepared, Timing>();
  ps.forEach((p, i) => {
    const ops = o.repeats * p.steps * p.c.opsPerStep;
    const lAfter = p.lib.libCounters(), lBefore = before[i]!.l;
    const s = samples[i]!;
    out.set(p, {
      msPerOp: median(s),
      minMsPerOp: Math.min(...s),
      maxMsPerOp: Math.max(...s),
      samplesMsPerOp: s,
      stepsPerRepeat: p.steps,
      opsPerStep: p.c.opsPerStep,
      repeats: o.repeats,
      warmupSteps: o.warmupSteps,
      firstStepMs: p.firstStepMs,
      devicePerOp: diffCounters(p.lib.deviceCounters(), before[i]!.d, ops),
      libPerOp: lAfter && lBefore ? diffCounters(lAfter, lBefore, ops) : null,
      deviceFirstStep: p.deviceFirstStep,
    });
  });
  return out;
}

interface CaseDef {
  group: CaseResult['group'];
  name: string;
  description: string;
  size?: number;
  flops?: number;
  model?: string;
  batch?: number;
  tile?: string;
  make(lib: BenchLib): BenchCase | string;
  /** Relative error of a result against the float64 reference (absent: compared between the libraries). */
  check?(out: Float32Array): number;
  /**
   * Reference-relative error above which the result counts as wrong. Without `check`, the two libraries'
   * results are compared (TF.js's as the reference) and both are reported as errors when they disagree.
   */
  tolerance: number;
}

async function runCase(def: CaseDef, libs: BenchLib[], o: SuiteOptions, order: number): Promise<CaseResult> {
  const results: Record<string, LibResult> = {};
  const fail = async (lib: BenchLib, e: unknown) => {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    results[lib.id] = { ok: false, skipped: `error: ${msg}` };
    o.log(`  ${def.name.padEnd(28)} ${lib.id.padEnd(12)} ERROR ${msg.split('\n')[0]}`);
    try { await lib.sync(); } catch { /* already reported */ }
    try { await lib.betweenCases?.(); } catch { /* best effort */ }
  };
  // Alternate which library is set up first, so neither always warms up on a "warmer" machine.
  const ordered = order % 2 ? [...libs].reverse() : libs;
  const errorsBefore = new Map(libs.map((l) => [l, l.deviceCounters().errors]));
  const prepared: Prepared[] = [];
  const crossOut = new Map<BenchLib, Float32Array>();
  for (const lib of ordered) {
    let c: BenchCase | string | undefined;
    try {
      c = def.make(lib);
      if (typeof c === 'string') {
        results[lib.id] = { ok: false, skipped: c };
        o.log(`  ${def.name.padEnd(28)} ${lib.id.padEnd(12)} skipped: ${c}`);
        continue;
      }
      let checkError: number | undefined;
      if (o.check && c.result && !def.check) crossOut.set(lib, await c.result());
      if (o.check && c.result && def.check) {
        checkError = def.check(await c.result());
        if (!(checkError <= def.tolerance)) throw new Error(`wrong result: relative error ${checkError.toExponential(2)} > ${def.tolerance}`);
      }
      const p = await prepare(lib, c, o);
      if (checkError !== undefined) p.checkError = checkError;
      prepared.push(p);
    } catch (e) {
      await fail(lib, e);
      if (c && typeof c !== 'string') c.dispose();
    }
  }
  const checkedAgainst = new Map<Prepared, string>();
  if (crossOut.size === 2) {
    const entries = [...crossOut.entries()];
    const a = entries.find(([l]) => l.id === 'wgsl-nn'), b = entries.find(([l]) => l.id !== 'wgsl-nn');
    const err = relativeError(a![1], b![1]);
    for (const p of [...prepared]) {
      p.checkError = err;
      checkedAgainst.set(p, `${p.lib.id === 'wgsl-nn' ? 'tfjs-webgpu' : 'wgsl-nn'} (same weights and data)`);
      if (!(err <= def.tolerance)) {
        prepared.splice(prepared.indexOf(p), 1);
        p.c.dispose();
        await fail(p.lib, new Error(`results disagree between the libraries: relative difference ${err.toExponential(2)} > ${def.tolerance} `
          + `(wgsl-nn [${[...a![1]].map((v) => v.toPrecision(6))}], TF.js [${[...b![1]].map((v) => v.toPrecision(6))}])`));
      }
    }
  }
  let timings = new Map<Prepared, Timing>();
  try {
    timings = await timeInterleaved(prepared, o);
  } catch (e) {
    for (const p of prepared) await fail(p.lib, e);
  }
  for (const p of prepared) {
    let timing = timings.get(p);
    let gpuProfile: GpuProfile | undefined;
    if (timing && o.profile && p.c.profile) {
      try {
        gpuProfile = await p.c.profile();
      } catch (e) {
        o.log(`  ${def.name.padEnd(28)} ${p.lib.id.padEnd(12)} profile failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    }
    p.c.dispose();
    await p.lib.betweenCases?.();
    const errors = p.lib.deviceCounters().errors - errorsBefore.get(p.lib)!;
    if (timing && errors > 0) {
      await fail(p.lib, new Error(`${errors} WebGPU error(s) (validation / out of memory) during the case: not timed`));
      timing = undefined;
    }
    if (!timing) continue;
    const r: LibResult = { ok: true, timing };
    if (p.checkError !== undefined) {
      r.checkError = p.checkError;
      r.checkedAgainst = checkedAgainst.get(p) ?? 'float64 reference';
    }
    if (def.flops && !o.nullDevice) r.gflops = def.flops / (timing.msPerOp * 1e6);
    if (gpuProfile) r.gpuProfile = gpuProfile;
    results[p.lib.id] = r;
    o.log(`  ${def.name.padEnd(28)} ${p.lib.id.padEnd(12)} ${fmtMs(timing.msPerOp)}/${def.group === 'overhead' || def.group === 'matmul' || def.group === 'tiles' ? 'op' : 'step'}` +
      (r.gflops !== undefined ? `  ${r.gflops.toFixed(r.gflops < 10 ? 3 : 1)} GFLOP/s` : '') +
      `  (${o.repeats}×${timing.stepsPerRepeat} steps, spread ${fmtMs(timing.minMsPerOp)}–${fmtMs(timing.maxMsPerOp)}, first ${fmtMs(timing.firstStepMs)})`);
    if (gpuProfile) {
      o.log(`  ${''.padEnd(28)} ${''.padEnd(12)} GPU ${fmtMs(gpuProfile.stepMs)}/step (kernels alone ${fmtMs(gpuProfile.kernelSumMs)} in ${gpuProfile.kernels}): `
        + gpuProfile.top.slice(0, 4).map((g) => `${g.name} ×${g.count} ${fmtMs(g.ms)}`).join(', '));
    }
  }
  const ours = results['wgsl-nn']?.timing, theirs = results['tfjs-webgpu']?.timing;
  const out: CaseResult = { group: def.group, name: def.name, description: def.description, results };
  if (def.size !== undefined) out.size = def.size;
  if (def.flops !== undefined) out.flops = def.flops;
  if (def.model !== undefined) out.model = def.model;
  if (def.batch !== undefined) out.batch = def.batch;
  if (def.tile !== undefined) out.tile = def.tile;
  if (ours && theirs) out.speedup = theirs.msPerOp / ours.msPerOp;
  return out;
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

function matmulDef(group: CaseResult['group'], n: number, seed: number, tile?: string): CaseDef {
  const spec: MatmulSpec = { m: n, k: n, n, a: randomArray(n * n, seed), b: randomArray(n * n, seed + 1), ...(tile ? { tile } : {}) };
  return {
    group, name: `matmul ${n}³${tile ? ` ${tile}` : ''}`, size: n, flops: 2 * n * n * n, ...(tile ? { tile } : {}),
    description: `[${n},${n}]·[${n},${n}] f32, result disposed each step${tile ? `, wgsl-nn's '${tile}' tiles forced` : ''}`,
    make: (lib) => lib.matmul(spec),
    check: (c) => matmulSampleError(spec.a, spec.b, c, n, n, n),
    tolerance: 1e-4,
  };
}

/** The per-op overhead cases (small shapes, where CPU-side cost dominates on a real GPU). */
export function overheadDefs(): CaseDef[] {
  const ew: ElementwiseSpec = { shape: [64, 64], x: randomArray(4096, 11), y: randomArray(4096, 12) };
  const chainRef = chainReference(CHAIN_OPS, ew.x, ew.y);
  const addRef = chainReference(['add'], ew.x, ew.y);
  const dense: DenseSpec = { m: 128, k: 256, n: 128, x: randomArray(128 * 256, 21), w: randomArray(256 * 128, 22), bias: randomArray(128, 23) };
  return [
    {
      group: 'overhead', name: 'add 64x64', description: 'add of two [64,64] f32 tensors',
      make: (lib) => lib.add(ew), check: (c) => relativeError(c, addRef), tolerance: 1e-6,
    },
    { ...matmulDef('overhead', 128, 31), name: 'matmul 128³ (overhead)' },
    {
      group: 'overhead', name: 'chain of 10 ops 64x64', description: `[64,64]: ${CHAIN_OPS.join(' → ')} (time per op)`,
      make: (lib) => lib.chain(ew), check: (c) => relativeError(c, chainRef), tolerance: 1e-5,
    },
    {
      group: 'overhead', name: 'dense 128x256·256x128+b,relu', description: 'relu(x·W + b), fused (wgsl-nn: matmul {bias, activation}; TF.js: tf.fused.matMul)',
      flops: 2 * 128 * 256 * 128,
      make: (lib) => lib.dense(dense), check: (c) => denseSampleError(dense.x, dense.w, dense.bias, c, 128, 256, 128), tolerance: 1e-4,
    },
  ];
}

const MODEL_TITLES: Record<string, string> = { mlp: 'MLP 784-512-512-10', lenet5: 'LeNet-5', vgg: 'small VGG+BN' };

/** Training-step cases by id ('mlp-b128', 'lenet5-b64', 'vgg-b128'…). */
export function trainDef(id: string): CaseDef {
  const m = /^(mlp|lenet5|vgg)-b(\d+)$/.exec(id);
  if (!m) throw new Error(`unknown training case ${id}`);
  const model = m[1] as TrainSpec['model'], batch = Number(m[2]);
  let spec: TrainSpec | undefined;
  const get = () => (spec ??= trainSpec(model, batch));
  return {
    group: 'train', name: `train ${MODEL_TITLES[model]} b${batch}`, model: MODEL_TITLES[model], batch,
    description: `one SGD(momentum 0.9) step: forward, softmax cross-entropy, backward, update; batch ${batch} uploaded from typed arrays each step, `
      + 'loss not read (wgsl-nn: compile(step) replayed; TF.js: optimizer.minimize(f, false) in tf.tidy)',
    make: (lib) => lib.train(get()),
    // Losses of 3 steps from the same weights on the same batch: checks forward, backward and update together.
    tolerance: 2e-3,
  };
}

export function convDef(id: string): CaseDef {
  const l = CONV_LAYERS[id];
  if (!l) throw new Error(`unknown conv case ${id}`);
  let spec: ConvSpec | undefined;
  const get = () => (spec ??= convSpec(l, 7000 + l.cin * 31 + l.cout));
  const out = l.size + 2 * l.pad - l.k + 1;
  return {
    group: 'conv', name: `conv ${l.title} b${l.n}`,
    flops: 3 * 2 * l.n * l.cout * out * out * l.cin * l.k * l.k,
    description: `conv2d forward (with bias) + backward dx, dw, db; x [${l.n},${l.cin},${l.size},${l.size}], w [${l.cout},${l.cin},${l.k},${l.k}], padding ${l.pad} `
      + '(wgsl-nn NCHW: ops.conv2d + ops.conv2dBackward; TF.js NHWC, its native layout: tf.valueAndGrads of tf.fused.conv2d)',
    make: (lib) => lib.conv(get()),
    check: (c) => convCheck(get(), c),
    tolerance: 1e-4,
  };
}

export function bnDef(id: string): CaseDef {
  const b = BN_SHAPES[id];
  if (!b) throw new Error(`unknown batch-norm case ${id}`);
  let spec: BatchNormSpec | undefined;
  const get = () => (spec ??= bnSpec(b, 9000 + b.c));
  return {
    group: 'bn', name: `${b.title} fwd+bwd`,
    description: `batch norm, training mode, forward (batch statistics, running-statistics update) + backward dx, dγ, dβ on [${b.n},${b.c},${b.size},${b.size}] `
      + '(wgsl-nn: ops.batchNormTrain + ops.batchNormBackward, NCHW; TF.js NHWC: tf.moments + tf.batchNorm under tf.valueAndGrads, as tf.layers does)',
    make: (lib) => lib.batchNorm(get()),
    check: (c) => bnCheck(get(), c),
    tolerance: 1e-4,
  };
}

export async function runSuite(libs: BenchLib[], o: SuiteOptions): Promise<SuiteResult> {
  const t0 = now();
  const cases: CaseResult[] = [];
  let order = 0;
  if (o.overhead) {
    o.log('per-op overhead (wall time per op, GPU-synced, amortized over many ops):');
    for (const def of overheadDefs()) cases.push(await runCase(def, libs, o, order++));
  }
  if (o.matmulSizes.length) {
    o.log('matmul GFLOP/s (square, f32):');
    for (const n of o.matmulSizes) cases.push(await runCase(matmulDef('matmul', n, 1000 + n), libs, o, order++));
  }
  if (o.matmulTiles.length && o.matmulSizes.length) {
    o.log(`matmul tile sweep (wgsl-nn only): ${o.matmulTiles.join(', ')}`);
    const ours = libs.filter((l) => l.id === 'wgsl-nn');
    for (const n of o.matmulSizes) for (const tile of o.matmulTiles) cases.push(await runCase(matmulDef('tiles', n, 1000 + n, tile), ours, o, order++));
  }
  if (o.train.length) {
    o.log('training step (forward + loss + backward + SGD momentum update, time per step):');
    for (const id of o.train) cases.push(await runCase(trainDef(id), libs, o, order++));
  }
  if (o.conv.length) {
    o.log('conv2d forward + backward (dx, dw, db):');
    for (const id of o.conv) cases.push(await runCase(convDef(id), libs, o, order++));
  }
  if (o.bn.length) {
    o.log('batch norm (training) forward + backward:');
    for (const id of o.bn) cases.push(await runCase(bnDef(id), libs, o, order++));
  }
  const { log: _log, ...options } = o;
  return {
    cases,
    options,
    libs: Object.fromEntries(libs.map((l) => [l.id, l.info()])),
    memoryAfter: Object.fromEntries(libs.map((l) => [l.id, l.memory()])),
    wallSeconds: (now() - t0) / 1000,
  };
}
