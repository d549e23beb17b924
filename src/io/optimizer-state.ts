import type { AnyTypedArray } from '../dtype.js';
import { ArgumentError } from '../errors.js';
import { tensor } from '../ops/creation.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Tensor } from '../tensor.js';

/**
 * An optimizer's state under the names `saveModel` stores after `optimizer.` — PyTorch's
 * `optimizer.state_dict()['state']` flattened: `state.<i>.<buffer>` (live views, `exp_avg`,
 * `momentum_buffer`…) and `state.<i>.step` (a new f32 scalar; PyTorch's SGD keeps no step and ignores it),
 * i the parameter's position in the optimizer. `dispose()` frees the step scalars once saved.
 */
export function optimizerStateTensors(opt: Optimizer): { tensors: Map<string, Tensor>; dispose(): void } {
  const state = opt.state();
  const tensors = new Map<string, Tensor>();
  const steps: Tensor[] = [];
  opt.params.forEach((_, i) => {
    for (const [name, views] of Object.entries(state.buffers)) tensors.set(`state.${i}.${name}`, views[i]!);
    const step = tensor(Float32Array.of(state.step), [], 'f32', opt.rt);
    steps.push(step);
    tensors.set(`state.${i}.step`, step);
  });
  return { tensors, dispose: () => steps.forEach((t) => t.dispose()) };
}

/**
 * Loads state read by `loadModel` (its `optimizerState`, written by `saveModel` with
 * `optimizerStateTensors` or by PyTorch) into an optimizer of the same kind over the same parameters.
 * Names, shapes and the step are checked before anything is written.
 */
export function loadOptimizerState(opt: Optimizer, entries: ReadonlyMap<string, { shape: readonly number[]; data: AnyTypedArray }>): void {
  const op = `${opt.name}.loadState`;
  const buffers: Record<string, Tensor[]> = {};
  let step: number | null = null;
  const perParam = new Map<string, number>();
  for (const [key, v] of entries) {
    const m = /^state\.(\d+)\.([A-Za-z_]+)$/.exec(key);
    if (!m) throw new ArgumentError(op, `unexpected optimizer entry '${key}' (expected state.<parameter index>.<name>)`);
    const i = Number(m[1]), name = m[2]!;
    if (i >= opt.params.length) throw new ArgumentError(op, `entry '${key}' names parameter ${i}; the optimizer has ${opt.params.length}`);
    if (name === 'step') {
      if (v.data.length !== 1) throw new ArgumentError(op, `'${key}' must be a scalar`);
      const s = Number(v.data[0]);
      if (step !== null && s !== step) throw new ArgumentError(op, `parameters have different steps (${step} and ${s}); this optimizer keeps one count`);
      step = s;
      continue;
    }
    perParam.set(name, (perParam.get(name) ?? 0) + 1);
  }
  const made: Tensor[] = [];
  try {
    for (const [name, count] of perParam) {
      if (count !== opt.params.length) throw new ArgumentError(op, `'${name}' is given for ${count} of ${opt.params.length} parameters`);
      buffers[name] = opt.params.map((p, i) => {
        const v = entries.get(`state.${i}.${name}`)!;
        if (!(v.data instanceof Float32Array)) throw new ArgumentError(op, `state.${i}.${name} must hold floats`);
        const t = tensor(v.data, v.shape.length ? v.shape : p.shape, 'f32', opt.rt);
        made.push(t);
        return t;
      });
    }
    opt.loadState({ step: step ?? 0, buffers });
  } finally {
    for (const t of made) t.dispose();
  }
}
