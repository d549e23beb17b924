// report.html of `npm run train`: the run's metrics embedded as JSON and drawn in the browser by the
// Studio's chart code (app/report/report-page.ts, bundled with uPlot and inlined), a point per logged step.
import { formatDuration } from '../../src/report/progress.js';
import type { TrainingRun } from '../../src/report/training.js';

/** The bundled report script and its stylesheet (uPlot's). */
export interface ReportAssets {
  js: string;
  css: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** JSON inside <script>: no "</script>" or "<!--" can end or change the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
const percent = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)} %` : '-');

export function reportHtml(run: TrainingRun, assets: ReportAssets): string {
  const o = run.options;
  const facts: [string, string][] = [
    ['model', `${run.model}, ${run.parameters.toLocaleString('en-US')} parameters`],
    ['data', `${run.data.trainSamples} training samples, ${percent(o.valFraction)} held out for validation, ${run.data.testSamples} test images`],
    ['training', `${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, batch size ${o.batchSize}, ${o.optimizer}, lr ${o.lr}, seed ${o.seed}`],
    ['platform', `${run.platform}; adapter: ${run.adapter}`],
    ['time', `${formatDuration(run.timings.wallSeconds)} wall (training ${formatDuration(run.timings.trainSeconds)}), ${Math.round(run.samplesPerSec)} samples/s`],
    ['reproduce', `<code>${escapeHtml(run.command)}</code>`],
  ];
  if (run.studioUrl) facts.push(['Studio', `<a href="${escapeHtml(run.studioUrl)}">${escapeHtml(run.studioUrl)}</a> (<code>npm run studio</code>)`]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Training report: ${escapeHtml(run.model)}</title>
<style>${assets.css}
body { font: 14px/1.45 system-ui, sans-serif; color: #1d1f23; margin: 1.5em auto; max-width: 940px; padding: 0 1em; }
table.facts td:first-child { color: #666b75; padding-right: 1em; vertical-align: top; }
.chart { margin: 1em 0; }
code { font-size: 12.5px; }
</style>
</head>
<body>
<h1>Training report: ${escapeHtml(run.model)} on Fashion-MNIST</h1>
<p><strong>Test accuracy: ${percent(run.test.accuracy)}</strong> (test loss ${Number.isFinite(run.test.loss) ? run.test.loss.toFixed(4) : '-'}, ${run.data.testSamples} images) · started ${escapeHtml(run.startedAt)}</p>
<table class="facts">${facts.map(([k, v]) => `<tr><td>${k}</td><td>${k === 'reproduce' || k === 'Studio' ? v : escapeHtml(v)}</td></tr>`).join('')}</table>
<label><input type="checkbox" id="log-y"> logarithmic loss axis</label>
<div class="chart" id="loss"></div>
<div class="chart" id="accuracy"></div>
<div class="chart" id="lr"></div>
<p>${run.steps.length} logged steps; metrics.json holds every number drawn here.</p>
<script id="run" type="application/json">${scriptJson(run)}</script>
<script>${assets.js.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}
