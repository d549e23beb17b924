import type { ArenaBuffer, ParamArena } from '../arena.js';
import { isBackwardGrad } from '../autograd.js';
import type { Runtime } from '../device.js';
import type { Specialization } from '../kernel.js';
import { ArgumentError } from '../errors.js';
import { stepFaultBinding } from '../ops/step-fault.js';
import { stateSlots, type OptimConfig } from '../optim/config.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LrSchedule } from '../optim/schedules.js';
import { HYPER_BYTES, OPTIMIZER_WORKGROUP, optimizerHyper, optimizerSpecialization, optimizerTrialsKernel } from '../../kernels/optimizer.js';

/** One trial's optimizer as a stack runs it: its rule and values, schedule and base learning rate. */
export interface TrialOptimizer {
  config: OptimConfig;
  schedule: LrSchedule | null;
}

/**
 * What a stack needs of a trial's optimizer, or null when a stack cannot run it exactly (parameter groups,
 * gradient clipping: a global norm over the stack would mix trials).
 */
export function trialOptimizer(o: Optimizer): TrialOptimizer | null {
  if (o.groupConfigs.length !== 1 || o.maxGradNorm !== null) return null;
  return { config: o.config, schedule: o.schedule };
}

/** What trials must share to be updated by one kernel: the rule variant, its state buffers and their start. */
export function optimizerSignature(o: TrialOptimizer): string {
  return JSON.stringify([optimizerSpecialization(o.config, false), stateSlots(o.config), o.config.kind === 'adagrad' ? o.config.initialAccumulatorValue : 0]);
}

const HYPER_WORDS = HYPER_BYTES / 4;

/**
 * The optimizers of a stack of trials as one dispatch over the stack's arena (shaders/optimizer-trials.wgsl):
 * every trial keeps its own rule values, learning-rate schedule and step count, and its parameters and state
 * change exactly as its own optimizer would change them. A trial that stopped (`stop`) is updated with a zero
 * learning rate and no decay from then on: its share is no longer read.
 */
export class StackOptimizer {
  private readonly slots: (ArenaBuffer | null)[];
  private readonly hyper: GPUBuffer;
  private readonly segments: GPUBuffer;
  private readonly placeholder: GPUBuffer;
  private readonly steps: number[];
  private readonly stopped: boolean[];
  private readonly spec: Specialization;
  private disposed = false;

  constructor(readonly rt: Runtime, readonly arena: ParamArena, readonly perTrial: readonly number[], readonly trials: readonly TrialOptimizer[]) {
    const op = 'StackOptimizer';
    const sig = optimizerSignature(trials[0]!);
    if (trials.some((t) => optimizerSignature(t) !== sig)) throw new ArgumentError(op, 'the trials\' optimizers differ in rule or state buffers; a stack updates one rule');
    const first = trials[0]!.config;
    // The trials kernel has no clipping (CLIP is the single optimizer's).
    const { CLIP: _clip, ...spec } = optimizerSpecialization(first, false);
    this.spec = Object.freeze(spec);
    const init = first.kind === 'adagrad' ? first.initialAccumulatorValue : 0;
    this.slots = stateSlots(first).map((n) => (n ? arena.newSlot(init) : null));
    this.steps = trials.map(() => 0);
    this.stopped = trials.map(() => false);
    this.hyper = rt.allocate(op, Math.max(16, trials.length * HYPER_BYTES));
    const seg = new Uint32Array(2 + 2 * arena.offsets.length);
    seg.set([arena.offsets.length, trials.length]);
    arena.offsets.forEach((o, k) => seg.set([o, perTrial[k]!], 2 + 2 * k));
    this.segments = rt.allocate(op, seg.byteLength);
    this.placeholder = rt.allocate(op, 3 * 256);
    rt.upload(op, { buffer: this.segments, offset: 0, size: seg.byteLength }, seg);
  }

  /** Trial t's learning rate for its next step. */
  lr(t: number): number {
    if (this.stopped[t]) return 0;
    const { config, schedule } = this.trials[t]!;
    return schedule ? schedule(this.steps[t]!, config.lr) : config.lr;
  }

  stop(t: number): void {
    this.stopped[t] = true;
  }

  zeroGrad(): void {
    this.arena.params.forEach((p, i) => {
      if (p.grad && p.grad !== this.arena.grads[i]) p.grad.dispose();
      p.grad = null;
    });
  }

  /** Gradient copies into the arena (elided in a compiled step), then one dispatch for every trial. */
  step(): void {
    const op = 'StackOptimizer.step';
    if (this.disposed) throw new ArgumentError(op, 'the optimizer was disposed');
    const rt = this.rt, arena = this.arena;
    arena.params.forEach((p, i) => {
      const g = p.grad, view = arena.grads[i]!;
      if (!g || g.storage === view.storage) return;
      const src = g.buffer(op), dst = view.buffer(op);
      rt.copy(op, src.buffer, dst.buffer, g.size * 4, src.offset, dst.offset);
      // The gradient now reads the arena: a compiled step has the backward write there directly.
      if (isBackwardGrad(g)) g.adoptStorage(view.storage.retain());
    });
    this.advance();
    rt.upload(op, { buffer: this.hyper, offset: 0, size: this.trials.length * HYPER_BYTES }, this.hyperWords(), () => {
      this.advance();
      return this.hyperWords();
    });
    const whole = (b: GPUBuffer) => ({ buffer: b, offset: 0, size: arena.totalElements * 4 });
    // Unused state slots get a block each of their own (WebGPU forbids aliased writable bindings).
    const placeholder = (s: number) => ({ buffer: this.placeholder, offset: s * 256, size: 256 });
    rt.dispatch({
      op, kernel: optimizerTrialsKernel, workgroups: Math.ceil(arena.totalElements / 4 / OPTIMIZER_WORKGROUP), specialize: this.spec,
      bindings: {
        params: arena.paramBuffer.range, grads: arena.gradBuffer.range,
        s1: this.slots[0] ? whole(this.slots[0].buffer) : placeholder(0), s2: this.slots[1] ? whole(this.slots[1].buffer) : placeholder(1), s3: this.slots[2] ? whole(this.slots[2].buffer) : placeholder(2),
        hs: { buffer: this.hyper, offset: 0, size: this.trials.length * HYPER_BYTES }, seg: { buffer: this.segments, offset: 0, size: (2 + 2 * arena.offsets.length) * 4 },
        fault: stepFaultBinding(rt),
      },
    });
  }

  private advance(): void {
    this.steps.forEach((_, t) => {
      if (!this.stopped[t]) this.steps[t]!++;
    });
  }

  /** One Hyper per trial for the step just counted. */
  private hyperWords(): Uint32Array {
    const words = new Uint32Array(this.trials.length * HYPER_WORDS);
    const n4 = this.arena.totalElements / 4;
    this.trials.forEach(({ config, schedule }, t) => {
      const steps = Math.max(1, this.steps[t]!);
      const c = this.stopped[t] ? { ...config, weightDecay: 0 } : config;
      const lr = this.stopped[t] ? 0 : schedule ? schedule(steps - 1, config.lr) : config.lr;
      words.set(optimizerHyper(c, steps, lr, 0, n4), t * HYPER_WORDS);
    });
    return words;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.slots) if (s) this.arena.freeSlot(s);
    this.rt.release(this.hyper);
    this.rt.release(this.segments);
    this.rt.release(this.placeholder);
  }
}
