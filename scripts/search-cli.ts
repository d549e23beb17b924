// `npm run search`: hyperparameter search on Fashion-MNIST in Node (dawn.node), bundled and started by
// scripts/search.mjs with the repository root as its first argument.
import path from 'node:path';
import { create, globals } from 'webgpu';
import { getRuntime, init } from '../src/device.js';
import { fashionMNISTDataset, loadFashionMNIST } from '../src/data/fashion-mnist.js';
import { formatDuration } from '../src/report/progress.js';
import { formatSearchTable, formatTrialRow } from '../src/search/format.js';
import { gridSearch, randomSearch, type TrainingSearchOptions } from '../src/search/search.js';
import { formatConfig } from '../src/search/space.js';
import { reportDir } from './train-main.js';
import { HELP, parseSearchCli, UsageError, type SearchCli } from './search-options.js';
import { searchModel } from './search-models.js';
import { writeSearchReport } from './search-report.js';

// The library reads GPUBufferUsage & co. as globals, as in a browser; module scope keeps the GPU object alive.
Object.assign(globalThis, globals);
const gpu = create([]) as GPU;

async function main(root: string, argv: string[]): Promise<number> {
  let cli: SearchCli | 'help';
  try {
    cli = parseSearchCli(argv, root);
  } catch (e) {
    if (!(e instanceof UsageError) && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') !== true) throw e;
    console.error(`search: ${(e as Error).message}\n(npm run search -- --help lists the flags)`);
    return 2;
  }
  if (cli === 'help') {
    console.log(HELP);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const data = await loadFashionMNIST({ subset: cli.subset, dir: cli.dataDir });
  await init({ gpu });
  const rt = getRuntime();
  const adapter = [rt.adapter.vendor, rt.adapter.architecture, rt.adapter.description].filter(Boolean).join(' ');
  const c = cli;
  const budget = c.steps !== undefined ? `${c.steps} steps` : `${c.epochs} epoch(s)`;
  console.log(`search: ${c.search} search of ${c.model} over ${c.spaceText}${c.search === 'random' ? `, ${c.trials} trials` : ''}, ${budget} each, ` +
    `${c.folds ? `${c.folds}-fold CV` : `${Math.round(100 * c.valFraction)} % holdout`} of ${data.train.n} images, up to ${c.concurrency} at once on ${adapter || 'WebGPU'}`);
  console.log(formatSearchTable([], c.metric));
  const opts: TrainingSearchOptions = {
    space: c.space, model: (config) => searchModel(c.model, config), data: fashionMNISTDataset(data.train),
    folds: c.folds, valFraction: c.folds ? undefined : c.valFraction, epochs: c.epochs, steps: c.steps, evalEvery: c.evalEvery, batchSize: c.batchSize,
    metric: c.metric, earlyStopping: c.patience ? { patience: c.patience } : undefined, concurrency: c.concurrency, memoryBudget: c.memoryBudget, stack: c.stack, seed: c.seed,
    // The table as it fills: each finished trial with its rank so far.
    onTrialEnd: (t, table) => console.log(formatTrialRow(t, table.indexOf(t) + 1, c.metric)),
    onProgress: ({ index, fold, point }) => process.stderr.write(`  #${index}${c.folds ? ` fold ${fold}` : ''} step ${point.step}: train loss ${point.trainLoss.toFixed(4)}, val ${c.metric === 'valAcc' ? `${(100 * point.valAcc).toFixed(2)} %` : point.valLoss.toFixed(4)}\n`),
  };
  const result = c.search === 'grid' ? await gridSearch(opts) : await randomSearch({ ...opts, trials: c.trials });
  console.log(`\nAll trials, best first (${formatDuration(result.seconds)}; ${result.memory.concurrency} at once${result.memory.stacks ? `, ${result.memory.stackedRuns} in ${result.memory.stacks} stack(s)` : ''}, ${(result.memory.perTrialBytes / 2 ** 20).toFixed(2)} MiB each):`);
  console.log(formatSearchTable(result.table, result.metric));
  if (result.best) console.log(`\nbest: ${formatConfig(result.best.config)}  (${c.metric} ${c.metric === 'valAcc' ? `${(100 * result.best.score).toFixed(2)} %` : result.best.score.toFixed(4)})`);
  else console.log('\nevery trial diverged');
  const out = reportDir(c.out, root);
  const { space, ...rest } = c;
  writeSearchReport(out, {
    command: ['npm run search --', ...argv].join(' ').replace(/ --$/, ''), startedAt, adapter, cli: { ...rest, space }, trainSamples: data.train.n,
    result: { ...result, table: result.table.map(({ weights: _w, ...t }) => t) },
  }, result);
  console.log(`report: ${path.relative(process.cwd(), path.join(out, 'report.md')) || out}`);
  return 0;
}

const [root, ...argv] = process.argv.slice(2);
main(root!, argv).then((code) => process.exit(code), (e) => {
  console.error(`search: failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
