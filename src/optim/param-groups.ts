import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { optimizerSpecialization } from '../../kernels/optimizer.js';
import { stateSlots, type OptimConfig } from './config.js';

/**
 * PyTorch's param_groups: parameters with their own hyperparameters (any option of the optimizer, e.g. a
 * smaller `lr` and no `weightDecay` for pretrained layers); options a group leaves out come from the
 * optimizer's options. A learning-rate schedule scales every group from its own `lr`.
 */
export type ParamGroup<O> = { params: readonly Tensor[] } & Partial<O>;

/** What an optimizer constructor accepts: plain parameters (one group) or parameter groups. */
export type ParamsOrGroups<O> = readonly Tensor[] | readonly ParamGroup<O>[];

/** Parameters flattened in group order, each group's resolved configuration, and each parameter's group. */
export interface ResolvedGroups {
  readonly params: readonly Tensor[];
  readonly configs: readonly OptimConfig[];
  readonly groupOf: readonly number[];
}

function isGroupList<O>(input: ParamsOrGroups<O>): input is readonly ParamGroup<O>[] {
  return input.length > 0 && !('shape' in input[0]!) && 'params' in input[0]!;
}

/**
 * Resolves groups against the optimizer's options with its config function (which validates each merged
 * set). Every group must keep the kernel variant and state buffers of the first (one fused pipeline).
 */
export function resolveParamGroups<O extends object>(name: string, input: ParamsOrGroups<O>, options: O, configure: (o: O) => OptimConfig): ResolvedGroups {
  if (!isGroupList(input)) return { params: input as readonly Tensor[], configs: [configure(options)], groupOf: (input as readonly Tensor[]).map(() => 0) };
  const params: Tensor[] = [], configs: OptimConfig[] = [], groupOf: number[] = [];
  input.forEach((group, g) => {
    if (!Array.isArray(group.params) || group.params.length === 0) throw new ArgumentError(name, `parameter group ${g} has no parameters`);
    const { params: groupParams, ...overrides } = group;
    const config = configure({ ...options, ...overrides } as O);
    const first = configs[0];
    if (first) {
      const a = JSON.stringify(optimizerSpecialization(first, false)), b = JSON.stringify(optimizerSpecialization(config, false));
      if (a !== b || JSON.stringify(stateSlots(first)) !== JSON.stringify(stateSlots(config))) {
        throw new ArgumentError(name, `parameter group ${g} changes the update rule (momentum on/off, nesterov or centered differ from group 0); groups may differ only in values that keep the same state buffers`);
      }
    }
    configs.push(config);
    for (const p of groupParams) {
      if (params.includes(p)) throw new ArgumentError(name, `a parameter appears in more than one group (again in group ${g})`);
      params.push(p);
      groupOf.push(g);
    }
  });
  return { params, configs, groupOf };
}

/** A contiguous stretch of the arena updated with one group's hyperparameters (one dispatch). */
export interface UpdateRun {
  group: number;
  /** First element and element count (padding included: a multiple of 4, 256-byte aligned start). */
  offset: number;
  elements: number;
}

/**
 * Splits the arena into runs of consecutive trainable parameters of the same group. `groupAt[k]` is the
 * group of arena parameter k, or -1 for a frozen one (left out: no update, no weight decay).
 */
export function updateRuns(groupAt: readonly number[], offsets: readonly number[], totalElements: number): UpdateRun[] {
  const runs: UpdateRun[] = [];
  groupAt.forEach((g, k) => {
    if (g < 0) return;
    const end = k + 1 < offsets.length ? offsets[k + 1]! : totalElements;
    const last = runs[runs.length - 1];
    if (last && last.group === g && last.offset + last.elements === offsets[k]) last.elements = end - last.offset;
    else runs.push({ group: g, offset: offsets[k]!, elements: end - offsets[k]! });
  });
  return runs;
}
