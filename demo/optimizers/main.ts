// The optimizer playground page: controls, URL state, the map and the f-against-step chart. The worker owns the GPU
// device and advances every enabled optimizer in one compiled step per frame; this thread only draws.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { mountNav } from '../shared/nav.js';
import { applyHiddenControls, readUrlState, writeUrlState, type UrlState } from '../shared/url-state.js';
import { contourImage, drawMap, toWorld, type MapView } from './contour.js';
import { evaluate, parseExpression, type Expr } from './expression.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { RACERS, type RacerId, type RacerSettings } from './racers.js';
import { defaultSettings, surface, SURFACE_IDS, SURFACES, type SurfaceId } from './surfaces.js';

mountNav('optimizers/');

/** Paths stop growing here (the race is paused). */
const MAX_STEPS = 3000;

type State = UrlState & { surface: string; expr: string; x0: number; y0: number; noise: number; seed: number; speed: number };

function defaultsFor(id: SurfaceId): State {
  const s = surface(id);
  const state: State = { surface: id, expr: surface('custom').expression, x0: s.start[0], y0: s.start[1], noise: 0, seed: 1, speed: 5 };
  for (const r of RACERS) {
    const d = defaultSettings(id, r.id);
    Object.assign(state, { [r.id]: d.on, [`${r.id}_lr`]: d.lr, [`${r.id}_beta`]: d.beta, [`${r.id}_wd`]: d.wd });
  }
  return state;
}

const requested = new URLSearchParams(location.search).get('surface');
let defaults = defaultsFor(SURFACE_IDS.includes(requested as SurfaceId) ? (requested as SurfaceId) : 'rosenbrock');
let state = readUrlState(defaults);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('map');
const ctx = canvas.getContext('2d')!;
const errorBanner = $('error');

/** The URL records every value that differs from the current surface's defaults, and the surface itself unless Rosenbrock. */
function urlDefaults(): State {
  return { ...defaults, surface: 'rosenbrock' };
}

function settingsOf(id: RacerId): RacerSettings {
  return { on: state[id] as boolean, lr: state[`${id}_lr`] as number, beta: state[`${id}_beta`] as number, wd: state[`${id}_wd`] as number };
}

// ---- the race: positions from the worker ----
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
let racing: RacerId[] = [];
let paths: [number, number][][] = [];
let playing = false;
let pending = false;
let generation = 0;
let expr: Expr | null = null;
let view: MapView;
let image: ImageData | null = null;

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  if (m.type === 'error') {
    pending = false;
    playing = false;
    showError(`Worker: ${m.message}`);
  } else if (m.type === 'positions') {
    pending = false;
    if (m.generation !== generation) return;
    for (const row of m.rows) racing.forEach((_, r) => paths[r]!.push([row[2 * r]!, row[2 * r + 1]!]));
    if (paths[0]!.length >= MAX_STEPS) setPlaying(false);
    redraw();
  }
};

function showError(message: string | null): void {
  errorBanner.hidden = message === null;
  errorBanner.textContent = message ?? '';
}

/** Rebuilds the race from the state (any change of settings restarts it from the start point). */
function restart(): void {
  writeUrlState(state, urlDefaults());
  const id = state.surface as SurfaceId;
  const text = id === 'custom' ? state.expr : surface(id).expression;
  const exprError = $('expr-error');
  try {
    expr = parseExpression(text);
    exprError.hidden = true;
  } catch (err) {
    exprError.hidden = false;
    exprError.textContent = (err as Error).message;
    setPlaying(false);
    return;
  }
  const s = surface(id);
  view = { domain: s.domain, width: canvas.width, height: canvas.height };
  const contour = contourImage(expr, view, s.logScale);
  image = contour.image;
  logAxis = contour.min >= 0;
  mapRange = [contour.min, contour.max];
  racing = RACERS.filter((r) => settingsOf(r.id).on).map((r) => r.id);
  paths = racing.map(() => []);
  const racers = racing.map((rid) => ({ name: RACERS.find((r) => r.id === rid)!.label, config: RACERS.find((r) => r.id === rid)!.config(settingsOf(rid)) }));
  if (racers.length > 0) {
    const msg: ToWorker = { type: 'configure', generation: ++generation, expression: text, start: [state.x0, state.y0], racers, noise: state.noise, seed: state.seed };
    worker.postMessage(msg);
  }
  buildChart();
  redraw();
}

function advance(steps: number): void {
  if (pending || racing.length === 0 || !expr) return;
  pending = true;
  worker.postMessage({ type: 'advance', steps } satisfies ToWorker);
}

function setPlaying(on: boolean): void {
  playing = on && racing.length > 0;
  $('play').textContent = playing ? 'Pause' : 'Play';
}

function frame(): void {
  if (playing) advance(state.speed);
  requestAnimationFrame(frame);
}

// ---- drawing ----
let chart: uPlot | null = null;
let logAxis = true;
/** f's range over the map: a linear axis shows that much (a racer leaving the map runs off the chart, not the scale). */
let mapRange: [number, number] = [0, 1];

function buildChart(): void {
  chart?.destroy();
  const series: uPlot.Series[] = [{ label: 'step' }, ...racing.map((id) => {
    const r = RACERS.find((q) => q.id === id)!;
    return { label: r.label, stroke: r.colour, width: 2, points: { show: false } };
  })];
  chart = new uPlot({
    width: 560, height: 220, series,
    scales: { x: { time: false }, y: logAxis ? { distr: 3 } : { auto: false, range: mapRange } },
    axes: [{ label: 'step' }, { label: logAxis ? 'f (log)' : 'f', size: 60 }],
    legend: { show: true, live: false },
  }, [[]], $('chart'));
  $('axis-note').textContent = logAxis ? '(log axis)' : '(linear axis: f takes negative values here)';
}

function redraw(): void {
  if (!image || !expr) return;
  drawMap(ctx, view, image, racing.map((id, r) => ({ colour: RACERS.find((q) => q.id === id)!.colour, points: paths[r]! })), [state.x0, state.y0]);
  const n = paths[0]?.length ?? 0;
  $('status').textContent = `step ${n}`;
  const fs = paths.map((p) => p.map(([x, y]) => evaluate(expr!, x, y)));
  racing.forEach((id, r) => {
    const f = fs[r]![n - 1];
    const out = document.querySelector<HTMLElement>(`[data-value="${id}"]`);
    if (!out) return;
    const diverged = n > 0 && !(Number.isFinite(f) && Math.abs(f!) < 1e12);
    out.textContent = n === 0 ? '' : diverged ? 'diverged' : `f = ${f!.toPrecision(4)}`;
    out.classList.toggle('diverged', diverged);
  });
  for (const r of RACERS) if (!racing.includes(r.id)) { const o = document.querySelector(`[data-value="${r.id}"]`); if (o) o.textContent = 'off'; }
  if (chart) {
    const clamp = (f: number) => (Number.isFinite(f) && Math.abs(f) < 1e12 ? (logAxis ? Math.max(f, 1e-12) : f) : null);
    chart.setData([Array.from({ length: n }, (_, i) => i), ...fs.map((col) => col.map(clamp))] as uPlot.AlignedData);
  }
}

// ---- controls ----
function slider(input: HTMLInputElement, output: HTMLElement, get: () => number, set: (v: number) => void, log = false, format = (v: number) => String(v)): void {
  const show = () => { output.textContent = format(get()); };
  input.value = String(log ? Math.log10(get()) : get());
  show();
  input.addEventListener('input', () => {
    const v = Number(input.value);
    set(log ? Number((10 ** v).toPrecision(2)) : v);
    show();
    restart();
  });
}

function buildControls(): void {
  const select = $<HTMLSelectElement>('surface');
  select.replaceChildren(...SURFACES.map((s) => new Option(s.label, s.id, false, s.id === state.surface)));
  select.onchange = () => {
    const keep = { noise: state.noise, seed: state.seed, speed: state.speed, expr: state.expr };
    defaults = defaultsFor(select.value as SurfaceId);
    state = { ...defaults, ...keep };
    buildControls();
    restart();
  };
  const custom = state.surface === 'custom';
  $('expr-row').hidden = !custom;
  if (!custom) $('expr-error').hidden = true;
  const exprInput = $<HTMLInputElement>('expr');
  exprInput.value = state.expr;
  exprInput.onchange = () => { state.expr = exprInput.value; restart(); };
  $('surface-note').textContent = surface(state.surface as SurfaceId).note;
  $('start-text').textContent = `${state.x0.toFixed(2)}, ${state.y0.toFixed(2)}`;
  slider($<HTMLInputElement>('noise'), $('noise-out'), () => state.noise, (v) => { state.noise = v; });
  const seed = $<HTMLInputElement>('seed');
  seed.value = String(state.seed);
  seed.onchange = () => { state.seed = Math.max(0, Math.floor(Number(seed.value) || 0)); restart(); };
  const speed = $<HTMLInputElement>('speed');
  speed.value = String(state.speed);
  $('speed-out').textContent = String(state.speed);
  speed.oninput = () => { state.speed = Number(speed.value); $('speed-out').textContent = speed.value; writeUrlState(state, urlDefaults()); };

  const box = $('racers');
  box.replaceChildren();
  for (const r of RACERS) {
    const row = document.createElement('div');
    row.className = 'racer';
    row.dataset.control = `racer-${r.id}`;
    const head = document.createElement('div');
    head.className = 'racer-head';
    const on = document.createElement('input');
    on.type = 'checkbox';
    on.checked = state[r.id] as boolean;
    on.id = `on-${r.id}`;
    on.onchange = () => { state[r.id] = on.checked; restart(); };
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = r.colour;
    const name = document.createElement('label');
    name.htmlFor = on.id;
    name.textContent = r.label;
    const value = document.createElement('span');
    value.className = 'value muted';
    value.dataset.value = r.id;
    head.append(on, swatch, name, value);
    row.append(head);
    for (const s of r.sliders) {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'range';
      input.min = String(s.min);
      input.max = String(s.max);
      input.step = s.log ? '0.05' : '0.01';
      input.dataset.slider = `${r.id}_${s.key}`;
      const out = document.createElement('output');
      label.append(`${s.label} `, input, ' ', out);
      row.append(label);
      const key = `${r.id}_${s.key}`;
      slider(input, out, () => state[key] as number, (v) => { state[key] = v; }, s.log);
    }
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = r.note;
    row.append(note);
    box.append(row);
  }
  applyHiddenControls();
}

// Drag (or click) the start point.
let dragging = false;
function moveStart(e: PointerEvent): void {
  const rect = canvas.getBoundingClientRect();
  const [x, y] = toWorld(view, ((e.clientX - rect.left) / rect.width) * canvas.width, ((e.clientY - rect.top) / rect.height) * canvas.height);
  state.x0 = Number(x.toFixed(3));
  state.y0 = Number(y.toFixed(3));
  $('start-text').textContent = `${state.x0.toFixed(2)}, ${state.y0.toFixed(2)}`;
  restart();
}
canvas.addEventListener('pointerdown', (e) => { dragging = true; canvas.setPointerCapture(e.pointerId); moveStart(e); });
canvas.addEventListener('pointermove', (e) => { if (dragging) moveStart(e); });
canvas.addEventListener('pointerup', () => { dragging = false; });

$('play').onclick = () => setPlaying(!playing);
$('step').onclick = () => { setPlaying(false); advance(1); };
$('reset').onclick = () => { setPlaying(false); restart(); };

buildControls();
restart();
requestAnimationFrame(frame);
