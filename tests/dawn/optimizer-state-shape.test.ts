import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Linear, loadOptimizerState, SGD, tensor, type Runtime } from '../../src/index.js';
import { nullRuntime } from '../helpers/null-device.js';

// The shape check runs before any GPU work: the null device is enough.
let rt: Runtime;
beforeAll(async () => {
  rt = await nullRuntime();
});
afterAll(() => rt.destroy());

describe('optimizer state must have its parameter\'s shape', () => {
  it('refuses a transposed buffer even though its element count agrees', () => {
    const layer = new Linear(4, 3);
    const opt = new SGD(layer.parameters(), { lr: 0.1, momentum: 0.9 });
    const transposed = tensor(new Float32Array(12), [4, 3]);
    const bias = tensor(new Float32Array(3), [3]);
    expect(() => opt.loadState({ step: 1, buffers: { momentum_buffer: [transposed, bias] } })).toThrow(ArgumentError);
    expect(() => opt.loadState({ step: 1, buffers: { momentum_buffer: [transposed, bias] } }))
      .toThrow('SGD.loadState: momentum_buffer[0] is f32 [4, 3], the parameter is f32 [3, 4]');
    // Through the checkpoint path too (a state dict saved for another layout).
    const entries = new Map([
      ['state.0.momentum_buffer', { shape: [12], data: new Float32Array(12) }],
      ['state.1.momentum_buffer', { shape: [3], data: new Float32Array(3) }],
      ['state.0.step', { shape: [], data: Float32Array.of(1) }],
      ['state.1.step', { shape: [], data: Float32Array.of(1) }],
    ]);
    expect(() => loadOptimizerState(opt, entries)).toThrow(/momentum_buffer\[0\] is f32 \[12\], the parameter is f32 \[3, 4\]/);
    // The right shapes load.
    opt.loadState({ step: 1, buffers: { momentum_buffer: [tensor(new Float32Array(12), [3, 4]), bias] } });
    expect(opt.stepCount).toBe(1);
    opt.dispose();
    layer.dispose();
  });
});
