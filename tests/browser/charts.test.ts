import { describe, expect, it } from 'vitest';
import {
  accuracyCurves, alignCurves, formatTick, learningRateCurves, lossChart, lossCurves, RunChart, smooth, type RunHistory,
} from '../../demo/shared/charts.js';

// demo/shared/charts.ts: the uPlot wrappers the Studio and the CLI's report.html draw with.
function history(steps: number, offset = 0): RunHistory {
  return {
    steps: Array.from({ length: steps }, (_, i) => ({ step: i + 1, loss: 2.3 * Math.exp(-i / 30) + 0.3 + offset + 0.05 * Math.sin(i), lr: 0.01 * (1 - i / steps) })),
    epochs: [1, 2].filter((e) => e * 50 <= steps).map((epoch) => ({ epoch, trainLoss: 1, trainAcc: 0.5 + 0.1 * epoch, valLoss: 0.9 - 0.1 * epoch + offset, valAcc: 0.55 + 0.1 * epoch })),
    stepsPerEpoch: 50,
  };
}

/** Non-white, non-transparent pixels of the chart's canvas. */
function inked(el: HTMLElement): number {
  const canvas = el.querySelector('canvas')!;
  const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 0 && (px[i]! < 200 || px[i + 1]! < 200 || px[i + 2]! < 200)) n++;
  return n;
}

const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));

describe('chart data', () => {
  it('aligns curves on the union of their x values, gaps as null (and y ≤ 0 on a log axis)', () => {
    const [x, a, b] = alignCurves([
      { label: 'a', x: [1, 2, 4], y: [3, NaN, 5] },
      { label: 'b', x: [2, 3], y: [-1, 7] },
    ]);
    expect(x).toEqual([1, 2, 3, 4]);
    expect(a).toEqual([3, null, null, 5]);
    expect(b).toEqual([null, -1, 7, null]);
    expect(alignCurves([{ label: 'b', x: [2, 3], y: [-1, 7] }], true)[1]).toEqual([null, 7]);
  });

  it('smooths with a bias-corrected moving average that starts at the first value', () => {
    const s = smooth([1, 3, NaN, 3], 0.5);
    expect(s[0]).toBe(1);
    expect(s[1]).toBeCloseTo((0.25 * 1 + 0.5 * 3) / 0.75, 12);
    expect(s[2]).toBeNaN();
    expect(smooth([4, 5], 0)).toEqual([4, 5]);
  });

  it('formats axis ticks with three significant digits', () => {
    expect([0, 0.0015, 0.00125, 2.5, 1234, 1e-5, 250000].map(formatTick)).toEqual(['0', '0.0015', '0.00125', '2.5', '1230', '1.0e-5', '2.5e5']);
  });

  it('puts per-epoch points at the end of their epoch on the step axis', () => {
    const h = history(100);
    const [raw, smoothed, val] = lossCurves(h);
    expect(raw!.x.length).toBe(100);
    expect(smoothed!.y.length).toBe(100);
    expect(Array.from(val!.x)).toEqual([50, 100]);
    expect(Array.from(accuracyCurves(h)[1]!.y)).toEqual([0.65, 0.75]);
    expect(learningRateCurves(h)[0]!.y[0]).toBe(0.01);
  });
});

describe('RunChart', () => {
  it('draws, updates in place at most once a frame, overlays runs and switches to a log axis', async () => {
    const el = document.body.appendChild(Object.assign(document.createElement('div'), { style: 'width: 600px' }));
    const chart = lossChart(el, { width: 600, height: 240 });
    chart.setRun('a', { name: 'run 1', curves: lossCurves(history(40)) });
    expect(chart.uplot).toBeNull();
    await frame();
    const plot = chart.uplot!;
    expect(plot.data[0]).toHaveLength(40);
    expect(inked(el)).toBeGreaterThan(500);
    // Ten updates before the next frame: one redraw, on the same uPlot (setData), with the last data.
    for (let n = 41; n <= 50; n++) chart.setRun('a', { name: 'run 1', curves: lossCurves(history(n)) });
    await frame();
    expect(chart.uplot).toBe(plot);
    expect(plot.data[0]).toHaveLength(50);
    const shot = el.querySelector('canvas')!.toDataURL();
    expect(shot.length).toBeGreaterThan(1000);
    // A second run: its own series (other colour), x values merged.
    chart.setRun('b', { name: 'run 2', curves: lossCurves(history(30, 0.5)) });
    chart.redraw();
    expect(chart.uplot!.series.map((s) => s.label)).toEqual(['step', 'run 1: loss per step', 'run 1: smoothed', 'run 1: validation', 'run 2: loss per step', 'run 2: smoothed', 'run 2: validation']);
    expect(chart.uplot!.series[2]!.stroke).not.toBe(chart.uplot!.series[5]!.stroke);
    chart.setLogY(true);
    chart.redraw();
    expect(chart.uplot!.scales.y!.distr).toBe(3);
    // A new plot (the axis type changed) paints in uPlot's next microtask.
    await frame();
    expect(inked(el)).toBeGreaterThan(500);
    chart.removeRun('b');
    chart.redraw();
    expect(chart.uplot!.series).toHaveLength(4);
    chart.destroy();
    el.remove();
  });

  it('draws a sparse curve (one epoch) with markers rather than nothing', () => {
    const el = document.body.appendChild(document.createElement('div'));
    const chart = new RunChart(el, { title: 'Accuracy', width: 400, height: 200, yRange: [0, 1] });
    chart.setRun('a', { name: 'r', curves: [{ label: 'validation', x: [50], y: [0.7] }] });
    chart.redraw();
    expect(chart.uplot!.series[1]!.points!.show).toBeTruthy();
    chart.destroy();
    el.remove();
  });
});
