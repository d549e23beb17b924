import { ParamArena, type ArenaBuffer } from '../arena.js';
import { isBackwardGrad } from '../autograd.js';
import type { BufferRange, Runtime } from '../device.js';
import { BYTES_PER_ELEMENT } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import type { Specialization } from '../kernel.js';
import { keep, Storage, Tensor } from '../tensor.js';
import {
  adagradConfig, adamConfig, rmspropConfig, sgdConfig, stateSlots,
  type AdaGradOptions, type AdamOptions, type OptimConfig, type RMSPropOptions, type SGDOptions,
} from './config.js';
import type { LrSchedule } from './schedules.js';
import { stepFaultBinding } from '../ops/step-fault.js';
import { resolveParamGroups, updateRuns, type ParamsOrGroups, type ResolvedGroups, type UpdateRun } from './param-groups.js';
import { FILL_WORKGROUP, fillKernel } from '../../kernels/fill.js';
import { GRAD_NORM_PASS, gradNormKernel, gradNormWorkgroups } from '../../kernels/grad-norm.js';
import { OPTIMIZER_WORKGROUP, optimizerHyper, optimizerKernel, optimizerSpecialization } from '../../kernels/optimizer.js';

export interface OptimizerOptions {
  /** Learning rate as a function of the step (src/optim/schedules.ts); the optimizer's `lr` is its base. */
  schedule?: LrSchedule;
  /** Clip the gradients to this global L2 norm before each step (torch.nn.utils.clip_grad_norm_, on the GPU). */
  clipGradNorm?: number;
}

/** An optimizer's state as live views of its buffers, by PyTorch names (exp_avg, momentum_buffer, …), in parameter order. */
export interface OptimizerState {
  /** Updates made so far (PyTorch's per-parameter `step`). */
  step: number;
  buffers: Record<string, Tensor[]>;
}

/** Hyperparameter uploads that may be pending in one unsubmitted batch before the optimizer must submit. */
const RING_SLOTS = 8;
/** Ring and aux blocks are 256 bytes apart: the largest minStorageBufferOffsetAlignment WebGPU allows. */
const BLOCK = 256;

/**
 * A fused optimizer: one kernel updates every parameter and its state in a single dispatch over a
 * ParamArena (plus one or two for gradient clipping), whatever the number of parameters.
 *
 * Parameters: either parameters of one ParamArena (all of them, or some without gradient clipping: the
 * others are left out like frozen ones), or tensors outside any arena, which the optimizer packs into its
 * own arena once — the tensors keep their identity but
 * their storage moves there, so forward kernels read the arena directly.
 *
 * Gradients: `step()` copies each parameter's `.grad` (a separate tensor made by autodiff) into the
 * arena's gradient buffer (one buffer copy each, no dispatch), after which a `.grad` made by backward()
 * reads the arena (same object, its own buffer freed). In a compiled step the copies disappear: the plan sees each
 * gradient's buffer end in its copy and has the backward kernel write the arena directly. A parameter
 * whose `.grad` is null or already reads the arena is not copied. Unlike PyTorch, which skips parameters
 * without a gradient, such a parameter is updated with whatever its gradient view holds (zeros after
 * `zeroGrad()`).
 *
 * Parameter groups (PyTorch's param_groups) and frozen parameters (`requireGrad(false)`, `freeze`):
 * the update runs over each stretch of consecutive trainable parameters of one group, with that group's
 * hyperparameters — one dispatch per stretch (one in all without groups or frozen parameters). A frozen
 * parameter is not updated at all (no weight decay either) and costs nothing; which parameters are frozen
 * is read at each `step()`, so a compiled step fixes it when it is traced.
 */
export class Optimizer {
  readonly rt: Runtime;
  readonly params: readonly Tensor[];
  readonly arena: ParamArena;
  schedule: LrSchedule | null;
  readonly maxGradNorm: number | null;
  /** Each group's resolved hyperparameters; `config` is group 0's. */
  readonly groupConfigs: readonly OptimConfig[];
  /** Group of params[i]. */
  private readonly groupOf: readonly number[];
  private readonly baseLrs: number[];
  private steps = 0;
  /** The update's stretches for the current frozen set (`runsKey`: one flag per arena parameter). */
  private runs: UpdateRun[] = [];
  private runsKey = '';
  /** Arena index of params[i]. */
  private readonly index: readonly number[];
  private readonly slotNames: readonly (string | null)[];
  private readonly slots: readonly (ArenaBuffer | null)[];
  /** One 256-byte Hyper block per run (at most one per parameter), then the gradient norm. */
  private readonly aux: GPUBuffer;
  /** Upload targets copied into aux in command order (queue.writeBuffer would overtake pending commands). */
  private readonly ring: GPUBuffer[];
  private ringNext = 0;
  /** Bound to the state slots this optimizer does not use: one block each (WebGPU forbids aliased writable bindings). */
  private readonly placeholder: GPUBuffer;
  private readonly partials: GPUBuffer | null;
  private readonly norm: Tensor | null;
  private readonly normOffset: number;
  private readonly specialization: Specialization;
  private disposed = false;
  /** zeroGrad() was called: parameters reaching step() without a gradient get a zeroed gradient view. */
  private zeroPending = false;
  /** Built with momentum > 0: its kernel variant keeps a momentum buffer, so momentum may change freely. */
  private readonly hadMomentum: boolean;
  /**
   * The optimizer packed the parameters into an arena of its own (they were in none): the model's parameters
   * now live in it, so it goes with them — `disposeWithModel(model)` frees optimizer, model and arena at once.
   */
  readonly ownsArena: boolean;

  constructor(readonly name: string, input: readonly Tensor[] | ResolvedGroups, readonly config: OptimConfig, options: OptimizerOptions = {}) {
    const groups: ResolvedGroups = 'configs' in input ? input : { params: input, configs: [config], groupOf: input.map(() => 0) };
    const params = groups.params;
    if (params.length === 0) throw new ArgumentError(name, 'needs at least one parameter');
    if (params.every((p) => p.frozen)) throw new ArgumentError(name, `all ${params.length} parameters are frozen (requireGrad(false) or freeze()): nothing to train; unfreeze some, or give the optimizer only trainable ones`);
    const rt = params[0]!.rt;
    const clip = options.clipGradNorm;
    if (clip !== undefined && !(clip > 0 && Number.isFinite(clip))) throw new ArgumentError(name, `clipGradNorm must be a positive number, got ${clip}`);
    const homes = params.map((p) => ParamArena.of(p));
    this.ownsArena = homes.every((h) => h === undefined);
    if (this.ownsArena) {
      this.arena = new ParamArena(rt, params);
      this.index = params.map((_, i) => i);
    } else {
      const arena = homes[0]?.arena;
      const index = homes.map((h, i) => (h && h.arena === arena && arena.params[h.index] === params[i] ? h.index : -1));
      if (!arena || index.includes(-1) || new Set(index).size !== index.length) {
        throw new ArgumentError(name, 'parameters must be either parameters of one ParamArena (a model\'s), each once, or tensors outside any arena');
      }
      // The global norm runs over the whole gradient buffer: it must hold only this optimizer's gradients.
      if (clip !== undefined && index.length !== arena.params.length) {
        throw new ArgumentError(name, `clipGradNorm needs all ${arena.params.length} parameters of the arena (got ${index.length}); pass them all and freeze the ones not to train`);
      }
      this.arena = arena;
      this.index = index;
    }
    this.rt = rt;
    this.params = [...params];
    this.groupConfigs = groups.configs;
    this.groupOf = groups.groupOf;
    this.baseLrs = groups.configs.map((c) => c.lr);
    this.hadMomentum = config.momentum > 0;
    this.schedule = options.schedule ?? null;
    this.maxGradNorm = clip ?? null;
    this.slotNames = stateSlots(config);
    const init = config.kind === 'adagrad' ? config.initialAccumulatorValue : 0;
    this.slots = this.slotNames.map((n) => (n ? this.arena.newSlot(init) : null));
    this.normOffset = params.length * BLOCK;
    this.aux = rt.allocate(name, this.normOffset + BLOCK);
    this.ring = Array.from({ length: RING_SLOTS }, () => rt.allocate(name, this.normOffset));
    this.placeholder = rt.allocate(name, 3 * BLOCK);
    const n4 = this.arena.totalElements / 4;
    const workgroups = gradNormWorkgroups(n4);
    this.partials = clip !== undefined && workgroups > 1 ? rt.allocate(name, workgroups * BYTES_PER_ELEMENT) : null;
    this.norm = clip !== undefined ? keep(new Tensor(new Storage(rt, this.aux, BYTES_PER_ELEMENT, this.normOffset, false), [], 'f32')) : null;
    this.specialization = optimizerSpecialization(config, clip !== undefined);
    // Now rather than in the first step(), which a compiled step would replay.
    this.planRuns(name);
  }

  /** The learning rate the next step will use (group 0's; `groupLr(g)` for the others). */
  get lr(): number {
    return this.groupLr(0);
  }

  /** Group g's learning rate for the next step (its own base lr through the schedule). */
  groupLr(g: number): number {
    const base = this.baseLrs[g];
    if (base === undefined) throw new ArgumentError(this.name, `no parameter group ${g} (there are ${this.baseLrs.length})`);
    return this.schedule ? this.schedule(this.steps, base) : base;
  }

  /** Updates made so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Sets the base learning rate (the schedule's η₀ when there is one) of one group, or of every group. */
  setLr(lr: number, group?: number): void {
    if (!(lr >= 0 && Number.isFinite(lr))) throw new ArgumentError(this.name, `invalid lr: ${lr}`);
    if (group !== undefined && this.baseLrs[group] === undefined) throw new ArgumentError(this.name, `no parameter group ${group} (there are ${this.baseLrs.length})`);
    this.baseLrs.forEach((_, g) => {
      if (group === undefined || group === g) this.baseLrs[g] = lr;
    });
  }

  /**
   * Changes momentum and/or weight decay from the next step on. Both reach the GPU in the per-step
   * hyperparameter upload, so a compiled step picks them up at its next replay without a new trace. A
   * change that needs another kernel variant is refused: momentum from 0 to above 0 for SGD or RMSProp
   * (build a new optimizer then). Momentum applies to SGD and RMSProp only.
   */
  setHyperparameters(h: { momentum?: number; weightDecay?: number }): void {
    const op = `${this.name}.setHyperparameters`;
    this.checkAlive(op);
    const c = this.config;
    if (h.momentum !== undefined) {
      if (!(h.momentum >= 0 && h.momentum < 1)) throw new ArgumentError(op, `momentum must be at least 0 and below 1, got ${h.momentum}`);
      if (c.kind !== 'sgd' && c.kind !== 'rmsprop') throw new ArgumentError(op, `${c.kind} has no momentum (it applies to SGD and RMSProp)`);
      if (c.momentum === 0 && h.momentum > 0 && !this.hadMomentum) throw new ArgumentError(op, `momentum ${h.momentum} on an optimizer built without momentum needs another kernel: build a new ${this.name} with momentum`);
    }
    if (h.weightDecay !== undefined && !(h.weightDecay >= 0 && Number.isFinite(h.weightDecay))) throw new ArgumentError(op, `weightDecay must be a non-negative number, got ${h.weightDecay}`);
    // Every parameter group takes the new values (PyTorch: setting them on each of optimizer.param_groups).
    for (const g of this.groupConfigs) {
      if (h.momentum !== undefined) g.momentum = h.momentum;
      if (h.weightDecay !== undefined) g.weightDecay = h.weightDecay;
    }
  }

  /**
   * The global gradient norm of the last step, before clipping (clip_grad_norm_'s return value), as a
   * live scalar view on the GPU; null without `clipGradNorm`.
   */
  gradNorm(): Tensor | null {
    return this.norm;
  }

  /**
   * One update of every parameter: gradient copies, then 1 dispatch (2–3 with clipping). Inside a
   * compiled step, every replay advances the step count and re-evaluates the schedule.
   */
  step(): void {
    const op = `${this.name}.step`;
    this.checkAlive(op);
    this.rt.recorder?.onCheck(() => this.checkAlive(op));
    const copies: [BufferRange, BufferRange, number][] = [];
    this.params.forEach((p, i) => {
      const g = p.grad;
      const view = this.arena.grads[this.index[i]!]!;
      if (!g || g.storage === view.storage || p.frozen) return;
      if (g.dtype !== 'f32' || g.size !== p.size) throw new ArgumentError(op, `parameter ${i} of shape [${p.shape.join(', ')}] has a ${g.dtype} gradient of shape [${g.shape.join(', ')}]`);
      copies.push([g.buffer(op), view.buffer(op), g.size * BYTES_PER_ELEMENT]);
    });
    const rt = this.rt;
    this.planRuns(op);
    if (this.zeroPending) {
      this.zeroPending = false;
      // Usually every parameter has a gradient to copy and nothing needs zeroing.
      this.params.forEach((p, i) => {
        if (p.grad || p.frozen) return;
        const view = this.arena.grads[this.index[i]!]!.buffer(op);
        rt.dispatch({ op, kernel: fillKernel, bindings: { out: view, p: Uint32Array.of(view.size / BYTES_PER_ELEMENT, 0) }, workgroups: Math.ceil(view.size / BYTES_PER_ELEMENT / FILL_WORKGROUP) });
      });
    }
    for (const [src, dst, bytes] of copies) rt.copy(op, src.buffer, dst.buffer, bytes, src.offset, dst.offset);
    // Gradients backward() made now read the arena: their own buffers go back (a compiled step then sees
    // each one's buffer end in that copy, and has the backward write straight into the arena). A tensor
    // the caller assigned to `.grad` is theirs and stays as it is.
    this.params.forEach((p, i) => {
      const view = this.arena.grads[this.index[i]!]!;
      if (p.grad && p.grad.storage !== view.storage && isBackwardGrad(p.grad)) p.grad.adoptStorage(view.storage.retain());
    });
    this.steps++;
    this.uploadHyper(op, this.hyperWords(), () => {
      this.steps++;
      return this.hyperWords();
    });
    if (this.norm) this.encodeGradNorm(op, this.arena.totalElements / 4);
    const bytes = (r: UpdateRun, b: GPUBuffer): BufferRange => ({ buffer: b, offset: r.offset * BYTES_PER_ELEMENT, size: r.elements * BYTES_PER_ELEMENT });
    this.runs.forEach((r, k) => {
      const slot = (s: number) => (this.slots[s] ? bytes(r, this.slots[s].buffer) : { buffer: this.placeholder, offset: s * BLOCK, size: BLOCK });
      rt.dispatch({
        op, kernel: optimizerKernel, workgroups: Math.ceil(r.elements / 4 / OPTIMIZER_WORKGROUP), specialize: this.specialization,
        bindings: {
          params: bytes(r, this.arena.paramBuffer.buffer), grads: bytes(r, this.arena.gradBuffer.buffer), s1: slot(0), s2: slot(1), s3: slot(2),
          h: { buffer: this.aux, offset: k * BLOCK, size: BLOCK }, grad_norm: { buffer: this.aux, offset: this.normOffset, size: BLOCK },
          // A pending step fault (bad GPU label, watched non-finite loss) skips the update (src/ops/step-fault.ts).
          fault: stepFaultBinding(rt),
        },
      });
    });
  }

  /**
   * The update's runs for the parameters trainable now (arena parameters of no group of this optimizer are
   * left out like frozen ones). With clipping, a parameter frozen since the last plan has its gradient view
   * zeroed once, so the global gradient norm (over the whole arena) counts only trainable parameters.
   */
  private planRuns(op: string): void {
    const groupAt = this.arena.params.map(() => -1);
    this.params.forEach((p, i) => {
      if (!p.frozen) groupAt[this.index[i]!] = this.groupOf[i]!;
    });
    const key = groupAt.join(',');
    if (key === this.runsKey) return;
    if (groupAt.every((g) => g < 0)) throw new ArgumentError(op, 'every parameter is frozen (requireGrad(false) or freeze()): nothing to train');
    this.runsKey = key;
    this.runs = updateRuns(groupAt, this.arena.offsets, this.arena.totalElements);
    if (!this.norm) return;
    this.params.forEach((p, i) => {
      if (!p.frozen) return;
      const view = this.arena.grads[this.index[i]!]!.buffer(op);
      this.rt.dispatch({ op, kernel: fillKernel, bindings: { out: view, p: Uint32Array.of(view.size / BYTES_PER_ELEMENT, 0) }, workgroups: Math.ceil(view.size / BYTES_PER_ELEMENT / FILL_WORKGROUP) });
    });
  }

  /**
   * Sets every parameter's `.grad` to null (PyTorch's zero_grad with set_to_none), so the next backward
   * writes gradients instead of adding to the old ones. Nothing is dispatched: the next `step()` copies the
   * new gradients over the arena's, and zeroes the views of parameters that got none.
   */
  zeroGrad(): void {
    this.checkAlive(`${this.name}.zeroGrad`);
    this.zeroPending = true;
    this.params.forEach((p, i) => {
      if (p.grad && p.grad !== this.arena.grads[this.index[i]!]) p.grad.dispose();
      p.grad = null;
    });
  }

  /**
   * The state as live views (copy them before stepping on if they must be kept). SGD's momentum_buffer
   * is absent before the first step, as in PyTorch.
   */
  state(): OptimizerState {
    this.checkAlive(`${this.name}.state`);
    const buffers: Record<string, Tensor[]> = {};
    this.slotNames.forEach((name, k) => {
      if (name && !this.momentumPending(name)) buffers[name] = this.params.map((_, i) => this.slots[k]!.views[this.index[i]!]!);
    });
    return { step: this.steps, buffers };
  }

  /** Copies a state (same names, shapes and parameter order as `state()`) into the optimizer's buffers. */
  loadState(state: OptimizerState): void {
    const op = `${this.name}.loadState`;
    this.checkAlive(op);
    if (!Number.isInteger(state.step) || state.step < 0) throw new ArgumentError(op, `step must be a non-negative integer, got ${state.step}`);
    const expected = this.slotNames.filter((n): n is string => n !== null && !(n === 'momentum_buffer' && this.config.kind === 'sgd' && state.step === 0));
    const given = Object.keys(state.buffers);
    if (given.length !== expected.length || !expected.every((n) => given.includes(n))) {
      throw new ArgumentError(op, `expects buffers [${expected.join(', ')}] for step ${state.step}, got [${given.join(', ')}]`);
    }
    const copies: [BufferRange, BufferRange, number][] = [];
    for (const name of expected) {
      const tensors = state.buffers[name]!;
      const slot = this.slots[this.slotNames.indexOf(name)]!;
      if (tensors.length !== this.params.length) throw new ArgumentError(op, `${name} has ${tensors.length} tensors for ${this.params.length} parameters`);
      tensors.forEach((t, i) => {
        const p = this.params[i]!;
        // The shape, not only the element count: a transposed buffer would load silently scrambled.
        if (t.dtype !== 'f32' || t.shape.length !== p.shape.length || t.shape.some((d, k) => d !== p.shape[k])) throw new ArgumentError(op, `${name}[${i}] is ${t.dtype} [${t.shape.join(', ')}], the parameter is f32 [${p.shape.join(', ')}]`);
        copies.push([t.buffer(op), slot.views[this.index[i]!]!.buffer(op), t.size * BYTES_PER_ELEMENT]);
      });
    }
    for (const [src, dst, bytes] of copies) this.rt.copy(op, src.buffer, dst.buffer, bytes, src.offset, dst.offset);
    this.steps = state.step;
  }

  /** Gives back the state and work buffers. An arena the optimizer built stays: dispose `optimizer.arena` with the parameters. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.slots) if (s) this.arena.freeSlot(s);
    this.norm?.dispose();
    for (const b of [this.aux, ...this.ring, this.placeholder, this.partials]) if (b) this.rt.release(b);
  }

  /**
   * Disposes the optimizer, `model` and, when the optimizer built it, the arena the model's parameters were
   * packed into (model.dispose() alone leaves that arena's buffers in use).
   */
  disposeWithModel(model: { dispose(): void }): void {
    this.dispose();
    model.dispose();
    if (this.ownsArena) this.arena.dispose();
  }

  private checkAlive(op: string): void {
    if (this.disposed) throw new ArgumentError(op, 'the optimizer was disposed');
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      if (p.isDisposed) throw new ArgumentError(op, `parameter ${i} of shape [${p.shape.join(', ')}] was disposed (model.dispose()?): an optimizer cannot outlive its model's parameters`);
    }
  }

  private momentumPending(name: string): boolean {
    return name === 'momentum_buffer' && this.config.kind === 'sgd' && this.steps === 0;
  }

  /** The Hyper blocks (one per run, 256 bytes apart) of the step just counted in `steps`. */
  private hyperWords(): Uint32Array {
    const words = new Uint32Array((this.runs.length * BLOCK) / 4);
    this.runs.forEach((r, k) => {
      const base = this.baseLrs[r.group]!;
      const lr = this.schedule ? this.schedule(this.steps - 1, base) : base;
      words.set(optimizerHyper(this.groupConfigs[r.group]!, this.steps, lr, this.maxGradNorm ?? 0, r.elements / 4), (k * BLOCK) / 4);
    });
    return words;
  }

  /**
   * Writes the hyperparameters through a ring of small buffers and an in-order copy into aux. Writing aux
   * directly would make the runtime submit before every step (its pending update reads aux); with the
   * ring, a submit is forced (by Runtime.upload) only when a ring buffer comes round again unsubmitted.
   */
  private uploadHyper(op: string, words: Uint32Array, produce: () => Uint32Array): void {
    const rt = this.rt, slot = this.ring[this.ringNext]!;
    this.ringNext = (this.ringNext + 1) % RING_SLOTS;
    rt.upload(op, { buffer: slot, offset: 0, size: words.byteLength }, words, produce);
    // The whole upload (a compiled step then writes it straight into aux instead of copying).
    rt.copy(op, slot, this.aux, words.byteLength, 0, 0);
  }

  private encodeGradNorm(op: string, n4: number): void {
    const grads = this.arena.gradBuffer.range;
    const out = { buffer: this.aux, offset: this.normOffset, size: BLOCK };
    if (!this.partials) {
      this.rt.dispatch({ op, kernel: gradNormKernel, bindings: { x: grads, out, p: Uint32Array.of(n4) }, workgroups: 1, specialize: { PASS: `${GRAD_NORM_PASS.only}u` } });
      return;
    }
    const workgroups = gradNormWorkgroups(n4);
    const partials = { buffer: this.partials, offset: 0, size: workgroups * BYTES_PER_ELEMENT };
    this.rt.dispatch({ op, kernel: gradNormKernel, bindings: { x: grads, out: partials, p: Uint32Array.of(n4) }, workgroups, specialize: { PASS: `${GRAD_NORM_PASS.partial}u` } });
    this.rt.dispatch({ op, kernel: gradNormKernel, bindings: { x: partials, out, p: Uint32Array.of(workgroups / 4) }, workgroups: 1, specialize: { PASS: `${GRAD_NORM_PASS.combine}u` } });
  }
}

/** torch.optim.SGD: plain, momentum (with dampening) or Nesterov. */
export class SGD extends Optimizer {
  constructor(params: ParamsOrGroups<SGDOptions>, options: SGDOptions & OptimizerOptions) {
    const groups = resolveParamGroups('SGD', params, options, (o) => sgdConfig(o));
    super('SGD', groups, groups.configs[0]!, options);
  }
}

/** torch.optim.Adagrad. */
export class AdaGrad extends Optimizer {
  constructor(params: ParamsOrGroups<AdaGradOptions>, options: AdaGradOptions & OptimizerOptions = {}) {
    const groups = resolveParamGroups('AdaGrad', params, options, (o) => adagradConfig(o));
    super('AdaGrad', groups, groups.configs[0]!, options);
  }
}

/** torch.optim.RMSprop, with momentum and centered variants. */
export class RMSProp extends Optimizer {
  constructor(params: ParamsOrGroups<RMSPropOptions>, options: RMSPropOptions & OptimizerOptions = {}) {
    const groups = resolveParamGroups('RMSProp', params, options, (o) => rmspropConfig(o));
    super('RMSProp', groups, groups.configs[0]!, options);
  }
}

/** torch.optim.Adam (L2 weight decay added to the gradient). */
export class Adam extends Optimizer {
  constructor(params: ParamsOrGroups<AdamOptions>, options: AdamOptions & OptimizerOptions = {}) {
    const groups = resolveParamGroups('Adam', params, options, (o) => adamConfig(o));
    super('Adam', groups, groups.configs[0]!, options);
  }
}

/** torch.optim.AdamW (decoupled weight decay, default 1e-2). */
export class AdamW extends Optimizer {
  constructor(params: ParamsOrGroups<AdamOptions>, options: AdamOptions & OptimizerOptions = {}) {
    const groups = resolveParamGroups('AdamW', params, options, (o) => adamConfig(o, true));
    super('AdamW', groups, groups.configs[0]!, options);
  }
}
