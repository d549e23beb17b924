// The Studio's curves (uPlot): training loss per step, raw and smoothed, with validation loss at each epoch's end and
// other runs overlaid; train/validation accuracy per epoch; learning rate; samples/s and steps/s.
// Until the shared chart module (demo/shared/charts.ts, branch i11b) lands, the uPlot wrappers live here.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EpochPoint, StepPoint } from '../protocol.js';

/** Exponential moving average with bias correction (the lecture's smoothed loss; the first values are not pulled to 0). */
export function smooth(values: readonly number[], beta = 0.95): number[] {
  let v = 0;
  return values.map((x, i) => {
    v = beta * v + (1 - beta) * x;
    return v / (1 - beta ** (i + 1));
  });
}

export interface OverlayRun { label: string; steps: number[]; loss: number[]; colour: string }

const COLOURS = ['#2f6fdb', '#d9822b', '#1f8a4c', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d'];
export const runColour = (i: number) => COLOURS[i % COLOURS.length]!;
const pointsOnly = { paths: () => null, points: { show: true, size: 7 } } as const;

function make(el: HTMLElement, title: string, series: uPlot.Series[], opts: Partial<uPlot.Options> = {}, xLabel = 'step'): uPlot {
  const width = Math.max(260, el.clientWidth || 420);
  return new uPlot({ title, width, height: 190, series: [{ label: xLabel }, ...series], scales: { x: { time: false } }, axes: [{}, {}], legend: { live: false }, cursor: { drag: { x: true, y: false } }, ...opts }, [[], ...series.map(() => [])] as uPlot.AlignedData, el);
}

export class Curves {
  private steps: StepPoint[] = [];
  private epochs: EpochPoint[] = [];
  private overlays: OverlayRun[] = [];
  private loss: uPlot;
  private acc: uPlot;
  private lr: uPlot;
  private speed: uPlot;
  private dirty = false;

  constructor(private readonly els: { loss: HTMLElement; acc: HTMLElement; lr: HTMLElement; speed: HTMLElement }) {
    this.loss = this.makeLoss();
    this.acc = make(els.acc, 'accuracy per epoch', [
      { label: 'train', stroke: '#2f6fdb', width: 2, points: { show: true } },
      { label: 'validation', stroke: '#d9822b', width: 2, points: { show: true } },
    ], { scales: { x: { time: false }, y: { range: [0, 1] } } }, 'epoch');
    this.lr = make(els.lr, 'learning rate', [{ label: 'lr', stroke: '#8e44ad', width: 1.5 }]);
    this.speed = make(els.speed, 'throughput', [
      { label: 'samples/s', stroke: '#1f8a4c', width: 1.5, scale: 'y' },
      { label: 'steps/s', stroke: '#7f8c8d', width: 1.5, scale: 's' },
    ], { scales: { x: { time: false }, s: {} }, axes: [{}, { scale: 'y' }, { scale: 's', side: 1, grid: { show: false } }] });
  }

  private makeLoss(): uPlot {
    const series: uPlot.Series[] = [
      { label: 'loss (raw)', stroke: 'rgba(47,111,219,0.35)', width: 1 },
      { label: 'loss (smoothed)', stroke: '#2f6fdb', width: 2 },
      { label: 'validation loss', stroke: '#d9822b', ...pointsOnly },
      ...this.overlays.map((o) => ({ label: o.label, stroke: o.colour, width: 1.5, dash: [5, 4] })),
    ];
    this.els.loss.replaceChildren();
    return make(this.els.loss, 'training loss per step', series);
  }

  /** Other runs' smoothed loss curves drawn under this one's. */
  setOverlays(runs: OverlayRun[]): void {
    this.overlays = runs;
    this.loss.destroy();
    this.loss = this.makeLoss();
    this.dirty = true;
    this.redraw();
  }

  addSteps(points: StepPoint[]): void {
    this.steps.push(...points);
    this.dirty = true;
  }

  addEpoch(point: EpochPoint): void {
    this.epochs.push(point);
    this.dirty = true;
  }

  clear(): void {
    this.steps = [];
    this.epochs = [];
    this.dirty = true;
    this.redraw();
  }

  get stepPoints(): readonly StepPoint[] { return this.steps; }
  get epochPoints(): readonly EpochPoint[] { return this.epochs; }

  /** Pushes new data into the charts (call from requestAnimationFrame: at most once a frame, only when something came). */
  redraw(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const x = this.steps.map((p) => p.step);
    const raw = this.steps.map((p) => p.loss);
    const own: uPlot.AlignedData = [x, raw, smooth(raw)];
    const valX = this.epochs.map((e) => e.step), val: uPlot.AlignedData = [valX, this.epochs.map((e) => e.valLoss)];
    const tables: uPlot.AlignedData[] = [own, val, ...this.overlays.map((o) => [o.steps, smooth(o.loss)] as uPlot.AlignedData)];
    this.loss.setData(uPlot.join(tables));
    this.acc.setData([this.epochs.map((e) => e.epoch), this.epochs.map((e) => e.trainAcc), this.epochs.map((e) => e.valAcc)]);
    this.lr.setData([x, this.steps.map((p) => p.lr)]);
    this.speed.setData([x, this.steps.map((p) => p.samplesPerSec), this.steps.map((p) => p.stepsPerSec)]);
  }
}
