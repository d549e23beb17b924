import { ArgumentError, ShapeError } from '../errors.js';
import type { AnyTypedArray } from '../dtype.js';
import { copyTensor, Tensor } from '../tensor.js';
import { summarize, type ModelSummary, type SummarizableStep } from './summary.js';

/**
 * PyTorch-style module: parameters, buffers (running statistics) and child modules by name, so
 * `namedParameters()` and `stateDict()` give PyTorch's dotted names (`features.0.weight`,
 * `features.1.running_mean`…).
 */
export abstract class Module {
  training = true;
  /** Kept in eval mode whatever `train()` says (batch norm statistics fixed by `freeze`). */
  private evalLocked = false;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** Same as forward; reads like PyTorch's `model(x)`. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requireGrad(true);
    this.ownParams.set(name, t);
    return t;
  }

  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.ownBuffers.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.ownParams) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.ownBuffers) out.push([prefix + n, t]);
    for (const [n, m] of this.children) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Parameters and buffers by PyTorch name, in PyTorch's order (each module's own entries, then its children's). */
  stateDict(prefix = ''): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [n, t] of this.ownParams) out.set(prefix + n, t);
    for (const [n, t] of this.ownBuffers) out.set(prefix + n, t);
    for (const [n, m] of this.children) for (const [k, v] of m.stateDict(`${prefix}${n}.`)) out.set(k, v);
    return out;
  }

  /**
   * Copies values into the parameters and buffers, by name. `strict` (default) refuses missing or
   * unexpected names; shapes must match exactly.
   */
  loadStateDict(state: Map<string, Tensor | AnyTypedArray> | Record<string, Tensor | AnyTypedArray>, strict = true): void {
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    if (strict) {
      const missing = [...own.keys()].filter((k) => !entries.has(k));
      const unexpected = [...entries.keys()].filter((k) => !own.has(k));
      if (missing.length || unexpected.length) {
        throw new ArgumentError('loadStateDict', `missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]`);
      }
    }
    // Validate every entry before writing any, so a bad file leaves the model untouched.
    const writes: [Tensor, Tensor | AnyTypedArray][] = [];
    for (const [name, src] of entries) {
      const dst = own.get(name);
      if (!dst) continue;
      if (src instanceof Tensor) {
        if (src.shape.length !== dst.shape.length || src.shape.some((d, i) => d !== dst.shape[i])) throw new ShapeError('loadStateDict', [dst.shape, src.shape], `${name}: shapes must match`);
        if (src.dtype !== dst.dtype) throw new ArgumentError('loadStateDict', `${name}: dtype ${src.dtype}, expected ${dst.dtype}`);
      } else if (src.length !== dst.size) {
        throw new ShapeError('loadStateDict', [dst.shape, [src.length]], `${name}: expected ${dst.size} values`);
      }
      writes.push([dst, src]);
    }
    for (const [dst, src] of writes) {
      if (src instanceof Tensor) copyTensor('loadStateDict', src, dst);
      else dst.rt.upload('loadStateDict', dst.buffer('loadStateDict'), src);
    }
  }

  /**
   * Layers, output shapes for `inputShape` (batch first, e.g. [64, 1, 28, 28]), parameter counts and bytes;
   * given a compiled step that has run, its dispatches and memory too. `String(summary)` is a table.
   */
  summary(inputShape: readonly number[], step?: SummarizableStep): ModelSummary {
    return summarize(this, inputShape, step);
  }

  /** The arguments part of the module's repr (PyTorch's extra_repr): '' for modules without settings. */
  extraRepr(): string {
    return '';
  }

  /**
   * PyTorch's module repr: `Linear(in_features=784, out_features=10, bias=True)`, or the class name with
   * each child on its own line as `(name): repr`, indented.
   */
  toString(): string {
    const name = this.constructor.name;
    const children = [...this.children];
    if (children.length === 0) return `${name}(${this.extraRepr()})`;
    const extra = this.extraRepr();
    const lines = [...(extra ? [extra] : []), ...children.map(([n, m]) => `(${n}): ${String(m)}`)];
    return `${name}(\n${lines.map((l) => l.replace(/^/gm, '  ')).join('\n')}\n)`;
  }

  train(mode = true): this {
    this.training = mode && !this.evalLocked;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Keeps this module (not its children) in eval mode while locked; after unlocking, the next `train()` applies. */
  lockEval(locked: boolean): this {
    this.evalLocked = locked;
    if (locked) this.training = false;
    return this;
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const t of this.ownParams.values()) t.dispose();
    for (const t of this.ownBuffers.values()) t.dispose();
    for (const m of this.children.values()) m.dispose();
  }
}

/** y = x (PyTorch's nn.Identity); also what `tryFuse` receives to reset a fused activation. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

const IDENTITY = new Identity();

/** A layer that can absorb the activation after it (Linear, Conv2d: matmul epilogue; BatchNorm: ReLU). */
export interface FusionTarget {
  /** Returns true when it took the activation (the activation module is then skipped). */
  tryFuse(next: Module): boolean;
}

function isFusionTarget(m: Module): m is Module & FusionTarget {
  return typeof (m as Partial<FusionTarget>).tryFuse === 'function';
}

/**
 * Runs modules in order; children are named '0', '1', … like torch.nn.Sequential (so state dicts match).
 * Fusion: an activation right after a Linear or Conv2d runs in its matmul epilogue, and a ReLU after a
 * BatchNorm in its output pass — same results, fewer dispatches and memory passes. `fusion = false` turns it off.
 */
/** Called after each module a Sequential runs: its output, and its index in `layers` (an activation fused into it is `fused`). */
export type LayerOutputHook = (y: Tensor, info: { index: number; module: Module; fused: Module | null }) => void;

export class Sequential extends Module {
  readonly layers: Module[];
  /** Sees every layer's output in forward (per-layer statistics, src/train/step-stats.ts); null by default. */
  onLayerOutput: LayerOutputHook | null = null;
  private fusionEnabled = true;
  private plan: Module[] | null = null;
  /** Layer index of each plan entry (a fused pair: its first layer's). */
  private planIndex: number[] = [];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  /**
   * Puts `module` in place of layer `index` (PyTorch's `model[i] = module`; negative counts from the end),
   * under the same name, so state-dict keys stay. Returns the layer taken out (not disposed).
   */
  replace(index: number, module: Module): Module {
    const i = this.layerIndex('Sequential.replace', index);
    const old = this.layers[i]!;
    this.layers[i] = module;
    this.registerModule(String(i), module);
    this.plan = null;
    return old;
  }

  /** Adds a layer at the end (PyTorch's `append`), named by its position. */
  append(module: Module): this {
    this.registerModule(String(this.layers.length), module);
    this.layers.push(module);
    this.plan = null;
    return this;
  }

  /** Layer `index` (negative counts from the end). */
  at(index: number): Module {
    return this.layers[this.layerIndex('Sequential.at', index)]!;
  }

  private layerIndex(op: string, index: number): number {
    const n = this.layers.length;
    if (!Number.isInteger(index) || index < -n || index >= n) throw new ArgumentError(op, `no layer ${index}: this Sequential has ${n} layers (indices 0…${n - 1}, or −${n}…−1 from the end)`);
    return index < 0 ? n + index : index;
  }

  get fusion(): boolean {
    return this.fusionEnabled;
  }

  set fusion(on: boolean) {
    this.fusionEnabled = on;
    this.plan = null;
    // Undo the layers' fused epilogues now: code that runs `layers[i].forward` one by one (activationStats, a
    // per-layer view) must not get a Linear that still applies the activation fused by an earlier forward.
    if (!on) for (const m of this.layers) if (isFusionTarget(m)) m.tryFuse(IDENTITY);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    const plan = this.executionPlan(), hook = this.onLayerOutput;
    for (let i = 0; i < plan.length; i++) {
      y = plan[i]!.forward(y);
      if (hook) {
        const index = this.planIndex[i]!, next = this.planIndex[i + 1] ?? this.layers.length;
        hook(y, { index, module: plan[i]!, fused: next > index + 1 ? this.layers[index + 1]! : null });
      }
    }
    return y;
  }

  /**
   * The output of layer `upTo` (inclusive; negative counts from the end): the layers before it run as in
   * `forward` (fused), and a layer fused with the one after the cut runs without that activation.
   */
  forwardTo(x: Tensor, upTo: number): Tensor {
    const last = this.layerIndex('Sequential.forwardTo', upTo);
    const plan = this.executionPlan();
    let y = x;
    for (let k = 0; k < plan.length && this.planIndex[k]! <= last; k++) {
      const m = plan[k]!, i = this.planIndex[k]!;
      const fusedPast = (this.planIndex[k + 1] ?? this.layers.length) > i + 1 && i === last;
      if (!fusedPast) {
        y = m.forward(y);
        continue;
      }
      const target = m as Module & FusionTarget;
      target.tryFuse(IDENTITY);
      try {
        y = m.forward(y);
      } finally {
        target.tryFuse(this.layers[i + 1]!);
      }
    }
    return y;
  }

  /** The modules actually run, after fusing activations into the layer before them. */
  private executionPlan(): Module[] {
    if (this.plan) return this.plan;
    const plan: Module[] = [];
    this.planIndex = [];
    for (let i = 0; i < this.layers.length; i++) {
      const m = this.layers[i]!;
      // Reset any earlier fusion, so toggling `fusion` takes effect.
      if (isFusionTarget(m)) m.tryFuse(IDENTITY);
      const next = this.layers[i + 1];
      plan.push(m);
      this.planIndex.push(i);
      if (this.fusionEnabled && next && isFusionTarget(m) && m.tryFuse(next)) i++;
    }
    this.plan = plan;
    return plan;
  }
}

