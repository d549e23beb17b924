// The script of the CLI's report.html: draws the run embedded in the page (<script id="run"
// type="application/json">, a metrics.json) with the Studio's chart code. scripts/train.mjs bundles it
// (uPlot included) and app/report/html.ts inlines the bundle, so the report opens from disk with no server.
import { accuracyChart, accuracyCurves, learningRateChart, learningRateCurves, lossChart, lossCurves, type RunHistory } from '../../demo/shared/charts.js';
import type { TrainingRun } from '../../src/report/training.js';

const run = JSON.parse(document.getElementById('run')!.textContent!) as TrainingRun;
const stepsPerEpoch = run.steps.find((s) => s.batches > 0)?.batches ?? 1;
const history: RunHistory = {
  steps: run.steps,
  // JSON has no NaN: metrics.json writes a missing validation metric as null.
  epochs: run.epochs.map((e) => ({ ...e, valLoss: e.valLoss ?? NaN, valAcc: e.valAcc ?? NaN })),
  stepsPerEpoch,
};
const width = Math.min(900, document.body.clientWidth - 32);
// The three charts share the step axis, from 0 to the last step of the run.
const xRange: [number, number] = [0, Math.max(run.epochs.length * stepsPerEpoch, run.steps.at(-1)?.step ?? 1)];
const el = (id: string) => document.getElementById(id)!;
const charts = [
  [lossChart(el('loss'), { width, xRange, logY: (el('log-y') as HTMLInputElement).checked }), lossCurves(history)],
  [accuracyChart(el('accuracy'), { width, xRange }), [...accuracyCurves(history), { label: 'test (after training)', x: [run.epochs.length * stepsPerEpoch], y: [run.test.accuracy], style: 'points' as const }]],
  [learningRateChart(el('lr'), { width, xRange }), learningRateCurves(history)],
] as const;
for (const [chart, curves] of charts) {
  chart.setRun('run', { name: run.model, curves: [...curves] });
  chart.redraw();
}
el('log-y').addEventListener('change', (e) => {
  charts[0][0].setLogY((e.target as HTMLInputElement).checked);
  charts[0][0].redraw();
});
document.body.dataset.drawn = 'true';
