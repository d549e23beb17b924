// The Studio page (main thread): controls, URL state, runs and drawing. Training happens in ./worker.ts, which owns the
// WebGPU device; this thread only sends messages and draws what comes back, at most once a frame.
import { drawTimes, queueDraw } from '../shared/frame-queue.js';
import { mountNav } from '../shared/nav.js';
import { applyHiddenControls, readUrlState, writeUrlState } from '../shared/url-state.js';
import { mountControls } from './controls.js';
import type { DataInfo, FromWorker, SanityResult, SummaryView, ToWorker, ViewName } from './protocol.js';
import { configToSetup } from './search-config.js';
import { mountSearchPanel } from './search-panel.js';
import { checkpointBytes, deleteRun, listRuns, runLabel, saveRun, type RunRecord } from './runs.js';
import { DEFAULT_SETUP, setupChange, setupProblems, type StudioSetup } from './setup.js';
import { Curves, runColour } from './views/charts.js';
import { drawConfusion, drawFilters, drawGallery } from './views/images.js';
import { drawLayers, prepareLayers } from './views/layers.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** How often each view asks the worker for fresh numbers while training (ms): each ask is a GPU readback. */
const VIEW_EVERY: Record<ViewName, number> = { layers: 1500, filters: 1500, gallery: 4000, summary: Infinity };

mountNav('studio/');
applyHiddenControls();

const errors = $('errors');
function showError(where: string, text: string): void {
  const div = document.createElement('div');
  div.className = 'error-banner';
  div.dataset.where = where;
  div.textContent = text;
  errors.append(div);
}
function clearErrors(where?: string): void {
  for (const el of [...errors.children] as HTMLElement[]) if (!where || el.dataset.where === where) el.remove();
}

let setup = readUrlState(DEFAULT_SETUP, location.search, (msg) => showError('setup', msg));
for (const p of setupProblems(setup)) showError('setup', `${p}; using the default`);
if (setupProblems(setup).length) setup = { ...DEFAULT_SETUP };

if (!('gpu' in navigator) || !navigator.gpu) {
  showError('webgpu', 'WebGPU is not available in this browser, so nothing can train here. Use a recent Chrome or Edge (113+) '
    + 'or Safari 26; in Firefox enable dom.webgpu.enabled; on Linux start Chrome with --enable-unsafe-webgpu (and --enable-features=Vulkan). '
    + 'Check chrome://gpu for "WebGPU: Hardware accelerated".');
  document.body.classList.add('no-webgpu');
  $('status').textContent = 'no WebGPU';
  for (const b of document.querySelectorAll<HTMLButtonElement>('.toolbar button')) b.disabled = true;
} else {
  start();
}

function start(): void {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
  const curves = new Curves({ loss: $('chart-loss'), acc: $('chart-acc'), lr: $('chart-lr'), samples: $('chart-samples'), steps: $('chart-steps') });
  let classes: readonly string[] = [];
  let running = false;
  let record: RunRecord = newRecord(setup);
  let archived: RunRecord[] = [];
  const lastAsked: Record<ViewName, number> = { layers: 0, filters: 0, gallery: 0, summary: 0 };
  /** Status shown in the toolbar (also read by the page tests). */
  const statusEl = $('status');

  /** The setup the worker's current run was built with (live edits apply to it; others start a new run). */
  let built = setup;
  const controls = mountControls($('controls'), setup, changeSetup);
  function changeSetup(next: StudioSetup): void {
    const change = setupChange(built, setup, next);
    const hadSteps = record.steps.length > 0;
    setup = next;
    if (change.kind === 'rebuild') built = next;
    // The run keeps its model: only the re-planned keys (batch size) change in what it was built with.
    if (change.kind === 'replan') built = { ...built, ...Object.fromEntries(change.keys.map((k) => [k, next[k]])) };
    writeUrlState(setup, DEFAULT_SETUP);
    clearErrors('setup');
    if (change.kind === 'rebuild') {
      startNewRecord();
      if (hadSteps) showNotice(`A new run started: changing ${change.keys.join(', ')} builds a new model and optimizer (re-planned from fresh weights). The previous run's curves are kept under Runs.`);
    }
    send({ type: 'setup', setup });
  }
  applyHiddenControls();

  const search = mountSearchPanel($('search-panel'), {
    start: (request) => { clearErrors('search'); send({ type: 'search', request }); },
    pause: () => send({ type: 'search-pause' }),
    resume: () => send({ type: 'search-resume' }),
    stop: () => send({ type: 'search-stop' }),
    // A trial's configuration into the controls and the URL: the same path as editing them by hand.
    use: (config) => {
      const next = configToSetup(setup, config);
      controls.refresh(next);
      changeSetup(next);
    },
  });

  function newRecord(s: StudioSetup): RunRecord {
    return { id: `${Date.now()}-${Math.random().toString(36).slice(2, 7)}`, label: runLabel(s), created: Date.now(), setup: s, steps: [], loss: [], epochs: [] };
  }
  /** The current run's curves go to the runs list (overlaid) when it has any; a fresh record starts. */
  function startNewRecord(): void {
    if (record.steps.length) {
      void saveRun(record);
      archived.push(record);
    }
    record = newRecord(setup);
    curves.clear();
    $('run-log').replaceChildren();
    curves.setOverlays(overlays());
    renderRuns();
  }
  const shownRuns = new Set<string>();
  const overlays = () => archived.filter((r) => shownRuns.has(r.id)).map((r) => ({ id: r.id, label: r.label, steps: r.steps, loss: r.loss, colour: runColour(archived.indexOf(r) + 1) }));

  function renderRuns(): void {
    const ul = $('runs');
    const items = archived.map((r, i) => {
      const li = document.createElement('li');
      const last = r.epochs.at(-1);
      li.innerHTML = `<label><input type="checkbox" ${shownRuns.has(r.id) ? 'checked' : ''}/> <span class="swatch" style="background:${runColour(i + 1)}"></span>${r.label}</label> `
        + `<span class="muted">${r.steps.length} logged steps${last ? `, epoch ${last.epoch}: val acc ${(100 * last.valAcc).toFixed(1)} %` : ''}</span> `;
      li.querySelector('input')!.addEventListener('change', (e) => {
        if ((e.target as HTMLInputElement).checked) shownRuns.add(r.id); else shownRuns.delete(r.id);
        curves.setOverlays(overlays());
      });
      if (r.checkpoint) {
        const b = document.createElement('button');
        b.textContent = 'load its weights';
        b.onclick = () => void checkpointBytes(r).then((bytes) => bytes && loadWeights(bytes, `${r.label} (saved run)`));
        li.append(b, ' ');
      }
      const del = document.createElement('button');
      del.textContent = 'delete';
      del.onclick = () => { void deleteRun(r.id); archived = archived.filter((x) => x !== r); shownRuns.delete(r.id); renderRuns(); curves.setOverlays(overlays()); };
      li.append(del);
      return li;
    });
    const current = document.createElement('li');
    current.innerHTML = `<span class="swatch" style="background:${runColour(0)}"></span><b>current:</b> ${runLabel(setup)}`;
    ul.replaceChildren(current, ...items);
  }

  let saveTimer = 0;
  function persist(): void {
    if (saveTimer) return;
    saveTimer = window.setTimeout(() => { saveTimer = 0; if (record.steps.length) void saveRun(record); }, 3000);
  }

  function loadWeights(bytes: Uint8Array, name: string): void {
    clearErrors('load');
    send({ type: 'load', bytes, name }, [bytes.buffer]);
  }


  function ask(view: ViewName, force = false): void {
    const now = performance.now();
    if (!force && now - lastAsked[view] < VIEW_EVERY[view]) return;
    lastAsked[view] = now;
    send({ type: 'view', view });
  }
  const askAll = () => { for (const v of ['layers', 'filters', 'gallery', 'summary'] as const) ask(v, true); };

  /** Longest time the main thread spent on each kind of worker message (ms), for the bench and the console. */
  const handlerMs: Record<string, number> = {};
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const t0 = performance.now();
    handle(e.data);
    handlerMs[e.data.type] = Math.max(handlerMs[e.data.type] ?? 0, performance.now() - t0);
  };
  function handle(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        document.body.dataset.adapter = m.adapter;
        break;
      case 'status': {
        running = m.state === 'running';
        document.body.dataset.state = m.state;
        document.body.dataset.step = String(m.step);
        // Plans of the compiled step so far (a live change must not add one).
        document.body.dataset.plans = String(m.plans);
        curves.setStepsPerEpoch(m.batchesPerEpoch);
        statusEl.textContent = `${m.state} · step ${m.step} · epoch ${Math.min(m.epoch + (m.state === 'done' ? 0 : 1), m.epochs)}/${m.epochs} (${m.batchesPerEpoch} steps each)`;
        if (!running) askAll();
        break;
      }
      case 'data':
        showData(m.info);
        break;
      case 'replanned': {
        const text = `Batch size ${m.from} → ${m.to} after step ${m.step}: the step was re-planned; same run, same weights and optimizer state.`;
        (record.notes ??= []).push({ step: m.step, text });
        record.setup = setup;
        record.label = runLabel(setup);
        logNote(text);
        renderRuns();
        break;
      }
      case 'points':
        curves.addSteps(m.points);
        for (const p of m.points) { record.steps.push(p.step); record.loss.push(p.loss); }
        if (m.points.length) document.body.dataset.step = String(m.points.at(-1)!.step);
        persist();
        if (running) for (const v of ['layers', 'filters', 'gallery'] as const) ask(v);
        break;
      case 'epoch': {
        curves.addEpoch(m.point);
        const { confusion, ...rest } = m.point;
        record.epochs.push(rest);
        queueDraw('confusion', () => {
          drawConfusion($('confusion') as HTMLCanvasElement, confusion, classes);
          $('confusion-epoch').textContent = `epoch ${m.point.epoch}: ${(100 * m.point.valAcc).toFixed(1)} % correct`;
        });
        void saveRun(record);
        // The run's latest weights and optimizer state go with its record (for a reload).
        send({ type: 'download' });
        pendingCheckpoint = true;
        break;
      }
      case 'layers':
        lastLayers = m;
        queueDraw('layers', () => drawLayers($('layers'), m.step, m.layers, m.params));
        break;
      case 'filters':
        queueDraw('filters', () => {
          drawFilters($('filters') as HTMLCanvasElement, m.filters);
          $('filters-source').textContent = `${m.filters.source} at step ${m.step}`;
        });
        break;
      case 'gallery':
        queueDraw('gallery', () => {
          drawGallery($('gallery'), m.items, classes);
          $('gallery-acc').textContent = `(step ${m.step}: ${(100 * m.accuracy).toFixed(0)} % of the first ${m.scored} ${m.source} images right)`;
        });
        break;
      case 'summary':
        queueDraw('summary', () => showSummary(m.summary));
        // The layer table appears once training begins: its histogram canvases are made now, while the page is idle.
        prepareLayers(m.summary.layers);
        break;
      case 'sanity':
        drawSanity(m.results, m.running);
        break;
      case 'weights':
        if (pendingCheckpoint) {
          pendingCheckpoint = false;
          record.checkpoint = m.blob;
          void saveRun(record);
        } else {
          const a = document.createElement('a');
          a.href = URL.createObjectURL(m.blob);
          a.download = m.name;
          a.click();
          setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        }
        break;
      case 'loaded':
        clearErrors('load');
        $('data-info').dataset.loaded = m.message;
        showNotice(m.message);
        break;
      case 'search-state':
        // The device is free again: a refusal to train while the search ran no longer applies.
        if (m.state === 'done' || m.state === 'stopped') clearErrors('search');
        search.state(m.state, m.trials, m.finished, m.message);
        break;
      case 'search-point':
        search.point(m.progress);
        break;
      case 'search-table':
        search.table(m.rows);
        break;
      case 'error':
        if (m.where === 'data') clearErrors('data');
        showError(m.where, m.message);
        break;
    }
  }
  let pendingCheckpoint = false;
  let lastLayers: Extract<FromWorker, { type: 'layers' }> | null = null;

  /** A line in the run's log (under the curves): what changed in this run, and when. */
  function logNote(text: string): void {
    $('run-log').append(Object.assign(document.createElement('li'), { textContent: text }));
  }

  function showSummary(s: SummaryView): void {
    const pre = document.createElement('pre');
    pre.className = 'summary';
    pre.textContent = s.text;
    const p = document.createElement('p');
    p.className = 'muted small';
    p.textContent = s.dispatches !== null
      ? 'One queue.submit replays all of the compiled step\'s dispatches.'
      : 'The step is compiled at its first call: its dispatches and memory appear after it.';
    $('summary').replaceChildren(pre, p);
    $('summary').dataset.parameters = String(s.parameters);
  }

  function showNotice(text: string): void {
    const p = document.createElement('p');
    p.className = 'notice';
    p.textContent = text;
    errors.append(p);
    setTimeout(() => p.remove(), 8000);
  }

  function showData(info: DataInfo): void {
    classes = info.classes;
    // The empty matrix with its class names, drawn while idle: the first epoch's redraw then finds its canvas ready.
    queueDraw('confusion', () => drawConfusion($('confusion') as HTMLCanvasElement, classes.map(() => classes.map(() => 0)), classes));
    $('data-info').textContent = `Data: ${info.source} · ${info.train} training, ${info.val} validation, ${info.test} test images · ${classes.length} classes`;
  }

  function drawSanity(results: SanityResult[], busy: boolean): void {
    const ul = $('sanity');
    ul.replaceChildren(...results.map((r) => {
      const li = document.createElement('li');
      li.innerHTML = `<span class="${r.pass ? 'pass' : 'fail'}">${r.pass ? 'pass' : 'fail'}</span> <b></b><div class="muted small"></div>`;
      li.querySelector('b')!.textContent = r.name;
      li.querySelector('div')!.textContent = r.detail;
      return li;
    }));
    if (busy) ul.append(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'running…' }));
    ($('sanity-run') as HTMLButtonElement).disabled = busy;
  }

  $('play').onclick = () => send({ type: 'play' });
  $('pause').onclick = () => send({ type: 'pause' });
  $('step').onclick = () => send({ type: 'step' });
  $('reset').onclick = () => { record = newRecord(setup); curves.clear(); $('run-log').replaceChildren(); send({ type: 'reset' }); };
  $('new-run').onclick = () => {
    if (record.steps.length) shownRuns.add(record.id);
    startNewRecord();
    send({ type: 'reset' });
  };
  $('download').onclick = () => send({ type: 'download' });
  $('sanity-run').onclick = () => send({ type: 'sanity' });

  async function takeFiles(list: FileList | File[]): Promise<void> {
    const files = [...list];
    if (!files.length) return;
    clearErrors('data');
    clearErrors('load');
    const weights = files.filter((f) => f.name.toLowerCase().endsWith('.safetensors'));
    const idx = files.filter((f) => !weights.includes(f));
    for (const w of weights) loadWeights(new Uint8Array(await w.arrayBuffer()), w.name);
    if (idx.length) {
      const payload = await Promise.all(idx.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      record = newRecord(setup);
      curves.clear();
      send({ type: 'files', files: { files: payload } }, payload.map((p) => p.bytes.buffer));
    }
  }
  const input = $('files') as HTMLInputElement;
  input.addEventListener('change', () => { void takeFiles(input.files ?? []); input.value = ''; });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => { e.preventDefault(); void takeFiles(e.dataTransfer?.files ?? []); });

  void listRuns().then((runs) => {
    archived = runs;
    for (const r of runs.slice(-3)) shownRuns.add(r.id);
    curves.setOverlays(overlays());
    renderRuns();
  }).catch((err) => showError('runs', `Runs cannot be kept in this browser (IndexedDB: ${String(err)})`));
  renderRuns();
  // For tests and the console: the logged losses of the current run.
  (window as unknown as { studioDebug: object }).studioDebug = { losses: () => curves.stepPoints.map((p) => p.loss), lrs: () => curves.stepPoints.map((p) => p.lr), layers: () => lastLayers, handlerMs: () => handlerMs, drawMs: drawTimes, setup: () => setup, searchCurves: () => search.curvePoints() };
  send({ type: 'setup', setup, servedUrl: new URL('../data/fashion-mnist/', location.href).href });
}
