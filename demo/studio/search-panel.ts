// The Studio's Search panel (main thread): what to search (session option keys, each a range or a list of values),
// how many trials, the budget, random or grid; the trials' validation curves overlaid as they fill, and the results
// table sorted by the metric with a "use this" button per row. The worker runs the search; this only draws.
import { RUN_COLORS, RunChart } from '../shared/charts.js';
import { formatConfig, type ParamSpec, type TrialConfig } from '../../src/search/space.js';
import type { TrialPoint } from '../../src/search/trial-run.js';
import type { SearchKey, SearchProgress, SearchRequest, SearchRow, SearchState } from './search-config.js';

/** One searchable key's row: a log or linear range, or a comma-separated list of values. */
interface KeyRow { key: SearchKey; label: string; kind: 'log' | 'uniform' | 'list'; min?: number; max?: number; values?: string; on?: boolean }

const KEY_ROWS: KeyRow[] = [
  { key: 'lr', label: 'learning rate', kind: 'log', min: 1e-4, max: 1e-1, on: true },
  { key: 'l2', label: 'L2', kind: 'log', min: 1e-6, max: 1e-2 },
  { key: 'momentum', label: 'momentum', kind: 'uniform', min: 0.5, max: 0.99 },
  { key: 'dropout', label: 'dropout', kind: 'uniform', min: 0, max: 0.5 },
  { key: 'optimizer', label: 'optimizer', kind: 'list', values: 'sgd,momentum,adam' },
  { key: 'hidden', label: 'hidden width', kind: 'list', values: '32,64,128' },
  { key: 'batchSize', label: 'batch size', kind: 'list', values: '16,32,64' },
];

export interface SearchPanel {
  state(s: SearchState, trials: number, finished: number, message?: string): void;
  point(p: SearchProgress): void;
  table(rows: SearchRow[]): void;
  /** Per trial (by index), the number of points of its curve: for tests. */
  curvePoints(): Record<number, number>;
}

export function mountSearchPanel(root: HTMLElement, actions: {
  start(req: SearchRequest): void; pause(): void; resume(): void; stop(): void; use(config: TrialConfig): void;
}): SearchPanel {
  root.innerHTML = `
    <div class="search-form">
      <table class="search-keys"><thead><tr><th></th><th>search</th><th>from</th><th>to / values</th></tr></thead><tbody></tbody></table>
      <div class="search-settings">
        <label class="control">search <select name="search-mode"><option value="random">random</option><option value="grid">grid</option></select></label>
        <label class="control" data-when="random">trials <input name="search-trials" type="number" min="1" max="64" step="1" value="6" /></label>
        <label class="control" data-when="grid">grid points per range <input name="search-grid" type="number" min="1" max="8" step="1" value="3" /></label>
        <label class="control">budget per trial <span class="pair"><input name="search-budget" type="number" min="1" step="1" value="1" />
          <select name="search-unit"><option value="epochs">epochs</option><option value="steps">steps</option></select></span></label>
        <label class="control">metric <select name="search-metric"><option value="valLoss">validation loss</option><option value="valAcc">validation accuracy</option></select></label>
        <div class="search-buttons">
          <button id="search-start" class="primary">Start search</button>
          <button id="search-pause" disabled>Pause</button>
          <button id="search-stop" disabled>Stop</button>
        </div>
        <p id="search-status" class="muted small">Trains each configuration on the current data and model; training pauses meanwhile.</p>
      </div>
    </div>
    <div id="search-chart"></div>
    <table class="search-table"><thead><tr><th>#</th><th>trial</th><th>configuration</th><th>status</th><th class="score">score</th><th>steps</th><th></th></tr></thead><tbody></tbody></table>`;
  const q = <T extends HTMLElement>(sel: string) => root.querySelector(sel) as T;
  const tbody = q<HTMLElement>('table.search-keys tbody');
  for (const r of KEY_ROWS) {
    const tr = document.createElement('tr');
    tr.dataset.search = r.key;
    const range = r.kind !== 'list';
    tr.innerHTML = `<td><input type="checkbox" name="search-${r.key}" ${r.on ? 'checked' : ''}/></td><td>${r.label}${r.kind === 'log' ? ' <span class="muted">(log)</span>' : ''}</td>`
      + (range
        ? `<td><input type="number" step="any" name="search-${r.key}-min" value="${r.min}" /></td><td><input type="number" step="any" name="search-${r.key}-max" value="${r.max}" /></td>`
        : `<td colspan="2"><input type="text" name="search-${r.key}-values" value="${r.values}" /></td>`);
    tbody.append(tr);
  }
  const mode = q<HTMLSelectElement>('[name=search-mode]');
  const showMode = () => { for (const el of root.querySelectorAll<HTMLElement>('[data-when]')) el.hidden = el.dataset.when !== mode.value; };
  mode.addEventListener('change', showMode);
  showMode();

  const value = (name: string) => q<HTMLInputElement>(`[name=${name}]`).value;
  /** The request the form describes, or the problems with it. */
  function request(): SearchRequest | string[] {
    const problems: string[] = [];
    const space: SearchRequest['space'] = {};
    const grid = Number(value('search-grid'));
    for (const r of KEY_ROWS) {
      if (!q<HTMLInputElement>(`[name=search-${r.key}]`).checked) continue;
      if (r.kind === 'list') {
        const raw = value(`search-${r.key}-values`).split(',').map((s) => s.trim()).filter(Boolean);
        const values = r.key === 'optimizer' ? raw : raw.map(Number);
        if (!values.length || values.some((v) => typeof v === 'number' && !Number.isFinite(v))) problems.push(`${r.label}: give a comma-separated list of values`);
        space[r.key] = { kind: 'choice', values };
      } else {
        const min = Number(value(`search-${r.key}-min`)), max = Number(value(`search-${r.key}-max`));
        if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max) || (r.kind === 'log' && !(min > 0))) problems.push(`${r.label}: needs ${r.kind === 'log' ? '0 < ' : ''}from ≤ to`);
        space[r.key] = { kind: r.kind, min, max, ...(mode.value === 'grid' ? { grid } : {}) } as ParamSpec;
      }
    }
    if (!Object.keys(space).length) problems.push('tick at least one hyperparameter to search');
    if (problems.length) return problems;
    return {
      space, mode: mode.value as SearchRequest['mode'], trials: Number(value('search-trials')),
      budget: { unit: value('search-unit') as 'steps' | 'epochs', n: Number(value('search-budget')) },
      metric: value('search-metric') as SearchRequest['metric'],
    };
  }

  const statusEl = q<HTMLElement>('#search-status');
  const startBtn = q<HTMLButtonElement>('#search-start'), pauseBtn = q<HTMLButtonElement>('#search-pause'), stopBtn = q<HTMLButtonElement>('#search-stop');
  let metric: SearchRequest['metric'] = 'valLoss';
  let paused = false;
  let chart: RunChart | null = null;
  let histories = new Map<number, { config: TrialConfig; points: TrialPoint[] }>();
  const rowsBody = q<HTMLElement>('table.search-table tbody');
  const colour = (index: number) => RUN_COLORS[index % RUN_COLORS.length]!;
  let finishedRows: SearchRow[] = [];
  /** Higher is better: accuracy as is, loss negated; NaN last. */
  const key = (score: number) => (Number.isNaN(score) ? -Infinity : metric === 'valAcc' ? score : -score);

  /** Trials a stop cut short: their best validation so far, ranked among themselves after the finished ones. */
  function unfinishedRows(): SearchRow[] {
    const done = new Set(finishedRows.map((r) => r.index));
    const out: SearchRow[] = [];
    for (const [index, h] of histories) {
      if (done.has(index)) continue;
      const scores = h.points.map((p) => (metric === 'valAcc' ? p.valAcc : p.valLoss)).filter(Number.isFinite);
      const score = scores.length ? (metric === 'valAcc' ? Math.max(...scores) : Math.min(...scores)) : NaN;
      out.push({ index, config: h.config, status: 'done', score, steps: h.points.at(-1)?.step ?? 0, seconds: NaN });
    }
    return out.sort((a, b) => key(b.score) - key(a.score) || a.index - b.index);
  }

  function drawTable(unfinished: SearchRow[]): void {
    const all = [...finishedRows.map((r) => ({ r, cut: false })), ...unfinished.map((r) => ({ r, cut: true }))];
    rowsBody.replaceChildren(...all.map(({ r, cut }, rank) => {
      const tr = document.createElement('tr');
      tr.dataset.index = String(r.index);
      tr.dataset.score = String(r.score);
      tr.className = cut ? 'unfinished' : r.status;
      const status = cut ? `stopped at step ${r.steps}` : r.status === 'diverged' ? '⚠ diverged' : r.status === 'stopped-early' ? 'stopped early' : 'done';
      const score = Number.isNaN(r.score) ? '—' : metric === 'valAcc' ? `${(100 * r.score).toFixed(1)} %` : r.score.toFixed(4);
      tr.innerHTML = `<td>${rank + 1}</td><td><span class="swatch" style="background:${colour(r.index)}"></span>#${r.index + 1}</td><td class="config"></td><td>${status}</td><td class="score">${score}</td><td>${r.steps}</td><td></td>`;
      tr.querySelector('.config')!.textContent = formatConfig(r.config);
      const use = document.createElement('button');
      use.textContent = 'use this';
      use.title = 'load this configuration into the controls (and the URL)';
      use.onclick = () => actions.use(r.config);
      tr.lastElementChild!.append(use);
      return tr;
    }));
  }

  startBtn.onclick = () => {
    const req = request();
    if (Array.isArray(req)) { statusEl.textContent = req.join('; '); statusEl.classList.add('bad'); return; }
    statusEl.classList.remove('bad');
    metric = req.metric;
    histories = new Map();
    finishedRows = [];
    rowsBody.replaceChildren();
    chart?.destroy();
    const target = q<HTMLElement>('#search-chart');
    target.replaceChildren();
    chart = new RunChart(target, metric === 'valAcc'
      ? { title: 'Trials: validation accuracy', xLabel: 'step', yLabel: 'accuracy', yRange: [0, 1], height: 240 }
      : { title: 'Trials: validation loss', xLabel: 'step', yLabel: 'cross-entropy', height: 240 });
    actions.start(req);
  };
  pauseBtn.onclick = () => (paused ? actions.resume() : actions.pause());
  stopBtn.onclick = () => actions.stop();

  return {
    state(s, trials, finished, message) {
      const active = s === 'running' || s === 'paused';
      paused = s === 'paused';
      startBtn.disabled = active;
      pauseBtn.disabled = !active;
      stopBtn.disabled = !active;
      pauseBtn.textContent = paused ? 'Resume' : 'Pause';
      root.dataset.searchState = s;
      if (s === 'stopped' || s === 'failed') drawTable(unfinishedRows());
      const words = { running: 'running', paused: 'paused', done: 'done', stopped: 'stopped', failed: 'failed' }[s];
      statusEl.textContent = `Search ${words}: ${finished} of ${trials} trials finished${message ? ` (${message})` : ''}.`;
    },
    point({ index, config, point }) {
      let h = histories.get(index);
      if (!h) histories.set(index, (h = { config, points: [] }));
      h.points.push(point);
      const y = h.points.map((p) => (metric === 'valAcc' ? p.valAcc : p.valLoss));
      chart?.setRun(`trial-${index}`, { name: `#${index + 1}`, color: colour(index), curves: [{ label: formatConfig(config), x: h.points.map((p) => p.step), y: y.map((v) => (Number.isFinite(v) ? v : null)) }] });
    },
    table(rows) {
      finishedRows = rows;
      drawTable([]);
    },
    curvePoints() {
      return Object.fromEntries([...histories].map(([i, h]) => [i, h.points.length]));
    },
  };
}
