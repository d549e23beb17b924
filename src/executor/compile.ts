import { getRuntime, writeWords, type Runtime } from '../device.js';
import { BYTES_PER_ELEMENT, dtypeOfArray, type AnyTypedArray, type DType } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { copyTensor, empty, keep, Tensor, tidy } from '../tensor.js';
import { Plan, TraceRecorder, type PassTiming, type PlanCounts, type PlanMemory } from './plan.js';
import { guardWithStepFault, stepFaultLatches } from '../ops/step-fault.js';
import { pairDurations, summarizeProfile, type StepProfile } from './profile.js';

const QUERY_RESOLVE = 0x200, COPY_SRC = 0x04, COPY_DST = 0x08, MAP_READ = 0x01, MAP_READ_MODE = 0x01;
/** WebGPU's limit on the queries of one timestamp query set. */
const MAX_QUERIES = 4096;

export interface ProfileOptions {
  /** Profiled replays of each kind (the medians are reported); default 5. */
  repeats?: number;
}

export type StepInput = Tensor | AnyTypedArray;
type Outputs = Tensor | readonly Tensor[] | { readonly [k: string]: Tensor };

interface Slot {
  tensor: Tensor;
  dtype: DType;
  shape: readonly number[];
}

interface CachedPlan {
  plan: Plan;
  inputs: Slot[];
  /** Output tensors of the trace, in flattened order, and the structure to rebuild. */
  outputs: Tensor[];
  /** Tensors from outside the step it reads or writes (parameters, optimizer state…): all must stay alive. */
  external: Tensor[];
  checks: (() => void)[];
  rebuild: (flat: Tensor[]) => Outputs;
  /** The step latches step faults (GPU labels, a watched loss): reading any of its outputs reports one (src/ops/step-fault.ts). */
  checksFaults: boolean;
}

export interface CompileOptions {
  name?: string;
  runtime?: Runtime;
  /** Shape of each input after the batch dimension is given by the data (typed-array inputs): e.g. [[1, 28, 28], []]. */
  inputShapes?: readonly (readonly number[])[];
  /**
   * Plans kept, one per set of input shapes (default 8): past it, the least recently used one is disposed
   * (its buffers go back to the pool) and traced again if its shapes come back.
   */
  maxPlans?: number;
}

/** Traces after which a step warns that it keeps re-planning (a changing input shape). */
const WARN_AFTER_TRACES = 4;

export interface CompiledStep<O extends Outputs> {
  /**
   * Runs the step. The first call for a set of input shapes traces `fn` eagerly and records a plan;
   * later calls replay it as one command buffer and one `queue.submit`, with no CPU readback. Outputs are
   * fresh tensors (copied from the plan in the same submission) that the caller owns and may read whenever.
   */
  (...inputs: StepInput[]): O;
  /** Plans cached by input shapes (at most `maxPlans`, least recently used dropped first). */
  readonly plans: number;
  /** Memory of the plan for the last-used shapes. */
  memory(): PlanMemory | null;
  /** Number of dispatches the last-used plan replays. */
  dispatches(): number;
  /** What one replay of the last-used plan encodes (dispatches, copies, passes) and what building it removed. */
  counts(): PlanCounts | null;
  /**
   * GPU time of the step and of each dispatch, from timestamp queries (needs the 'timestamp-query'
   * feature). It runs the step 1 + 2 × repeats times with these inputs, so it trains like that many
   * calls would (parameters and optimizer state move on): profile a copy or accept the steps.
   */
  profile(inputs: readonly StepInput[], options?: ProfileOptions): Promise<StepProfile>;
  dispose(): void;
}

function flatten(out: Outputs): { flat: Tensor[]; rebuild: (flat: Tensor[]) => Outputs } {
  if (out instanceof Tensor) return { flat: [out], rebuild: (f) => f[0]! };
  if (Array.isArray(out)) return { flat: [...out], rebuild: (f) => f };
  const keys = Object.keys(out);
  const obj = out as { readonly [k: string]: Tensor };
  for (const k of keys) if (!(obj[k] instanceof Tensor)) throw new ArgumentError('compile', `the step must return tensors; output '${k}' is not a Tensor`);
  return { flat: keys.map((k) => obj[k]!), rebuild: (f) => Object.fromEntries(keys.map((k, i) => [k, f[i]!])) };
}

/**
 * Records a training (or inference) step once and replays it: `compile((x, y) => { …; loss.backward();
 * opt.step(); return loss; })`. Inputs are tensors or typed arrays (then `inputShapes` gives the
 * per-sample shape; the batch size is inferred). Shapes that change re-trace once and are cached (the
 * `maxPlans` most recently used).
 * Per-step values (learning rate, step counts, RNG steps) must reach the GPU through `rt.upload(…, produce)`
 * as the library's optimizers and dropout do; anything else the step computes on the CPU is frozen at
 * trace time.
 */
export function compile<O extends Outputs>(fn: (...inputs: Tensor[]) => O, options: CompileOptions = {}): CompiledStep<O> {
  const name = options.name ?? 'compiled step';
  const maxPlans = options.maxPlans ?? 8;
  if (!(Number.isInteger(maxPlans) && maxPlans >= 1)) throw new ArgumentError(name, `maxPlans must be a positive integer, got ${options.maxPlans}`);
  /** In order of last use, least recent first. */
  const plans = new Map<string, CachedPlan>();
  let last: CachedPlan | null = null;
  let traces = 0;

  /** The runtime the step was traced on (or given): it runs there, whatever init() did since. */
  let home: Runtime | null = options.runtime ?? null;

  /** The runtime the step runs on: its own, else that of a tensor input, else the current one. */
  const runtimeOf = (inputs: readonly StepInput[]): Runtime => {
    const rt = home ?? (inputs.find((x) => x instanceof Tensor) as Tensor | undefined)?.rt ?? getRuntime();
    inputs.forEach((x, i) => {
      if (x instanceof Tensor && x.rt !== rt) {
        throw new ArgumentError(name, `input ${i} belongs to another runtime than the step's (${home ? 'the one it was traced on' : 'that of input 0'}; a second init()?): create the tensor on the step's runtime`);
      }
    });
    if (rt.lostError) throw rt.lostError;
    return rt;
  };

  const shapeOf = (x: StepInput, i: number): { shape: readonly number[]; dtype: DType } => {
    if (x instanceof Tensor) return { shape: x.shape, dtype: x.dtype };
    const per = options.inputShapes?.[i];
    if (!per) return { shape: [x.length], dtype: dtypeOfArray(x) };
    const perSize = per.reduce((a, b) => a * b, 1);
    if (perSize === 0 || x.length % perSize !== 0) throw new ArgumentError(name, `input ${i} has ${x.length} values, not a multiple of one sample's ${perSize} (shape [${per.join(', ')}])`);
    return { shape: [x.length / perSize, ...per], dtype: dtypeOfArray(x) };
  };

  const step = ((...inputs: StepInput[]): O => {
    const rt = runtimeOf(inputs);
    const described = inputs.map(shapeOf);
    const key = described.map((d) => `${d.dtype}[${d.shape.join(',')}]`).join(';');
    let cached = plans.get(key);
    if (!cached) {
      cached = trace(rt, described, inputs);
      home = rt;
      if (++traces === WARN_AFTER_TRACES + 1) {
        console.warn(`${name}: traced ${traces} times (input shapes ${key}): every new set of input shapes records a new plan, and only the ${maxPlans} most recently used are kept. Give the step fixed shapes (e.g. one batch size), or raise maxPlans.`);
      }
      plans.set(key, cached);
      for (const [k, old] of plans) {
        if (plans.size <= maxPlans) break;
        plans.delete(k);
        disposePlan(old);
      }
      last = cached;
      return cached.rebuild(cached.outputs.map((t) => guarded(cached!, copyOut(rt, t)))) as O;
    }
    if (cached !== last) {
      plans.delete(key);
      plans.set(key, cached);
      last = cached;
    }
    return replay(rt, cached, inputs);
  }) as CompiledStep<O>;

  function replay(rt: Runtime, c: CachedPlan, inputs: StepInput[], timing?: PassTiming): O {
    for (const x of inputs) if (x instanceof Tensor) x.buffer(name);
    for (const t of c.external) {
      if (t.isDisposed) {
        throw new ArgumentError(name, `a ${t.dtype} tensor of shape [${t.shape.join(', ')}] it uses was disposed after the step was traced (a disposed model or optimizer?): trace a new step for the new objects`);
      }
    }
    for (const check of c.checks) check();
    const results = c.outputs.map((t) => guarded(c, empty(t.shape, t.dtype, name, rt)));
    // Buffers taken now: inside rt.submitTogether the copies are encoded later, after the caller may have let go of the tensors.
    const inputCopies = inputs.flatMap((x, i) => (x instanceof Tensor ? [[x.buffer(name), c.inputs[i]!.tensor.buffer(name), x.size * BYTES_PER_ELEMENT] as const] : []));
    const outputCopies = c.outputs.map((t, i) => [t.buffer(name), results[i]!.buffer(name), Math.max(t.size, 1) * BYTES_PER_ELEMENT] as const);
    c.plan.replay(
      (queue) => inputs.forEach((x, i) => {
        if (x instanceof Tensor) return;
        const dst = c.inputs[i]!.tensor.buffer(name);
        writeWords(queue, dst.buffer, dst.offset, x);
        rt.stats.uploads++;
        rt.stats.uploadBytes += x.byteLength;
      }),
      (enc) => inputCopies.forEach(([src, dst, bytes]) => enc.copyBufferToBuffer(src.buffer, src.offset, dst.buffer, dst.offset, bytes)),
      (enc) => outputCopies.forEach(([src, dst, bytes]) => enc.copyBufferToBuffer(src.buffer, src.offset, dst.buffer, dst.offset, bytes)),
      timing,
    );
    return c.rebuild(results) as O;
  }

  async function profile(inputs: readonly StepInput[], opts: ProfileOptions = {}): Promise<StepProfile> {
    const repeats = opts.repeats ?? 5;
    if (!(Number.isInteger(repeats) && repeats >= 1)) throw new ArgumentError(`${name}.profile`, `repeats must be a positive integer, got ${repeats}`);
    const rt = runtimeOf(inputs);
    if (!rt.features.has('timestamp-query')) {
      throw new ArgumentError(`${name}.profile`, `needs the WebGPU feature 'timestamp-query', which this device lacks (adapter: ${rt.adapter.description || rt.adapter.vendor || 'unknown'})`);
    }
    const dispose = (o: Outputs) => flatten(o).flat.forEach((t) => t.dispose());
    // The first call for these shapes traces; profiling measures replays.
    dispose(step(...inputs));
    const c = last!;
    const list = c.plan.dispatchList();
    if (!list.length) return summarizeProfile([], Array(repeats).fill(0), Array(repeats).fill([]));
    const queries = 2 * Math.max(list.length, c.plan.counts.passes);
    if (queries > MAX_QUERIES) throw new ArgumentError(`${name}.profile`, `the step has ${list.length} dispatches; profiling handles at most ${MAX_QUERIES / 2}`);
    const querySet = rt.device.createQuerySet({ type: 'timestamp', count: queries, label: `${name}: profile` });
    const resolve = rt.device.createBuffer({ size: queries * 8, usage: QUERY_RESOLVE | COPY_SRC, label: `${name}: profile resolve` });
    const readback = rt.device.createBuffer({ size: queries * 8, usage: MAP_READ | COPY_DST, label: `${name}: profile readback` });
    const run = async (perDispatch: boolean): Promise<BigUint64Array> => {
      dispose(replay(rt, c, [...inputs], { querySet, perDispatch, resolve, readback }));
      await readback.mapAsync(MAP_READ_MODE);
      const stamps = new BigUint64Array(readback.getMappedRange().slice(0));
      readback.unmap();
      return stamps;
    };
    try {
      const stepRuns: number[] = [], dispatchRuns: number[][] = [];
      for (let r = 0; r < repeats; r++) {
        // The whole step as usual: first pass's begin to last pass's end.
        const stamps = await run(false);
        stepRuns.push(Math.max(0, Number(stamps[2 * c.plan.counts.passes - 1]! - stamps[0]!) / 1e6));
        dispatchRuns.push(pairDurations(await run(true), list.length));
      }
      await rt.checkErrors();
      return summarizeProfile(list, stepRuns, dispatchRuns);
    } finally {
      querySet.destroy();
      resolve.destroy();
      readback.destroy();
    }
  }

  function trace(rt: Runtime, described: { shape: readonly number[]; dtype: DType }[], inputs: StepInput[]): CachedPlan {
    if (rt.recorder) throw new ArgumentError(name, 'compiled steps cannot be nested');
    // Input slots belong to the plan; they exist before the trace so the plan sees them as external.
    const slots: Slot[] = described.map((d) => ({ tensor: keep(empty(d.shape, d.dtype, name, rt)), ...d }));
    inputs.forEach((x, i) => {
      const slot = slots[i]!.tensor;
      if (x instanceof Tensor) copyTensor(name, x, slot);
      else rt.upload(name, slot.buffer(name), x);
    });
    rt.flush();
    const recorder = new TraceRecorder();
    const latches = stepFaultLatches(rt);
    rt.recorder = recorder;
    let out: Outputs;
    try {
      out = tidy(() => fn(...slots.map((s) => s.tensor)), rt);
    } finally {
      rt.recorder = null;
    }
    const { flat, rebuild } = flatten(out);
    for (const t of flat) keep(t);
    rt.flush();
    const plan = new Plan(rt, recorder.commands, recorder.virtuals, name, slots.map((s) => s.tensor.buffer(name).buffer));
    const external = [...recorder.external].filter((t) => !t.isDisposed && !slots.some((s) => s.tensor === t));
    return { plan, inputs: slots, outputs: flat, rebuild, external, checks: recorder.checks, checksFaults: stepFaultLatches(rt) !== latches };
  }

  Object.defineProperty(step, 'plans', { get: () => plans.size });
  step.memory = () => last?.plan.memory ?? null;
  step.dispatches = () => last?.plan.dispatches ?? 0;
  step.counts = () => last?.plan.counts ?? null;
  step.profile = profile;
  function disposePlan(c: CachedPlan): void {
    c.plan.dispose();
    for (const s of c.inputs) s.tensor.dispose();
    for (const t of c.outputs) t.dispose();
  }

  step.dispose = () => {
    for (const c of plans.values()) disposePlan(c);
    plans.clear();
    last = null;
  };
  return step;
}

function guarded(c: CachedPlan, t: Tensor): Tensor {
  return c.checksFaults ? guardWithStepFault(t) : t;
}

function copyOut(rt: Runtime, t: Tensor): Tensor {
  const out = empty(t.shape, t.dtype, 'compile', rt);
  copyTensor('compile', t, out);
  return out;
}
