import { ArgumentError } from '../errors.js';
import { SeededRandom } from '../data/random.js';

/** One hyperparameter's range: sampled by random search, enumerated by grid search. */
export type ParamSpec =
  /** Uniform on a log scale in [min, max] (learning rates, weight decay); `grid` points spaced evenly in log. */
  | { kind: 'log'; min: number; max: number; grid?: number }
  /** Uniform in [min, max]; `grid` points spaced evenly. */
  | { kind: 'uniform'; min: number; max: number; grid?: number }
  /** An integer uniform in [min, max]; the grid is every integer unless `grid` points are asked for. */
  | { kind: 'int'; min: number; max: number; grid?: number }
  /** One of the values (optimizer kind, schedule, batch size, width…). */
  | { kind: 'choice'; values: readonly ParamValue[] };

export type ParamValue = number | string | boolean;
/** A point of the space: one value per hyperparameter. */
export type TrialConfig = Record<string, ParamValue>;
export type SearchSpace = Record<string, ParamSpec | readonly ParamValue[] | ParamValue>;

export const logUniform = (min: number, max: number, grid?: number): ParamSpec => ({ kind: 'log', min, max, grid });
export const uniform = (min: number, max: number, grid?: number): ParamSpec => ({ kind: 'uniform', min, max, grid });
export const intRange = (min: number, max: number, grid?: number): ParamSpec => ({ kind: 'int', min, max, grid });
export const choice = (values: readonly ParamValue[]): ParamSpec => ({ kind: 'choice', values });

/** A bare array is a choice, a bare value a constant. */
function normalize(op: string, name: string, s: SearchSpace[string]): ParamSpec {
  if (Array.isArray(s)) return check(op, name, { kind: 'choice', values: s as readonly ParamValue[] });
  if (typeof s === 'object' && s !== null) return check(op, name, s as ParamSpec);
  return { kind: 'choice', values: [s as ParamValue] };
}

function check(op: string, name: string, s: ParamSpec): ParamSpec {
  if (s.kind === 'choice') {
    if (!s.values.length) throw new ArgumentError(op, `'${name}': a choice needs at least one value`);
    return s;
  }
  if (!['log', 'uniform', 'int'].includes(s.kind)) throw new ArgumentError(op, `'${name}': unknown kind '${(s as { kind: string }).kind}' (log, uniform, int, choice)`);
  if (!(Number.isFinite(s.min) && Number.isFinite(s.max) && s.min <= s.max)) throw new ArgumentError(op, `'${name}': needs finite min ≤ max, got [${s.min}, ${s.max}]`);
  if (s.kind === 'log' && !(s.min > 0)) throw new ArgumentError(op, `'${name}': a log scale needs min > 0, got ${s.min}`);
  if (s.kind === 'int' && !(Number.isInteger(s.min) && Number.isInteger(s.max))) throw new ArgumentError(op, `'${name}': an int range needs integer bounds, got [${s.min}, ${s.max}]`);
  if (s.grid !== undefined && !(Number.isInteger(s.grid) && s.grid >= 1)) throw new ArgumentError(op, `'${name}': grid must be a positive integer, got ${s.grid}`);
  return s;
}

function specs(op: string, space: SearchSpace): [string, ParamSpec][] {
  const entries = Object.entries(space);
  if (!entries.length) throw new ArgumentError(op, 'the search space is empty');
  return entries.map(([k, v]) => [k, normalize(op, k, v)]);
}

/** The values grid search tries for one hyperparameter. */
export function gridValues(spec: ParamSpec, name = 'param', op = 'gridSearch'): ParamValue[] {
  const s = check(op, name, spec);
  if (s.kind === 'choice') return [...s.values];
  if (s.kind === 'int' && s.grid === undefined) return Array.from({ length: s.max - s.min + 1 }, (_, i) => s.min + i);
  if (s.grid === undefined) throw new ArgumentError(op, `'${name}': a continuous range needs 'grid' (number of points) for grid search`);
  const n = s.grid;
  if (n === 1 || s.min === s.max) return [s.kind === 'log' ? Math.sqrt(s.min * s.max) : s.kind === 'int' ? Math.round((s.min + s.max) / 2) : (s.min + s.max) / 2];
  const at = (i: number) => {
    // The ends exactly as given (1e-3, not 1.0000000000000002e-3).
    if (i === 0 || i === n - 1) return i === 0 ? s.min : s.max;
    const t = i / (n - 1);
    if (s.kind === 'log') return Math.exp(Math.log(s.min) + t * (Math.log(s.max) - Math.log(s.min)));
    const v = s.min + t * (s.max - s.min);
    return s.kind === 'int' ? Math.round(v) : v;
  };
  const values = Array.from({ length: n }, (_, i) => at(i));
  return s.kind === 'int' ? [...new Set(values)] : values;
}

/** Every combination of the grid (the last hyperparameter varies fastest), in a fixed order. */
export function gridConfigs(space: SearchSpace): TrialConfig[] {
  const axes = specs('gridSearch', space).map(([k, s]) => [k, gridValues(s, k)] as const);
  let out: TrialConfig[] = [{}];
  for (const [k, values] of axes) out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  return out;
}

/** `n` configurations drawn independently from the space; the same seed gives the same draws. */
export function randomConfigs(space: SearchSpace, n: number, seed = 0): TrialConfig[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new ArgumentError('randomSearch', `trials must be a positive integer, got ${n}`);
  const axes = specs('randomSearch', space);
  const rng = new SeededRandom(seed, 0x5ea7c4);
  // 53-bit uniform in [0, 1] from two 32-bit draws.
  const u = () => (rng.nextU32() * 2 ** 21 + (rng.nextU32() >>> 11)) / 2 ** 53;
  const draw = (s: ParamSpec): ParamValue => {
    switch (s.kind) {
      case 'choice': return s.values[rng.int(s.values.length)]!;
      case 'log': return Math.exp(Math.log(s.min) + u() * (Math.log(s.max) - Math.log(s.min)));
      case 'uniform': return s.min + u() * (s.max - s.min);
      case 'int': return s.min + rng.int(s.max - s.min + 1);
    }
  };
  return Array.from({ length: n }, () => Object.fromEntries(axes.map(([k, s]) => [k, draw(s)])));
}

/** A configuration as `lr=0.003 momentum=0.9` (numbers to 3 significant digits). */
export function formatConfig(c: TrialConfig): string {
  return Object.entries(c).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : v}`).join(' ');
}
