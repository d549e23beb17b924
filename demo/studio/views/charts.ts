// The Studio's curves, drawn with the shared chart module (demo/shared/charts.ts, the same code as the CLI's report):
// training loss per step (raw and smoothed) with validation loss per epoch and other runs overlaid; train and
// validation accuracy; learning rate; samples/s; steps/s.
import {
  accuracyChart, accuracyCurves, learningRateChart, learningRateCurves, lossChart, lossCurves, RunChart, RUN_COLORS, smooth, type RunHistory,
} from '../../shared/charts.js';
import type { EpochPoint, StepPoint } from '../protocol.js';

export interface OverlayRun { id: string; label: string; steps: number[]; loss: number[]; colour: string }

export const runColour = (i: number) => RUN_COLORS[i % RUN_COLORS.length]!;

export class Curves {
  private steps: StepPoint[] = [];
  private epochs: EpochPoint[] = [];
  private stepsPerEpoch = 1;
  private overlayIds: string[] = [];
  private readonly loss: RunChart;
  private readonly acc: RunChart;
  private readonly lr: RunChart;
  private readonly samples: RunChart;
  private readonly stepRate: RunChart;

  constructor(els: { loss: HTMLElement; acc: HTMLElement; lr: HTMLElement; samples: HTMLElement; steps: HTMLElement }) {
    const size = { height: 200 };
    this.loss = lossChart(els.loss, { title: 'training loss per step', height: 260 });
    this.acc = accuracyChart(els.acc, { title: 'accuracy per epoch (train, validation)', ...size });
    this.lr = learningRateChart(els.lr, { title: 'learning rate', ...size });
    this.samples = new RunChart(els.samples, { title: 'samples/s', xLabel: 'step', yLabel: 'samples/s', ...size });
    this.stepRate = new RunChart(els.steps, { title: 'steps/s', xLabel: 'step', yLabel: 'steps/s', ...size });
    this.update();
  }

  /** Other runs' loss curves (smoothed) drawn with this one's, each in its colour. */
  setOverlays(runs: OverlayRun[]): void {
    for (const id of this.overlayIds) this.loss.removeRun(id);
    this.overlayIds = runs.map((r) => r.id);
    for (const r of runs) this.loss.setRun(r.id, { name: r.label, color: r.colour, curves: [{ label: 'smoothed loss', x: r.steps, y: smooth(r.loss) }] });
  }

  setStepsPerEpoch(n: number): void {
    this.stepsPerEpoch = n;
  }

  addSteps(points: StepPoint[]): void {
    this.steps.push(...points);
    this.update();
  }

  addEpoch(point: EpochPoint): void {
    this.epochs.push(point);
    this.update();
  }

  clear(): void {
    this.steps = [];
    this.epochs = [];
    this.update();
  }

  get stepPoints(): readonly StepPoint[] { return this.steps; }
  get epochPoints(): readonly EpochPoint[] { return this.epochs; }

  /** Hands the new data to the charts, which redraw at most once per animation frame. */
  private update(): void {
    const h: RunHistory = { steps: this.steps, epochs: this.epochs, stepsPerEpoch: this.stepsPerEpoch };
    const current = { name: 'current run', color: runColour(0) };
    this.loss.setRun('current', { ...current, curves: lossCurves(h) });
    this.acc.setRun('current', { ...current, curves: accuracyCurves(h) });
    this.lr.setRun('current', { ...current, curves: learningRateCurves(h) });
    const x = this.steps.map((p) => p.step);
    this.samples.setRun('current', { ...current, curves: [{ label: 'samples/s (this epoch so far)', x, y: this.steps.map((p) => p.samplesPerSec) }] });
    this.stepRate.setRun('current', { ...current, curves: [{ label: 'steps/s', x, y: this.steps.map((p) => p.stepsPerSec) }] });
  }
}
