// The Studio's worker: owns the WebGPU device, the data, the run and its training loop. The page sends typed
// messages (protocol.ts) and draws what comes back; nothing here touches the DOM.
import { init, loadModel, loadOptimizerState } from '../../src/index.js';
import { loadSource, loadUserFiles, type StudioData } from './data.js';
import { filterView, galleryView, statsView, summaryView } from './inspect.js';
import type { FromWorker, SanityResult, ToWorker, ViewName } from './protocol.js';
import { runSanityChecks } from './sanity.js';
import { filterGrid } from './filter-grid.js';
import { searchProblems } from './search-config.js';
import { SearchControl, SearchStopped, runStudioSearch, searchConfigsOf } from './search-run.js';
import { setupProblems, type StudioSetup } from './setup.js';
import { StudioRun } from './trainer.js';

/** Steps run between two looks at the page's messages and views. */
const CHUNK = 4;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

let servedUrl = '';
let setup: StudioSetup | null = null;
let data: StudioData | null = null;
let userFiles = false;
let run: StudioRun | null = null;
let state: 'paused' | 'running' | 'done' = 'paused';
let ready: Promise<void> | null = null;
/** Views the page asked for, served between steps. */
const wanted = new Set<ViewName>();

let busy: Promise<void> = Promise.resolve();
/** The search holding the device, if any: training cannot start or step until it ends. */
let search: SearchControl | null = null;
const SEARCH_HOLDS_DEVICE = 'A hyperparameter search is using the GPU: stop it (or let it finish) before training.';

/** Work asked for while the loop runs (downloads, sanity checks): done between two chunks of steps. */
const tasks: (() => Promise<void>)[] = [];

function status(): void {
  if (!run) return;
  post({ type: 'status', state: run.done ? 'done' : state, step: run.steps, epoch: run.epoch, epochs: run.epochs, batchesPerEpoch: run.batchesPerEpoch, plans: run.trainer.step.plans });
}

async function startDevice(): Promise<void> {
  if (!('gpu' in navigator) || !navigator.gpu) throw new Error('no-webgpu');
  const rt = await init();
  post({ type: 'ready', adapter: [rt.adapter.vendor, rt.adapter.architecture, rt.adapter.description].filter(Boolean).join(' ') || 'WebGPU adapter' });
}

async function ensureData(s: StudioSetup, force = false): Promise<StudioData> {
  if (data && !force && (userFiles || setup?.data === s.data)) return data;
  data = await loadSource(s.data, servedUrl);
  userFiles = false;
  return data;
}

function newRun(s: StudioSetup, d: StudioData): void {
  run?.dispose();
  run = null;
  run = new StudioRun(s, d);
  state = 'paused';
  post({ type: 'data', info: { source: d.source, train: run.train.length, val: run.trainer.val?.length ?? 0, test: run.test.length, classes: d.classes } });
  status();
}

async function applySetup(next: StudioSetup): Promise<void> {
  const problems = setupProblems(next);
  if (problems.length) {
    post({ type: 'error', where: 'setup', message: problems.join('; ') });
    return;
  }
  if (run && applyToRun(run, next)) {
    setup = next;
    status();
    return;
  }
  const d = await ensureData(next, !setup || next.data !== setup.data);
  setup = next;
  newRun(next, d);
}

/** Applies a setup to the run when it can take it (live values, a batch size); false when it needs a new run. */
function applyToRun(r: StudioRun, next: StudioSetup): boolean {
  const from = r.trainer.options.batchSize;
  if (!r.apply(next)) return false;
  if (r.trainer.options.batchSize !== from) post({ type: 'replanned', step: r.steps, from, to: r.trainer.options.batchSize });
  return true;
}

/** While training, views may take at most this share of the worker's time (a large model's gallery is a real forward pass). */
const VIEW_SHARE = 0.25;
let viewsDoneAt = 0, viewsCost = 0;

/** Serves the views the page asked for (each a few readbacks); while training, only within their share of the time. */
async function serveViews(): Promise<void> {
  if (!run || wanted.size === 0) return;
  const start = performance.now();
  if (state === 'running' && start - viewsDoneAt < viewsCost * (1 / VIEW_SHARE - 1)) return;
  const r = run;
  for (const view of [...wanted]) {
    wanted.delete(view);
    if (view === 'layers') {
      const v = await statsView(r);
      if (v) post({ type: 'layers', ...v });
    } else if (view === 'filters') {
      const f = await filterView(r);
      if (f) {
        const { data: _, ...meta } = f;
        const image = await createImageBitmap(filterGrid(f));
        post({ type: 'filters', step: r.steps, filters: { ...meta, image } }, [image]);
      }
    } else if (view === 'gallery') {
      const g = await galleryView(r);
      post({ type: 'gallery', step: r.steps, ...g, source: r.test === r.val ? 'validation' : 'test' });
    } else if (view === 'summary') {
      post({ type: 'summary', summary: summaryView(r) });
    }
  }
  viewsDoneAt = performance.now();
  viewsCost = viewsDoneAt - start;
}

/** Runs up to `n` steps and posts their losses, and the epoch's metrics when one ends. */
async function advance(n: number): Promise<void> {
  const r = run!;
  // The layer view's statistics come from one replay of the step: the chunk's first, the single Step (exactly
  // when one looks at them), and the run's last step, so a finished run shows its final state.
  const left = r.trainer.stepsLeft;
  let epoch = null;
  if (left > 1 && left <= n) {
    epoch = await r.advance(left - 1);
    n = 1;
  }
  if (!epoch && !r.done) {
    if (wanted.has('layers') || n === 1 || left <= 1) r.trainer.requestStats();
    epoch = await r.advance(n);
  }
  const points = await r.takePoints();
  if (points.length) post({ type: 'points', points });
  if (epoch) {
    post({ type: 'epoch', point: epoch });
    status();
  }
}

async function loop(): Promise<void> {
  while (state === 'running' && run && !run.done) {
    await advance(CHUNK);
    await serveViews();
    while (tasks.length) await tasks.shift()!();
  }
  if (run?.done) state = 'done';
  status();
}

/** Runs `f` between two chunks of steps when training, else after whatever the worker is doing. */
function whenIdle(f: () => Promise<void>): void {
  if (state === 'running') tasks.push(() => f().catch((e) => post({ type: 'error', where: 'training', message: message(e) })));
  else serial(f);
}

/** Runs `f` after whatever the worker is doing (messages that touch the run are handled one at a time). */
function serial(f: () => Promise<void>): void {
  busy = busy.then(f).catch((e) => {
    state = 'paused';
    post({ type: 'error', where: 'training', message: message(e) });
    status();
  });
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'setup') {
    if (m.servedUrl) servedUrl = m.servedUrl;
    ready ??= startDevice().catch((err) => {
      const text = message(err) === 'no-webgpu'
        ? 'This browser gives the page no WebGPU (navigator.gpu is missing in the worker).'
        : `WebGPU could not start: ${message(err)}`;
      post({ type: 'error', where: 'webgpu', message: text });
      throw err;
    });
    // A change the run takes as it goes (hyperparameters, batch size, dropout) applies between two steps, even while
    // training; one that needs a new run stops the loop first.
    if (run && setup && setupProblems(m.setup).length === 0 && applyToRun(run, m.setup)) {
      setup = m.setup;
      status();
      return;
    }
    state = 'paused';
    busy = busy.then(() => ready!).then(() => applySetup(m.setup)).catch((err) => {
      if (message(err) !== 'no-webgpu' && !String(err).includes('WebGPU')) post({ type: 'error', where: 'data', message: message(err) });
    });
    return;
  }
  switch (m.type) {
    case 'play':
      if (search) { post({ type: 'error', where: 'search', message: SEARCH_HOLDS_DEVICE }); return; }
      if (!run || state === 'running' || run.done) return;
      state = 'running';
      run.resumeClock();
      status();
      // Not serialized: the loop yields at every readback, so pause and views get through while it runs.
      busy = busy.then(() => loop());
      return;
    case 'pause':
      state = 'paused';
      return;
    case 'step':
      if (search) { post({ type: 'error', where: 'search', message: SEARCH_HOLDS_DEVICE }); return; }
      if (!run || state === 'running') return;
      serial(async () => {
        await advance(1);
        await serveViews();
        status();
      });
      return;
    case 'reset':
      state = 'paused';
      serial(async () => {
        if (setup && data) newRun(setup, data);
      });
      return;
    case 'view':
      wanted.add(m.view);
      if (state !== 'running') serial(serveViews);
      return;
    case 'files':
      state = 'paused';
      serial(async () => {
        try {
          data = await loadUserFiles(m.files);
          userFiles = true;
        } catch (err) {
          post({ type: 'error', where: 'data', message: message(err) });
          return;
        }
        if (setup) newRun(setup, data);
      });
      return;
    case 'sanity':
      whenIdle(async () => {
        if (!setup || !run) return;
        const results: SanityResult[] = [];
        post({ type: 'sanity', results, running: true });
        await runSanityChecks(setup, run.train, run.batchesPerEpoch, (r) => {
          results.push(r);
          post({ type: 'sanity', results, running: true });
        });
        post({ type: 'sanity', results, running: false });
      });
      return;
    case 'download':
      whenIdle(async () => {
        if (!run) return;
        const bytes = await run.trainer.checkpoint({ setup: JSON.stringify(setup), step: String(run.steps), epoch: String(run.epoch) });
        const blob = new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
        post({ type: 'weights', blob, name: `wgsl-nn-${run.built.model}-step${run.steps}.safetensors` });
      });
      return;
    case 'search':
      startSearch(m.request);
      return;
    case 'search-pause':
      search?.pause();
      return;
    case 'search-resume':
      if (search?.isPaused) {
        search.go();
        post({ type: 'search-state', state: 'running', trials: searchTrials, finished: searchFinished });
      }
      return;
    case 'search-stop':
      search?.stop();
      return;
    case 'load':
      state = 'paused';
      serial(async () => {
        if (!run) return;
        try {
          const loaded = loadModel(run.model, m.bytes, { name: m.name });
          let optimizerNote = '';
          if (loaded.optimizerState.size) {
            try {
              loadOptimizerState(run.trainer.optimizer, loaded.optimizerState);
              optimizerNote = ' and its optimizer state';
            } catch (err) {
              optimizerNote = ` (its optimizer state was not loaded: ${message(err)})`;
            }
          }
          post({ type: 'loaded', name: m.name, message: `Loaded ${m.name} into the ${run.built.model} model${optimizerNote}.` });
          for (const v of ['layers', 'filters', 'gallery'] as const) wanted.add(v);
          await serveViews();
        } catch (err) {
          post({ type: 'error', where: 'load', message: `${m.name} does not fit the chosen ${run.built.model} model: ${message(err)}` });
        }
      });
      return;
  }
};

let searchTrials = 0, searchFinished = 0;

/** Starts a search after the training loop has paused (one of them holds the device at a time). */
function startSearch(request: Extract<ToWorker, { type: 'search' }>['request']): void {
  if (search) { post({ type: 'error', where: 'search', message: 'A search is already running: stop it first.' }); return; }
  if (!setup || !data) { post({ type: 'error', where: 'search', message: 'The data is not loaded yet: wait for the Studio to be ready.' }); return; }
  const problems = searchProblems(request, setup);
  if (problems.length) { post({ type: 'error', where: 'search', message: `The search cannot start: ${problems.join('; ')}.` }); return; }
  const wasTraining = state === 'running';
  state = 'paused';
  const control = (search = new SearchControl());
  const s = setup, d = data;
  const configs = searchConfigsOf(request, s.seed);
  searchTrials = configs.length;
  searchFinished = 0;
  post({ type: 'search-state', state: 'running', trials: searchTrials, finished: 0, message: wasTraining ? 'training paused: the search uses the GPU' : undefined });
  busy = busy.then(async () => {
    status();
    try {
      const rows = await runStudioSearch(request, s, d, control, {
        onPoint: (progress) => post({ type: 'search-point', progress }),
        onTable: (table) => { searchFinished = table.length; post({ type: 'search-table', rows: table }); },
        onPause: () => post({ type: 'search-state', state: 'paused', trials: searchTrials, finished: searchFinished }),
      });
      post({ type: 'search-state', state: 'done', trials: searchTrials, finished: rows.length });
    } catch (err) {
      if (err instanceof SearchStopped) post({ type: 'search-state', state: 'stopped', trials: searchTrials, finished: searchFinished });
      else {
        post({ type: 'search-state', state: 'failed', trials: searchTrials, finished: searchFinished, message: message(err) });
        post({ type: 'error', where: 'search', message: `The search failed: ${message(err)}` });
      }
    } finally {
      search = null;
    }
  });
}
