import { ArgumentError } from '../errors.js';
import { refActivation } from '../reference/activation.js';
import { refBatchNormEval, refBatchNormTrain } from '../reference/batchnorm.js';
import { conv2dRef } from '../reference/conv.js';
import { refDropout } from '../reference/dropout.js';
import { matmulRef } from '../reference/matmul.js';
import { refAvgPool2d, refGlobalAvgPool2d, refMaxPool2d } from '../reference/pool.js';
import type { RefTensor } from '../reference/ref-tensor.js';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, ELU, Flatten, GELU, GlobalAvgPool2d, LeakyReLU, Linear, MaxPool2d, ReLU,
  Sigmoid, Tanh,
} from './layers.js';
import { Identity, Sequential, type Module } from './module.js';

/**
 * Float64 CPU forward of a model built from this library's layers, with parameters given by PyTorch
 * name: the oracle for whole-model gradient checks (central differences on this function). BatchNorm in
 * training mode uses batch statistics (running statistics are not updated here).
 */
export function referenceForward(model: Module, x: RefTensor, params: ReadonlyMap<string, RefTensor>, prefix = ''): RefTensor {
  const p = (name: string): RefTensor => {
    const t = params.get(prefix + name);
    if (!t) throw new ArgumentError('referenceForward', `no parameter ${prefix + name}`);
    return t;
  };
  if (model instanceof Sequential) {
    let y = x;
    model.layers.forEach((m, i) => (y = referenceForward(m, y, params, `${prefix}${i}.`)));
    return y;
  }
  if (model instanceof Linear) {
    return matmulRef(x, p('weight'), { transposeB: true, bias: model.bias ? p('bias') : undefined });
  }
  if (model instanceof Conv2d) {
    const { stride, padding, dilation, groups } = model.opts;
    return conv2dRef(x, p('weight'), { bias: model.bias ? p('bias') : undefined, stride, padding, dilation, groups });
  }
  if (model instanceof MaxPool2d) return refMaxPool2d(x, model.opts).y;
  if (model instanceof AvgPool2d) return refAvgPool2d(x, model.opts);
  if (model instanceof GlobalAvgPool2d) return refGlobalAvgPool2d(x, false);
  if (model instanceof Flatten) {
    const s = model.startDim;
    return { shape: [...x.shape.slice(0, s), x.shape.slice(s).reduce((a, b) => a * b, 1)], data: x.data };
  }
  if (model instanceof BatchNorm1d || model instanceof BatchNorm2d) {
    const gamma = model.weight ? p('weight') : null, beta = model.bias ? p('bias') : null;
    const eps = model.opts.eps ?? 1e-5;
    if (model.training) return refBatchNormTrain(x, gamma, beta, null, null, { eps }).y;
    return refBatchNormEval(x, gamma, beta, p('running_mean'), p('running_var'), { eps });
  }
  if (model instanceof Dropout) return model.training && model.p > 0 ? refDropout(x, { p: model.p, seed: model.seed, step: 0 }) : x;
  if (model instanceof ReLU) return refActivation('relu', x);
  if (model instanceof Sigmoid) return refActivation('sigmoid', x);
  if (model instanceof Tanh) return refActivation('tanh', x);
  if (model instanceof LeakyReLU) return refActivation('leakyRelu', x, { slope: model.slope });
  if (model instanceof ELU) return refActivation('elu', x, { alpha: model.alpha });
  if (model instanceof GELU) return refActivation(model.approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
  if (model instanceof Identity) return x;
  throw new ArgumentError('referenceForward', `no reference for ${model.constructor.name}`);
}
