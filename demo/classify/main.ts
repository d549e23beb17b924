// The classification playground page: controls, URL state, the decision-boundary map, hidden-unit thumbnails and the
// loss chart. The worker owns the GPU device, trains the network and evaluates it over the grid; this thread only draws.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { InitScheme } from '../../src/nn/init.js';
import { mountNav } from '../shared/nav.js';
import { applyHiddenControls, readUrlState, writeUrlState } from '../shared/url-state.js';
import { DATASETS, classesOf, generate, split, type DatasetId, type Points } from './datasets.js';
import { DATA_DEFAULTS } from './defaults.js';
import { CLASS_COLOURS, css, drawBoundary, drawPoints, drawUnit, EXTENT, toWorld } from './draw.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { ACTIVATIONS, gridPoints, INITS, NETWORK_DEFAULTS, OPTIMIZERS, SCHEDULES, type Evaluation, type NetworkSettings } from './settings.js';

mountNav('classify/');

/** Grid cells per side of the decision-boundary evaluation. */
const GRID = 40;
const grid = gridPoints(GRID, -EXTENT, EXTENT);

const DEFAULTS = {
  dataset: DATA_DEFAULTS.id as string, classes: DATA_DEFAULTS.classes, points: DATA_DEFAULTS.points, noise: DATA_DEFAULTS.noise,
  split: DATA_DEFAULTS.split, seed: DATA_DEFAULTS.seed, pts: [] as number[],
  depth: NETWORK_DEFAULTS.depth, width: NETWORK_DEFAULTS.width, activation: NETWORK_DEFAULTS.activation as string, init: NETWORK_DEFAULTS.init as string,
  dropout: NETWORK_DEFAULTS.dropout, bn: NETWORK_DEFAULTS.batchNorm, optimizer: NETWORK_DEFAULTS.optimizer as string, lr: NETWORK_DEFAULTS.lr,
  schedule: NETWORK_DEFAULTS.schedule as string, l2: NETWORK_DEFAULTS.l2, batch: NETWORK_DEFAULTS.batch, speed: 5,
};
type State = typeof DEFAULTS;
const state: State = readUrlState(DEFAULTS);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const map = $<HTMLCanvasElement>('map');
const ctx = map.getContext('2d')!;

// ---- data ----
let data: { train: Points; test: Points } = { train: { xy: new Float32Array(0), labels: new Int32Array(0) }, test: { xy: new Float32Array(0), labels: new Int32Array(0) } };
let classes = 2;
let pickedClass = 0;

function makeData(): void {
  const id = state.dataset as DatasetId;
  classes = classesOf({ id, classes: state.classes });
  let all: Points;
  if (id === 'custom') {
    const n = Math.floor(state.pts.length / 3);
    all = { xy: new Float32Array(2 * n), labels: new Int32Array(n) };
    for (let i = 0; i < n; i++) {
      all.xy[2 * i] = state.pts[3 * i]!;
      all.xy[2 * i + 1] = state.pts[3 * i + 1]!;
      all.labels[i] = Math.min(classes - 1, Math.max(0, Math.round(state.pts[3 * i + 2]!)));
    }
  } else {
    all = generate({ id, points: state.points, noise: state.noise, classes, seed: state.seed });
  }
  data = split(all, state.split, state.seed);
}

// ---- the network: frames from the worker ----
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let generation = 0;
let pending = false;
let playing = false;
let last: Evaluation | null = null;
let history: { step: number[]; train: number[]; test: number[] } = { step: [], train: [], test: [] };
let shownStep = 0;

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  pending = false;
  if (m.type === 'error') {
    setPlaying(false);
    showError(`Worker: ${m.message}`);
    return;
  }
  if (m.generation !== generation) return;
  last = m.evaluation;
  shownStep = m.step;
  history.step.push(m.step);
  history.train.push(m.evaluation.trainLoss);
  history.test.push(m.evaluation.testLoss);
  redraw();
};

function showError(message: string | null): void {
  $('error').hidden = message === null;
  $('error').textContent = message ?? '';
}

function settings(): NetworkSettings {
  return {
    depth: state.depth, width: state.width, activation: state.activation as NetworkSettings['activation'], init: state.init as InitScheme,
    dropout: state.dropout, batchNorm: state.bn, optimizer: state.optimizer as NetworkSettings['optimizer'], lr: state.lr,
    schedule: state.schedule as NetworkSettings['schedule'], l2: state.l2, batch: state.bn ? Math.max(2, state.batch) : state.batch, seed: state.seed,
  };
}

/** New data and a fresh network from the state (every control but speed restarts training). */
function restart(): void {
  writeUrlState(state, DEFAULTS);
  showError(null);
  makeData();
  last = null;
  history = { step: [], train: [], test: [] };
  shownStep = 0;
  buildUnits();
  buildChart();
  if (data.train.labels.length === 0) {
    setPlaying(false);
    $('status').textContent = 'Click on the map to add points (at least one to train on).';
    redraw();
    return;
  }
  pending = true;
  const msg: ToWorker = { type: 'configure', generation: ++generation, settings: settings(), classes, train: data.train, test: data.test, grid };
  worker.postMessage(msg);
  redraw();
}

function advance(steps: number): void {
  if (pending || data.train.labels.length === 0) return;
  pending = true;
  worker.postMessage({ type: 'advance', steps } satisfies ToWorker);
}

function setPlaying(on: boolean): void {
  playing = on;
  $('play').textContent = playing ? 'Pause' : 'Play';
}

function frame(): void {
  if (playing) advance(state.speed);
  requestAnimationFrame(frame);
}

// ---- drawing ----
let chart: uPlot | null = null;
let unitCanvases: CanvasRenderingContext2D[][] = [];

function buildChart(): void {
  chart?.destroy();
  chart = new uPlot({
    width: 480, height: 200,
    series: [{ label: 'step' }, { label: 'train loss', stroke: '#2f6fdb', width: 2, points: { show: false } }, { label: 'test loss', stroke: '#c0392b', width: 2, points: { show: false } }],
    scales: { x: { time: false } },
    axes: [{ label: 'step' }, { label: 'loss', size: 50 }],
  }, [[], [], []], $('chart'));
}

function buildUnits(): void {
  const box = $('units');
  box.replaceChildren();
  unitCanvases = [];
  if (state.depth === 0) box.textContent = 'No hidden layer: logistic regression.';
  for (let l = 0; l < state.depth; l++) {
    const layer = document.createElement('div');
    layer.className = 'layer';
    const title = document.createElement('div');
    title.className = 'layer-title';
    title.textContent = `layer ${l + 1}: ${state.width} × ${state.activation}`;
    const units = document.createElement('div');
    units.className = 'units';
    const row: CanvasRenderingContext2D[] = [];
    for (let u = 0; u < state.width; u++) {
      const c = document.createElement('canvas');
      c.width = c.height = GRID;
      c.title = `layer ${l + 1}, unit ${u + 1}`;
      units.append(c);
      row.push(c.getContext('2d')!);
    }
    layer.append(title, units);
    box.append(layer);
    unitCanvases.push(row);
  }
}

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '–');
const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

function redraw(): void {
  drawBoundary(ctx, GRID, last?.probs ?? null, classes);
  drawPoints(ctx, data.train, data.test);
  if (last) {
    last.hidden.forEach((values, l) => unitCanvases[l]?.forEach((c, u) => drawUnit(c, GRID, values, u, state.width)));
    $('status').textContent = `step ${shownStep} · train loss ${num(last.trainLoss)}, accuracy ${pct(last.trainAccuracy)} · test loss ${num(last.testLoss)}, accuracy ${pct(last.testAccuracy)}`;
    chart?.setData([history.step, history.train, history.test.map((v) => (Number.isFinite(v) ? v : null))] as uPlot.AlignedData);
  }
}

// ---- controls ----
function range(id: string, key: keyof State, opts: { log?: boolean; format?: (v: number) => string } = {}): void {
  const input = $<HTMLInputElement>(id), out = $(`${id}-out`);
  const format = opts.format ?? String;
  const get = () => state[key] as number;
  input.value = String(opts.log ? Math.log10(get()) : get());
  out.textContent = format(get());
  input.addEventListener('input', () => {
    const v = Number(input.value);
    (state[key] as number) = opts.log ? Number((10 ** v).toPrecision(2)) : v;
    out.textContent = format(get());
    if (key === 'speed') writeUrlState(state, DEFAULTS);
    else restart();
  });
}

function select(id: string, key: keyof State, options: readonly string[], labels: (o: string) => string = (o) => o): void {
  const el = $<HTMLSelectElement>(id);
  el.replaceChildren(...options.map((o) => new Option(labels(o), o, false, o === state[key])));
  el.addEventListener('change', () => {
    (state[key] as string) = el.value;
    if (key === 'dataset') updateDataControls();
    restart();
  });
}

function updateDataControls(): void {
  const info = DATASETS.find((d) => d.id === state.dataset)!;
  $('dataset-note').textContent = info.note;
  (document.querySelector('[data-control="classes"]') as HTMLElement).style.display = info.anyClasses ? '' : 'none';
  const custom = info.id === 'custom';
  for (const c of ['points', 'noise']) (document.querySelector(`[data-control="${c}"]`) as HTMLElement).style.display = custom ? 'none' : '';
  buildPicker();
}

function buildPicker(): void {
  const box = $('picker');
  box.replaceChildren();
  const k = classesOf({ id: state.dataset as DatasetId, classes: state.classes });
  pickedClass = Math.min(pickedClass, k - 1);
  for (let c = 0; c < k; c++) {
    const b = document.createElement('button');
    b.style.background = css(CLASS_COLOURS[c]!);
    b.title = `class ${c}`;
    b.dataset.class = String(c);
    b.setAttribute('aria-pressed', String(c === pickedClass));
    b.onclick = () => { pickedClass = c; buildPicker(); };
    box.append(b);
  }
}

function buildControls(): void {
  select('dataset', 'dataset', DATASETS.map((d) => d.id), (id) => DATASETS.find((d) => d.id === id)!.label);
  range('classes', 'classes');
  $('classes').addEventListener('input', buildPicker);
  range('points', 'points');
  range('noise', 'noise');
  range('split', 'split', { format: (v) => `${Math.round(v * 100)} %` });
  const seed = $<HTMLInputElement>('seed');
  seed.value = String(state.seed);
  seed.onchange = () => { state.seed = Math.max(0, Math.floor(Number(seed.value) || 0)); restart(); };
  range('depth', 'depth');
  range('width', 'width');
  select('activation', 'activation', ACTIVATIONS);
  select('init', 'init', INITS);
  range('dropout', 'dropout');
  const bn = $<HTMLInputElement>('batchnorm');
  bn.checked = state.bn;
  bn.onchange = () => { state.bn = bn.checked; restart(); };
  select('optimizer', 'optimizer', OPTIMIZERS);
  range('lr', 'lr', { log: true });
  select('schedule', 'schedule', SCHEDULES);
  // L2: a log slider for λ and a switch (λ = 0 when off).
  const l2 = $<HTMLInputElement>('l2'), l2On = $<HTMLInputElement>('l2-on'), l2Out = $('l2-out');
  let lastL2 = state.l2 > 0 ? state.l2 : 1e-3;
  const showL2 = () => { l2Out.textContent = state.l2 > 0 ? String(state.l2) : 'off'; l2.disabled = state.l2 === 0; };
  l2.value = String(Math.log10(lastL2));
  l2On.checked = state.l2 > 0;
  showL2();
  l2.oninput = () => { lastL2 = Number((10 ** Number(l2.value)).toPrecision(2)); state.l2 = lastL2; showL2(); restart(); };
  l2On.onchange = () => { state.l2 = l2On.checked ? lastL2 : 0; showL2(); restart(); };
  range('batch', 'batch');
  range('speed', 'speed');
  $('clear').onclick = () => { state.pts = []; restart(); };
  updateDataControls();
  applyHiddenControls();
}

// Click adds a point of the picked class to 'custom' data (switching to it, keeping the current points); shift-click removes the nearest.
map.addEventListener('click', (e) => {
  const rect = map.getBoundingClientRect();
  const [x, y] = toWorld(map.width, ((e.clientX - rect.left) / rect.width) * map.width, ((e.clientY - rect.top) / rect.height) * map.height);
  if (state.dataset !== 'custom') {
    const all = [data.train, data.test];
    state.pts = all.flatMap((p) => Array.from(p.labels, (c, i) => [round(p.xy[2 * i]!), round(p.xy[2 * i + 1]!), c])).flat();
    state.classes = classes;
    state.dataset = 'custom';
    $<HTMLSelectElement>('dataset').value = 'custom';
    $<HTMLInputElement>('classes').value = String(classes);
    $('classes-out').textContent = String(classes);
    updateDataControls();
  }
  if (e.shiftKey) {
    let best = -1, bestD = Infinity;
    for (let i = 0; i < state.pts.length / 3; i++) {
      const d = (state.pts[3 * i]! - x) ** 2 + (state.pts[3 * i + 1]! - y) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
    if (best >= 0) state.pts.splice(3 * best, 3);
  } else {
    state.pts.push(round(x), round(y), pickedClass);
  }
  restart();
});

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

$('play').onclick = () => setPlaying(!playing);
$('step').onclick = () => { setPlaying(false); advance(1); };
$('reset').onclick = () => { setPlaying(false); restart(); };

buildControls();
restart();
requestAnimationFrame(frame);
