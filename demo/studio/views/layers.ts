// Per-layer activations (mean, std, histogram; collapse to 0 and saturation flagged: the lecture's initialization
// diagnosis) and per-parameter gradient norm and update/weight ratio (the lecture's ~1e-3 rule of thumb).
import type { LayerView, ParamView } from '../protocol.js';

const fmt = (x: number) => (!Number.isFinite(x) ? '–' : x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toFixed(3));

/** What is wrong with a layer's outputs, if anything (the lecture's initialization diagnosis). */
export function layerFlag(l: LayerView): string | null {
  if (!Number.isFinite(l.mean) || !Number.isFinite(l.std)) return 'NaN/∞';
  if (l.nearZero > 0.9) return `collapsing to 0 (${Math.round(100 * l.nearZero)} % within ±0.01)`;
  const squashing = /Tanh|Sigmoid/.test(l.label);
  if (squashing && l.saturated > 0.3) return `saturated (${Math.round(100 * l.saturated)} % at ±1)`;
  if (/Sigmoid/.test(l.label) && l.nearZero > 0.3) return `saturated (${Math.round(100 * l.nearZero)} % at 0)`;
  if (/ReLU/.test(l.label) && l.zeros > 0.9) return `${Math.round(100 * l.zeros)} % dead (zero)`;
  return null;
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

export function drawLayers(root: HTMLElement, step: number, layers: LayerView[], params: ParamView[]): void {
  const table = document.createElement('table');
  table.className = 'layers';
  table.innerHTML = '<thead><tr><th>layer (output)</th><th>mean</th><th>std</th><th>zero</th><th>histogram</th><th></th></tr></thead>';
  const body = document.createElement('tbody');
  for (const l of layers) {
    const tr = document.createElement('tr');
    const flag = layerFlag(l);
    tr.innerHTML = `<td>${l.label}</td><td>${fmt(l.mean)}</td><td>${fmt(l.std)}</td><td>${(100 * l.zeros).toFixed(0)} %</td><td></td><td class="${flag ? 'fail' : 'muted'}">${flag ?? 'ok'}</td>`;
    const c = document.createElement('canvas');
    c.width = 160;
    c.height = 38;
    c.className = 'hist';
    histogram(c, l, flag !== null);
    tr.children[4]!.append(c);
    body.append(tr);
  }
  table.append(body);
  const ptable = document.createElement('table');
  ptable.className = 'params';
  ptable.innerHTML = '<thead><tr><th>parameter</th><th>values</th><th>‖grad‖</th><th>‖w‖</th><th>‖Δw‖/‖w‖</th><th></th></tr></thead>';
  const pbody = document.createElement('tbody');
  for (const p of params) {
    const flag = ratioFlag(p);
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${p.name}</td><td>${p.count.toLocaleString('en')}</td><td>${fmt(p.gradNorm)}</td><td>${fmt(p.weightNorm)}</td><td>${fmt(p.updateRatio)}</td><td class="${flag ? 'fail' : 'muted'}">${flag ?? (Number.isFinite(p.updateRatio) ? 'ok' : '')}</td>`;
    pbody.append(tr);
  }
  ptable.append(pbody);
  const note = document.createElement('p');
  note.className = 'muted';
  note.textContent = `training step ${step} (its batch, training mode; computed inside the compiled step); ‖Δw‖/‖w‖ is that step's update (about 1e-3 is healthy)`;
  root.replaceChildren(table, ptable, note);
}
