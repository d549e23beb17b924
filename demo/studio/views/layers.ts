// Per-layer activations (mean, std, histogram; collapse to 0 and saturation flagged: the lecture's initialization
// diagnosis) and per-parameter gradient norm and update/weight ratio (the lecture's ~1e-3 rule of thumb).
import { queueDraw } from '../../shared/frame-queue.js';
import type { LayerView, ParamView } from '../protocol.js';
import { takeCanvas, warmCanvases } from './canvas-pool.js';

const HIST_WIDTH = 160, HIST_HEIGHT = 38;

/** Prepares histogram canvases for a model of about `layers` layers while the page is idle (canvas-pool.ts). */
export function prepareLayers(layers: number): void {
  warmCanvases(layers, HIST_WIDTH, HIST_HEIGHT);
}

const fmt = (x: number) => (!Number.isFinite(x) ? '–' : x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(3));

/** The library's diagnosis of a layer (diagnoseLayer: the lecture's initialization diagnosis), with the numbers behind it. */
export function layerFlag(l: LayerView): string | null {
  if (l.problems.length === 0) return null;
  return l.problems.map((p) => {
    switch (p) {
      case 'collapsed': return `collapsed to a constant (std ${fmt(l.std)})`;
      case 'saturated': return `saturated (${Math.round(100 * (/Sigmoid/.test(l.label) ? l.saturated + l.nearZero : l.saturated))} % at the ends)`;
      case 'dead': return `${Math.round(100 * l.zeros)} % dead (zero)`;
      default: return 'NaN/∞ values';
    }
  }).join('; ');
}

/** Update/weight ratio far from ~1e-3: the lecture's sign of a learning rate too high (> 1e-2) or too low (< 1e-4). */
export function ratioFlag(p: ParamView): string | null {
  if (!Number.isFinite(p.updateRatio)) return null;
  if (p.updateRatio > 1e-2) return 'lr too high?';
  if (p.updateRatio < 1e-5) return 'lr too low?';
  return null;
}

function histogram(canvas: HTMLCanvasElement, l: LayerView, flagged: boolean): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const counts = l.histogram.counts, top = Math.max(...counts, 1);
  const w = width / counts.length;
  ctx.fillStyle = flagged ? '#c0392b' : '#2f6fdb';
  counts.forEach((c, i) => {
    const h = Math.max(c > 0 ? 1 : 0, (c / top) * (height - 12));
    ctx.fillRect(i * w + 0.5, height - 10 - h, Math.max(1, w - 1), h);
  });
  ctx.fillStyle = '#666';
  ctx.font = '9px system-ui';
  ctx.fillText(fmt(l.histogram.min), 1, height - 1);
  const maxText = fmt(l.histogram.max);
  ctx.fillText(maxText, width - ctx.measureText(maxText).width - 1, height - 1);
}

/** The tables drawn last, reused while the model's layers and parameters stay the same (no DOM rebuilt per redraw). */
const built = new WeakMap<HTMLElement, { key: string; layerRows: HTMLTableRowElement[]; paramRows: HTMLTableRowElement[]; note: HTMLElement }>();

function row(cells: number): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (let i = 0; i < cells; i++) tr.append(document.createElement('td'));
  return tr;
}

function build(root: HTMLElement, key: string, layers: LayerView[], params: ParamView[]) {
  const table = document.createElement('table');
  table.className = 'layers';
  table.innerHTML = '<thead><tr><th>layer (output)</th><th>mean</th><th>std</th><th>zero</th><th>histogram</th><th></th></tr></thead>';
  const body = table.createTBody();
  const layerRows = layers.map(() => {
    const tr = row(6);
    const c = takeCanvas(HIST_WIDTH, HIST_HEIGHT);
    c.className = 'hist';
    tr.children[4]!.append(c);
    body.append(tr);
    return tr;
  });
  const ptable = document.createElement('table');
  ptable.className = 'params';
  ptable.innerHTML = '<thead><tr><th>parameter</th><th>values</th><th>‖grad‖</th><th>‖w‖</th><th>‖Δw‖/‖w‖</th><th></th></tr></thead>';
  const pbody = ptable.createTBody();
  const paramRows = params.map(() => {
    const tr = row(6);
    pbody.append(tr);
    return tr;
  });
  const note = document.createElement('p');
  note.className = 'muted';
  root.replaceChildren(table, ptable, note);
  const b = { key, layerRows, paramRows, note };
  built.set(root, b);
  return b;
}

function fill(tr: HTMLTableRowElement, texts: string[], flag: string | null, okText: string): void {
  texts.forEach((t, i) => { if (tr.children[i]!.textContent !== t) tr.children[i]!.textContent = t; });
  const last = tr.children[5] as HTMLElement;
  last.className = flag ? 'fail' : 'muted';
  last.textContent = flag ?? okText;
}

export function drawLayers(root: HTMLElement, step: number, layers: LayerView[], params: ParamView[]): void {
  const key = layers.map((l) => l.label).join('|') + '#' + params.map((p) => p.name).join('|');
  const b = built.get(root)?.key === key ? built.get(root)! : build(root, key, layers, params);
  layers.forEach((l, i) => {
    const tr = b.layerRows[i]!, flag = layerFlag(l);
    fill(tr, [l.label, fmt(l.mean), fmt(l.std), `${(100 * l.zeros).toFixed(0)} %`], flag, 'ok');
    // Each histogram is its own queued draw: a new table's canvases cost a few ms each at their first draw (their
    // contexts are made then), so a deep model's first statistics would otherwise make one long task.
    const canvas = tr.querySelector('canvas')!;
    queueDraw(canvas, () => histogram(canvas, l, flag !== null), 'layer histogram');
  });
  params.forEach((p, i) => {
    const flag = ratioFlag(p);
    fill(b.paramRows[i]!, [p.name, p.count.toLocaleString('en'), fmt(p.gradNorm), fmt(p.weightNorm), fmt(p.updateRatio)], flag, Number.isFinite(p.updateRatio) ? 'ok' : '');
  });
  b.note.textContent = `training step ${step} (its batch, training mode; computed inside the compiled step); ‖Δw‖/‖w‖ is that step's update (about 1e-3 is healthy)`;
}
