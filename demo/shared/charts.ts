// uPlot charts for the Studio and the CLI's report.html: training curves per step (raw and smoothed loss,
// validation points per epoch), accuracy, learning rate; several runs overlaid, each in its own colour.
// Runs are replaced in place (`setRun`) as often as data arrives; the redraw happens at most once per
// animation frame (setData on the existing plot; frame-queue.ts spreads the charts and other views over frames),
// so a worker posting every few steps never floods the page.
import uPlot from 'uplot';
import { cancelDraw, queueDraw } from './frame-queue.js';
import 'uplot/dist/uPlot.min.css';

/** One line (or point set) of a run; x and y have the same length; NaN/null y values leave gaps. */
export interface Curve {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
  /** 'line' (default), 'faint' (thin and pale: raw per-step values under a smoothed line), 'points' (markers only). */
  style?: 'line' | 'faint' | 'points';
}

export interface RunCurves {
  /** Shown in the legend before each curve's label. */
  name: string;
  /** CSS colour; default: the run's place in RUN_COLORS. */
  color?: string;
  curves: Curve[];
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (loss over orders of magnitude). */
  logY?: boolean;
  width?: number;
  height?: number;
  /** Fixed y range, e.g. [0, 1] for accuracy. */
  yRange?: [number, number];
  /** Fixed x range (charts of one run side by side share their step axis). */
  xRange?: [number, number];
}

/** Distinct colours for overlaid runs (run 1, run 2, …). */
export const RUN_COLORS = ['#2f6fdb', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#0b7285', '#e67700', '#495057'] as const;

/** A colour with alpha, for the faint raw curve under its smoothed one. */
function faint(color: string): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1]!, 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, 0.3)`;
}

/**
 * Puts curves with different x values on one x axis (uPlot's aligned data): the sorted union of every x,
 * each curve's y at its own x and null elsewhere. Non-finite y (and, on a log axis, y ≤ 0) become null.
 */
export function alignCurves(curves: readonly Curve[], logY = false): uPlot.AlignedData {
  const xs = new Set<number>();
  for (const c of curves) for (let i = 0; i < c.x.length; i++) if (Number.isFinite(c.x[i]!)) xs.add(c.x[i]!);
  const x = Float64Array.from(xs).sort();
  const at = new Map<number, number>();
  x.forEach((v, i) => at.set(v, i));
  const ys = curves.map((c) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    for (let i = 0; i < c.x.length; i++) {
      const v = c.y[i];
      const j = at.get(c.x[i]!);
      if (j !== undefined && v !== null && v !== undefined && Number.isFinite(v) && (!logY || v > 0)) y[j] = v;
    }
    return y;
  });
  return [Array.from(x), ...ys] as uPlot.AlignedData;
}

/** Exponential moving average with bias correction (TensorBoard's smoothing): weight in [0, 1), 0 = raw. */
export function smooth(values: ArrayLike<number>, weight = 0.9): number[] {
  const out: number[] = [];
  let avg = 0, norm = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out.push(NaN);
      continue;
    }
    avg = weight * avg + (1 - weight) * v;
    norm = weight * norm + (1 - weight);
    out.push(avg / norm);
  }
  return out;
}

/** Axis numbers with 3 significant digits (uPlot's default repeats labels like 0.001, 0.001 for learning rates). */
export function formatTick(v: number | null): string {
  // A log axis passes null for the ticks it leaves unlabelled.
  if (v === null || v === undefined) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/** A chart of one or more runs, redrawn in place. */
export class RunChart {
  private readonly runs = new Map<string, RunCurves>();
  private plot: uPlot | null = null;
  private shape = '';
  private logY: boolean;

  constructor(readonly target: HTMLElement, readonly options: ChartOptions) {
    this.logY = options.logY ?? false;
  }

  /** Adds or replaces a run's curves; the chart redraws on the next animation frame. */
  setRun(id: string, run: RunCurves): void {
    this.runs.set(id, run);
    this.schedule();
  }

  removeRun(id: string): void {
    if (this.runs.delete(id)) this.schedule();
  }

  /** Switches the y axis between linear and logarithmic. */
  setLogY(on: boolean): void {
    this.logY = on;
    this.shape = '';
    this.schedule();
  }

  /** Draws now rather than on the next frame (reports, tests). */
  redraw(): void {
    cancelDraw(this);
    const series = this.seriesList();
    const data = alignCurves(series.map((s) => s.curve), this.logY);
    const shape = `${this.logY}|${series.map((s) => `${s.label}|${s.stroke}|${s.curve.style ?? 'line'}`).join(';')}`;
    if (this.plot && shape === this.shape) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.shape = shape;
    const o = this.options;
    this.plot = new uPlot({
      title: o.title,
      width: o.width ?? (this.target.clientWidth || 480),
      height: o.height ?? 260,
      scales: { x: o.xRange ? { time: false, range: o.xRange } : { time: false }, y: this.logY ? { distr: 3 } : o.yRange ? { range: o.yRange } : {} },
      axes: [{ label: o.xLabel }, { label: o.yLabel, size: 60, values: (_u: uPlot, splits: (number | null)[]) => splits.map(formatTick) }],
      legend: { live: false },
      series: [
        { label: o.xLabel ?? 'x' },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.curve.style === 'faint' ? faint(s.stroke) : s.stroke,
          width: s.curve.style === 'faint' ? 1 : s.curve.style === 'points' ? 0 : 2,
          spanGaps: s.curve.style !== 'points',
          // Markers on point sets and on sparse lines (a few epochs), where a line alone could be a dot or nothing.
          points: s.curve.style === 'points' || (s.curve.style !== 'faint' && s.curve.x.length <= 50)
            ? { show: true, size: s.curve.style === 'points' ? 8 : 6, fill: s.stroke, stroke: s.stroke } : { show: false },
        })),
      ],
    }, data, this.target);
  }

  destroy(): void {
    cancelDraw(this);
    this.plot?.destroy();
    this.plot = null;
  }

  /** The uPlot instance (null before the first draw). */
  get uplot(): uPlot | null {
    return this.plot;
  }

  /** Redraws in a coming animation frame, sharing each frame's budget with the page's other heavy views. */
  private schedule(): void {
    queueDraw(this, () => this.redraw(), `chart ${this.options.title}`);
  }

  private seriesList(): { label: string; stroke: string; curve: Curve }[] {
    const out: { label: string; stroke: string; curve: Curve }[] = [];
    let i = 0;
    const many = this.runs.size > 1;
    for (const run of this.runs.values()) {
      const stroke = run.color ?? RUN_COLORS[i % RUN_COLORS.length]!;
      i++;
      for (const c of run.curves) out.push({ label: many ? `${run.name}: ${c.label}` : c.label, stroke: this.curveColor(stroke, c, run), curve: c });
    }
    return out;
  }

  /** Within one run, curves after the first line get darker/lighter variants so train and validation differ. */
  private curveColor(stroke: string, c: Curve, run: RunCurves): string {
    const solid = run.curves.filter((k) => k.style !== 'faint');
    const k = solid.indexOf(c);
    return k <= 0 ? stroke : shade(stroke, k);
  }
}

/** The k-th variant of a colour: alternately darker and lighter. */
function shade(color: string, k: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1]!, 16);
  const f = k % 2 === 1 ? 0.55 : 1.45;
  const c = [n >> 16, (n >> 8) & 255, n & 255].map((v) => Math.max(0, Math.min(255, Math.round(v * f))));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** What the training charts read: per-step losses and per-epoch metrics, as the session module reports them. */
export interface RunHistory {
  steps: readonly { step: number; loss: number; lr: number }[];
  /** `step`: the step the epoch ended at (runs whose batch size changed); else epoch × stepsPerEpoch. */
  epochs: readonly { epoch: number; step?: number; trainAcc: number; valAcc: number; valLoss: number; trainLoss: number }[];
  /** Steps per epoch, to place per-epoch points on the step axis. */
  stepsPerEpoch: number;
}

const epochSteps = (h: RunHistory) => h.epochs.map((e) => e.step ?? e.epoch * h.stepsPerEpoch);

/** Loss: raw per-step values (faint), their smoothing, validation loss per epoch (points). */
export function lossCurves(h: RunHistory, smoothing = 0.9): Curve[] {
  const x = h.steps.map((s) => s.step), loss = h.steps.map((s) => s.loss);
  const ex = epochSteps(h);
  return [
    { label: 'loss per step', x, y: loss, style: 'faint' },
    { label: 'smoothed', x, y: smooth(loss, smoothing) },
    { label: 'validation', x: ex, y: h.epochs.map((e) => e.valLoss), style: 'points' },
  ];
}

/** Accuracy per epoch: training (running, during the epoch) and validation. */
export function accuracyCurves(h: RunHistory): Curve[] {
  const ex = epochSteps(h);
  return [
    { label: 'train', x: ex, y: h.epochs.map((e) => e.trainAcc) },
    { label: 'validation', x: ex, y: h.epochs.map((e) => e.valAcc) },
  ];
}

export function learningRateCurves(h: RunHistory): Curve[] {
  return [{ label: 'learning rate', x: h.steps.map((s) => s.step), y: h.steps.map((s) => s.lr) }];
}

export const lossChart = (target: HTMLElement, o: Partial<ChartOptions> = {}) => new RunChart(target, { title: 'Training loss', xLabel: 'step', yLabel: 'cross-entropy', ...o });
export const accuracyChart = (target: HTMLElement, o: Partial<ChartOptions> = {}) => new RunChart(target, { title: 'Accuracy', xLabel: 'step', yLabel: 'accuracy', yRange: [0, 1], ...o });
export const learningRateChart = (target: HTMLElement, o: Partial<ChartOptions> = {}) => new RunChart(target, { title: 'Learning rate', xLabel: 'step', yLabel: 'lr', ...o });
