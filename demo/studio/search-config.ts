// What a Studio search asks for and returns (page ↔ worker), and how a trial's configuration maps onto the Studio's
// setup: the search's keys are the session option keys, so a trial is the run the Studio would make with them, and
// "use this" is a plain setup change. Pure (no DOM, no GPU): the page, the worker and node tests share it.
import { gridConfigs, type ParamSpec, type SearchSpace, type TrialConfig } from '../../src/search/space.js';
import { resolveOptions } from '../../app/session/options.js';
import type { Monitor, TrialPoint } from '../../src/search/trial-run.js';
import type { TrialStatus } from '../../src/search/search.js';
import { sessionOptions, type StudioSetup } from './setup.js';

/** The session options a Studio search can vary. `hidden` is one width for every hidden layer of the MLP. */
export const SEARCH_KEYS = ['lr', 'l2', 'momentum', 'dropout', 'optimizer', 'hidden', 'batchSize'] as const;
export type SearchKey = (typeof SEARCH_KEYS)[number];

export interface SearchRequest {
  /** One range per searched key (log / uniform ranges, or a choice of values). */
  space: Partial<Record<SearchKey, ParamSpec>>;
  mode: 'random' | 'grid';
  /** Configurations drawn (random search; a grid has as many as its combinations). */
  trials: number;
  budget: { unit: 'steps' | 'epochs'; n: number };
  metric: Monitor;
}

/** One finished trial in the results table. */
export interface SearchRow {
  index: number;
  config: TrialConfig;
  status: TrialStatus;
  /** The metric at the trial's best validation; NaN when it diverged. */
  score: number;
  steps: number;
  seconds: number;
}

export type SearchState = 'running' | 'paused' | 'done' | 'stopped' | 'failed';

export interface SearchProgress { index: number; config: TrialConfig; point: TrialPoint }

/** The setup a trial's configuration describes: the Studio's setup with the trial's values in place. */
export function configToSetup(base: StudioSetup, config: TrialConfig): StudioSetup {
  const out: StudioSetup = { ...base, hidden: [...base.hidden] };
  for (const [k, v] of Object.entries(config)) {
    if (k === 'hidden') out.hidden = base.hidden.map(() => Number(v));
    else out[k] = v;
  }
  return out;
}

/** Trials a Studio search may have (random draws or grid combinations). */
export const MAX_TRIALS = 64;

/** The values a range can take at its ends (or each choice): what must be a valid setting before a search starts. */
export function extremes(spec: ParamSpec): (number | string | boolean)[] {
  return spec.kind === 'choice' ? [...spec.values] : [spec.min, spec.max];
}

/** Validations per trial the Studio asks for: enough points for a curve, few enough to stay cheap. */
export const POINTS_PER_TRIAL = 8;

/** What is wrong with the request for this setup, one message per problem ([] when it can start). */
export function searchProblems(req: SearchRequest, setup: StudioSetup): string[] {
  const out: string[] = [];
  const keys = Object.keys(req.space);
  if (!keys.length) out.push('pick at least one hyperparameter to search');
  if (req.mode === 'random' && !(Number.isInteger(req.trials) && req.trials >= 1 && req.trials <= MAX_TRIALS)) out.push(`trials must be an integer from 1 to ${MAX_TRIALS}, got ${req.trials}`);
  if (!(Number.isInteger(req.budget.n) && req.budget.n >= 1)) out.push(`the budget must be a positive whole number of ${req.budget.unit}, got ${req.budget.n}`);
  if (setup.valFraction === 0) out.push('trials are scored on the validation split: set the validation fraction above 0');
  if (keys.length && req.mode === 'grid') {
    try {
      const n = gridConfigs(req.space as SearchSpace).length;
      if (n > MAX_TRIALS) out.push(`the grid has ${n} combinations; at most ${MAX_TRIALS} (fewer grid points or values)`);
    } catch (e) {
      out.push((e as Error).message.replace(/^gridSearch: /, ''));
    }
  }
  for (const [k, spec] of Object.entries(req.space)) {
    for (const v of extremes(spec!)) {
      try {
        resolveOptions(sessionOptions(configToSetup(setup, { [k]: v })));
      } catch (e) {
        out.push(`${k} = ${String(v)}: ${(e as Error).message.replace(/^session: /, '')}`);
      }
    }
  }
  return out;
}
