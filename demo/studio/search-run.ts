// A search launched from the Studio, inside the worker: the library's randomSearch / gridSearch over the Studio's
// current data split and setup, each trial's model and optimizer built by the session module (app/session/) from the
// setup with the trial's values in place, so a trial is the run the Studio would make. Validations stream to the page
// as they come; pause holds the search between two validations, stop ends it there (every trial's memory freed).
import { fashionMNISTDataset, gridConfigs, randomConfigs, searchConfigs, type TrainingSearchOptions, type TrialConfig, type TrialResult } from '../../src/index.js';
import { buildModel } from '../../app/session/models.js';
import { buildOptimizer } from '../../app/session/optimizer.js';
import { resolveOptions } from '../../app/session/options.js';
import { splitData } from '../../app/session/trainer.js';
import type { StudioData } from './data.js';
import { POINTS_PER_TRIAL, configToSetup, type SearchProgress, type SearchRequest, type SearchRow } from './search-config.js';
import { sessionOptions, type StudioSetup } from './setup.js';

export class SearchStopped extends Error {
  constructor() { super('search stopped'); }
}

/** Pause, resume and stop of one search; `gate()` is awaited at every validation. */
export class SearchControl {
  private paused = false;
  private stopped = false;
  private resume: (() => void) | null = null;

  pause(): void { this.paused = true; }
  go(): void { this.paused = false; this.resume?.(); }
  stop(): void { this.stopped = true; this.resume?.(); }
  get isPaused(): boolean { return this.paused; }

  async gate(onPause: () => void): Promise<void> {
    if (this.stopped) throw new SearchStopped();
    if (this.paused) {
      onPause();
      await new Promise<void>((r) => { this.resume = r; });
      this.resume = null;
    }
    if (this.stopped) throw new SearchStopped();
  }
}

export const toRow = (r: TrialResult): SearchRow => ({ index: r.index, config: r.config, status: r.status, score: r.score, steps: r.steps, seconds: r.seconds });

/**
 * Runs the search; `onPoint` gets each validation, `onTable` the sorted table after each trial, `onPause` is called
 * when a pause takes hold. Rejects with SearchStopped when stopped.
 */
export async function runStudioSearch(req: SearchRequest, setup: StudioSetup, data: StudioData, control: SearchControl, events: {
  onPoint(p: SearchProgress): void; onTable(rows: SearchRow[]): void; onPause(): void;
}): Promise<SearchRow[]> {
  const base = resolveOptions(sessionOptions(setup));
  const { train, val } = splitData(fashionMNISTDataset(data.train), base);
  const optionsOf = (config: TrialConfig) => resolveOptions(sessionOptions(configToSetup(setup, config)));
  const stepsPerEpoch = (batchSize: number) => Math.ceil(train.length / batchSize);
  const totalSteps = req.budget.unit === 'steps' ? req.budget.n : req.budget.n * stepsPerEpoch(base.batchSize);
  // The configurations randomSearch / gridSearch would train, drawn here so each point can carry its trial's.
  const configs = searchConfigsOf(req, base.seed);
  const opts: Omit<TrainingSearchOptions, 'space'> = {
    data: train, validation: val!,
    metric: req.metric, seed: base.seed, batchSize: base.batchSize,
    ...(req.budget.unit === 'steps' ? { steps: req.budget.n } : { epochs: req.budget.n }),
    evalEvery: Math.max(1, Math.ceil(totalSteps / POINTS_PER_TRIAL)),
    keepWeights: 'none',
    // Several small trials at once (those sharing a rule train as one stacked model, one dispatch per layer for
    // all); the scheduler bounds this by the memory they take.
    concurrency: 4,
    model: (config) => buildModel(optionsOf(config)),
    // The session's optimizer and schedule, with the schedule spread over the trial's own budget.
    optimizer: (params, config, total) => {
      const o = optionsOf(config);
      const perEpoch = stepsPerEpoch(o.batchSize);
      return buildOptimizer(params, { ...o, epochs: Math.max(1, Math.ceil(total / perEpoch)) }, perEpoch);
    },
    onProgress: async ({ index, point }) => {
      events.onPoint({ index, config: configs[index]!, point });
      await control.gate(events.onPause);
    },
    onTrialEnd: (_r, table) => events.onTable(table.map(toRow)),
  };
  const result = await searchConfigs(configs, opts);
  return result.table.map(toRow);
}

/** The configurations of the request, in the order randomSearch (seeded like it) or gridSearch trains them. */
export function searchConfigsOf(req: SearchRequest, seed: number): TrialConfig[] {
  const space = req.space as TrainingSearchOptions['space'];
  return req.mode === 'grid' ? gridConfigs(space) : randomConfigs(space, req.trials, seed);
}
