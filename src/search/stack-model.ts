import { needsGrad, record } from '../autograd.js';
import { ParamArena } from '../arena.js';
import type { Runtime } from '../device.js';
import * as G from '../grad/index.js';
import { markReluOutput, outputActivationBackward } from '../grad/util.js';
import { Identity, Sequential, type Module } from '../nn/module.js';
import { AvgPool2d, Conv2d, ELU, Flatten, GELU, LeakyReLU, Linear, MaxPool2d, ReLU, Sigmoid, Tanh } from '../nn/layers.js';
import * as A from '../ops/activation.js';
import { dwSamplesPerPartial, planConv2d, type ConvGeometry } from '../ops/conv.js';
import { poolGeometry } from '../ops/pool.js';
import * as E from '../ops/elementwise.js';
import type { Activation } from '../ops/matmul.js';
import { sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor.js';

/**
 * One layer of a model that a stack of trials can train as one (see StackModel). Convolutions and Linears
 * carry the activation after them (Sequential fuses it the same way).
 */
export type StackLayer =
  | { kind: 'conv'; layer: Conv2d; activation: Activation; slope?: number }
  | { kind: 'linear'; layer: Linear; activation: Activation; slope?: number }
  | { kind: 'pass'; layer: Module }
  | { kind: 'flatten' };

/** The epilogue activation of a module that may follow a Conv2d or Linear, or null. */
function activationOf(m: Module | undefined): { activation: Activation; slope?: number } | null {
  if (m instanceof ReLU) return { activation: 'relu' };
  if (m instanceof Sigmoid) return { activation: 'sigmoid' };
  if (m instanceof Tanh) return { activation: 'tanh' };
  if (m instanceof LeakyReLU) return { activation: 'leakyRelu', slope: m.slope };
  return null;
}

/**
 * The layers of `model` as a stack would run them, or null when the model is not one a stack can train
 * exactly as alone: a Sequential of Conv2d (the first with groups 1), Linear, pooling, Flatten(1), Identity
 * and activations, ending in a Linear. Anything else (dropout, batch norm, nested modules…) trains on its own.
 */
export function stackLayers(model: Module): StackLayer[] | null {
  if (!(model instanceof Sequential)) return null;
  const layers: StackLayer[] = [];
  let sawConv = false;
  for (let i = 0; i < model.layers.length; i++) {
    const m = model.layers[i]!;
    if (m instanceof Conv2d || m instanceof Linear) {
      if (m instanceof Conv2d && !sawConv && (m.opts.groups ?? 1) !== 1) return null;
      // One output channel or feature would change how its bias gradient is summed (see sum's planAs).
      if ((m instanceof Conv2d ? m.outChannels / (m.opts.groups ?? 1) : m.outFeatures) < 2) return null;
      const fused = model.fusion ? activationOf(model.layers[i + 1]) : null;
      const act = fused ?? { activation: 'none' as Activation };
      layers.push(m instanceof Conv2d ? { kind: 'conv', layer: m, ...act } : { kind: 'linear', layer: m, ...act });
      if (m instanceof Conv2d) sawConv = true;
      if (fused) i++;
    } else if (m instanceof Flatten) {
      if (m.startDim !== 1) return null;
      layers.push({ kind: 'flatten' });
    } else if (m instanceof MaxPool2d || m instanceof AvgPool2d || m instanceof Identity || activationOf(m) || m instanceof ELU || m instanceof GELU) {
      layers.push({ kind: 'pass', layer: m });
    } else {
      return null;
    }
  }
  return layers[layers.length - 1]?.kind === 'linear' ? layers : null;
}

/** What two models must share to train in one stack: the layers' kinds, sizes and options. */
export function stackSignature(layers: readonly StackLayer[]): string {
  return JSON.stringify(layers.map((l) => {
    if (l.kind === 'flatten') return 'flatten';
    if (l.kind === 'pass') return [l.layer.constructor.name, l.layer.extraRepr()];
    const shapes = l.layer.parameters().map((p) => p.shape);
    const o = l.kind === 'conv' ? l.layer.opts : null;
    return [l.kind, shapes, o && [o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1], l.activation, l.slope ?? null];
  }));
}

/** 256 MiB: conv2d's default bound on one column matrix (a larger one is built in chunks of samples). */
const IM2COL_BYTES = 256 * 2 ** 20;

/**
 * The most trials of this architecture one stack may hold at `batch` on this device: every stacked buffer
 * (activations, the arena, a convolution's column matrix and weight-gradient partials) must fit one storage
 * binding, and a convolution's column matrix must not be split into chunks of samples, which would change how
 * its weight gradient is summed. 0 when the layers do not fit `sampleShape` the way the stacked layouts need
 * (a Linear on a sample that is not flat, a convolution on one that is). Below 2, the trials train on their own.
 */
export function maxStackTrials(layers: readonly StackLayer[], template: Module, sampleShape: readonly number[], batch: number, rt: Runtime): number {
  const limit = Math.min(rt.limits.maxStorageBufferBindingSize, rt.limits.maxBufferSize);
  let most = Number.MAX_SAFE_INTEGER;
  const fit = (bytesPerTrial: number, budget = limit) => {
    most = Math.min(most, Math.floor(budget / Math.max(4, bytesPerTrial)));
  };
  let shape = [...sampleShape];
  for (const l of layers) {
    // Convolutions and pooling take [C, H, W] samples, Linears flat ones (as the stacked layouts do).
    const spatial = l.kind === 'conv' || (l.kind === 'pass' && (l.layer instanceof MaxPool2d || l.layer instanceof AvgPool2d));
    if ((spatial && shape.length !== 3) || (l.kind === 'linear' && shape.length !== 1)) return 0;
    if (l.kind === 'conv') {
      const c = l.layer;
      let g: ConvGeometry;
      try {
        g = planConv2d('stack', { shape: [batch, ...shape], dtype: 'f32' }, c.weight, { stride: c.opts.stride, padding: c.opts.padding, dilation: c.opts.dilation, groups: c.opts.groups });
      } catch {
        return 0; // the sample does not fit this convolution: the trial's own step reports it
      }
      // One trial's column matrix (with the bias row) for the whole batch, unsplit; its weight-gradient partials.
      fit(batch * g.groups * (g.taps + 1) * g.outHeight * g.outWidth * 4, Math.min(IM2COL_BYTES, limit));
      const perPartial = dwSamplesPerPartial(batch, g.groups, g.outChannels / g.groups, g.taps, c.weight.size);
      fit(Math.ceil(batch / perPartial) * c.weight.size * 4);
      shape = [g.outChannels, g.outHeight, g.outWidth];
    } else if (l.kind === 'linear') {
      shape = [l.layer.outFeatures];
    } else if (l.kind === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (l.layer instanceof MaxPool2d || l.layer instanceof AvgPool2d) {
      const g = poolGeometry('stack', [1, ...shape], l.layer.opts);
      shape = [g.c, g.oh, g.ow];
    }
    fit(batch * shape.reduce((a, b) => a * b, 1) * 4);
  }
  // The stacked arena: every parameter T times, each padded to the offset alignment.
  const sizes = template.parameters().map((p) => p.size), align = Math.max(rt.limits.minStorageBufferOffsetAlignment, 16) / 4;
  const arenaBytes = (t: number) => sizes.reduce((n, size) => n + Math.ceil((t * size) / align) * align * 4, 0);
  fit(arenaBytes(1));
  while (most > 1 && arenaBytes(most) > limit) most--;
  return most;
}

/**
 * T trials of one architecture as one model: each parameter holds every trial's tensor end to end, and one
 * dispatch computes a layer for all trials, each trial's values exactly (bit for bit) what its own model
 * computes. The input batch [B, …] is shared. Layouts between layers:
 * - convolutions keep [B, T·C, H, W] (trial-major channels): the first is one convolution with T·C_out
 *   filters over the shared input, the later ones grouped (groups = T × the layer's own), so trial t sees only
 *   its channels; pooling and activations are per channel;
 * - Flatten turns [B, T·F] into [T, B, F], and Linears are matmuls batched over trials ([T, out, in]
 *   weights, [T, 1, out] biases added after the product, as the fused epilogue adds them);
 * - the logits come out as [T·B, classes], trial-major.
 * Sums whose order depends on the output size (bias gradients, the convolution's weight-gradient partials)
 * are pinned to one trial's order.
 */
export class StackModel {
  readonly arena: ParamArena;
  /** The stacked parameters, in the order of the trial models' parameters(). */
  readonly params: readonly Tensor[];
  /** Elements of one trial's share of each parameter. */
  readonly perTrial: readonly number[];

  constructor(readonly rt: Runtime, readonly layers: readonly StackLayer[], readonly trials: number, template: Module) {
    const shapes = template.parameters().map((p) => this.stackedShape(p));
    this.arena = new ParamArena(rt, shapes);
    this.params = this.arena.params;
    this.perTrial = template.parameters().map((p) => p.size);
    for (const p of this.params) p.requireGrad(true);
  }

  /** A trial parameter's stacked shape: [T·out, …] for convolutions, [T, …] for Linear weights, [T, 1, out] for their biases. */
  private stackedShape(p: Tensor): number[] {
    const owner = this.layers.find((l) => (l.kind === 'conv' || l.kind === 'linear') && l.layer.parameters().includes(p));
    if (owner?.kind === 'conv') return [this.trials * p.shape[0]!, ...p.shape.slice(1)];
    return p.rank === 1 ? [this.trials, 1, p.shape[0]!] : [this.trials, ...p.shape];
  }

  /** Copies `model`'s parameters into trial t's share (queued). */
  load(t: number, model: Module): void {
    model.parameters().forEach((p, i) => {
      const src = p.buffer('StackModel.load'), dst = this.params[i]!.buffer('StackModel.load'), bytes = this.perTrial[i]! * 4;
      this.rt.copy('StackModel.load', src.buffer, dst.buffer, bytes, src.offset, dst.offset + t * bytes);
    });
  }

  /** Copies trial t's share into `model`'s parameters (queued). */
  store(t: number, model: Module): void {
    model.parameters().forEach((p, i) => {
      const src = this.params[i]!.buffer('StackModel.store'), dst = p.buffer('StackModel.store'), bytes = this.perTrial[i]! * 4;
      this.rt.copy('StackModel.store', src.buffer, dst.buffer, bytes, src.offset + t * bytes, dst.offset);
    });
  }

  /** Logits [T·B, classes] of every trial for the shared batch x [B, …]. */
  forward(x: Tensor): Tensor {
    const T = this.trials, B = x.shape[0]!;
    let h = x;
    let layout: 'shared' | 'channels' | 'trials' = 'shared';
    let next = 0;
    const param = () => this.params[next++]!;
    for (const l of this.layers) {
      if (l.kind === 'pass') {
        h = l.layer.forward(h);
      } else if (l.kind === 'flatten') {
        if (layout === 'shared') h = G.flatten(h, 1);
        else if (layout === 'channels') {
          h = G.permute(G.reshape(h, [B, T, h.size / (B * T)]), [1, 0, 2]);
          layout = 'trials';
        }
      } else if (l.kind === 'conv') {
        if (layout === 'trials') throw new Error('StackModel: a convolution after a Linear');
        const c = l.layer, o = c.opts, groups = o.groups ?? 1, w = param(), bias = c.bias ? param() : undefined;
        const cout = c.outChannels, taps = (c.inChannels / groups) * c.weight.shape[2]! * c.weight.shape[3]!;
        h = G.conv2d(h, w, {
          stride: o.stride, padding: o.padding, dilation: o.dilation, groups: layout === 'shared' ? 1 : T * groups,
          bias, activation: l.activation, slope: l.slope,
          // One trial's choices, so its gradients are summed as its own convolution sums them.
          dwSamplesPerPartial: dwSamplesPerPartial(B, groups, cout / groups, taps, c.weight.size), dbPlanChannels: cout,
        });
        layout = 'channels';
      } else {
        if (layout === 'channels') throw new Error('StackModel: a Linear on a convolution\'s output without Flatten');
        const w = param(), b = l.layer.bias ? param() : null;
        const z = G.matmul(h, w, { transposeB: true });
        h = biasActivation(z, b, l.activation, l.slope);
        layout = 'trials';
      }
    }
    return G.reshape(h, [T * B, h.shape[2]!]);
  }

  dispose(): void {
    this.arena.dispose();
  }
}

/**
 * act(z + b) for z [T, B, out] and per-trial biases b [T, 1, out]: what Linear's fused epilogue computes
 * (the same additions and activation formulas), with its backward; the bias gradient sums each trial's B
 * rows in the order one trial's Linear sums them.
 */
function biasActivation(z: Tensor, b: Tensor | null, act: Activation, slope?: number): Tensor {
  if (!b && act === 'none') return z;
  const pre = b ? E.add(z, b) : z;
  if (act === 'leakyRelu') {
    // Its backward reads the input: Linear runs it after the epilogue too (activateUnfused).
    const withBias = b && needsGrad(z, b) ? record(pre, 'stackBias', [z, b], (g) => [g, biasGrad(g)]) : pre;
    return G.leakyRelu(withBias, slope);
  }
  const y = act === 'none' ? pre : A.activation(act as 'relu' | 'sigmoid' | 'tanh', pre);
  if (pre !== y && pre !== z) pre.dispose();
  if (act === 'relu') markReluOutput(y);
  if (!needsGrad(z, b)) return y;
  return record(y, 'stackBiasActivation', b ? [z, b] : [z], (g) => {
    const dpre = outputActivationBackward(act, g, y);
    return b ? [dpre, biasGrad(dpre)] : [dpre];
  });
}

/** Σ over each trial's rows of g [T, B, out] → [T, 1, out], planned as one trial's [1, B, out]. */
function biasGrad(g: Tensor): Tensor {
  return sum(g, 1, true, [1, g.shape[1]!, g.shape[2]!]);
}
