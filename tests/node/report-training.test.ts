import { describe, expect, it } from 'vitest';
import { eta, formatDuration, progressLine } from '../../src/report/progress.js';
import { epochTableHeader, epochTableRow, reportMarkdown, type TrainingRun } from '../../src/report/training.js';

function run(): TrainingRun {
  return {
    command: 'npm run train -- --epochs 2',
    startedAt: '2025-01-01T00:00:00.000Z',
    platform: 'Node v20 + dawn.node',
    adapter: 'SwiftShader Device (Subzero)',
    model: 'lenet5',
    parameters: 61706,
    options: { epochs: 2, batchSize: 64, lr: 0.001, optimizer: 'adam', subset: 6000, seed: 1, valFraction: 0.1 },
    data: { trainSamples: 6000, testSamples: 10000 },
    epochs: [
      { epoch: 1, trainLoss: 0.9, trainAcc: 0.68, valLoss: 0.7, valAcc: 0.74, lr: 0.001, samplesPerSec: 410, seconds: 14 },
      { epoch: 2, trainLoss: 0.6, trainAcc: 0.78, valLoss: 0.55, valAcc: 0.8, lr: 0.001, samplesPerSec: 430, seconds: 13 },
    ],
    steps: Array.from({ length: 170 }, (_, i) => ({ step: i + 1, epoch: i < 85 ? 1 : 2, batch: (i % 85) + 1, batches: 85, loss: 2.3 * Math.exp(-i / 40) + 0.4, lr: 0.001 })),
    test: { loss: 0.56, accuracy: 0.7912 },
    samplesPerSec: 420,
    timings: { trainSeconds: 27, recipeSeconds: 40, wallSeconds: 45 },
  };
}

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61.4)).toBe('1:01');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('?');
  });

  it('extrapolates the time per batch to the batches left', () => {
    expect(eta(10, 0, 100)).toBeUndefined();
    expect(eta(10, 20, 100)).toBeCloseTo(40);
    expect(eta(10, 100, 100)).toBe(0);
  });

  it('draws a bar proportional to the batches done, within the terminal width', () => {
    const line = progressLine({ epoch: 1, epochs: 3, batch: 45, batches: 90, samplesPerSec: 1234.4, loss: 0.73421, etaSeconds: 102 }, 100);
    expect(line).toMatch(/^epoch 1\/3 \[#+-+\] 45\/90 {2}loss 0\.7342 {2}1234 samples\/s {2}ETA 1:42$/);
    const bar = /\[(#+)(-+)\]/.exec(line)!;
    expect(bar[1]!.length).toBe(bar[2]!.length);
    expect(progressLine({ epoch: 1, epochs: 1, batch: 1, batches: 9, samplesPerSec: 5 }, 40).length).toBeLessThan(40);
  });
});

describe('training report', () => {
  it('lines the epoch table rows up under the header', () => {
    const header = epochTableHeader();
    const row = epochTableRow(run().epochs[0]!);
    expect(row.length).toBe(header.length);
    expect(row).toContain('68.00 %');
    expect(row).toContain('0:14');
    // Without a validation split the recipe reports NaN: a dash, not "NaN %".
    const noVal = epochTableRow({ ...run().epochs[0]!, valLoss: NaN, valAcc: NaN });
    expect(noVal).not.toContain('NaN');
    expect(noVal.length).toBe(header.length);
  });

  it('summarises the run in markdown, test accuracy first', () => {
    const md = reportMarkdown(run());
    expect(md).toContain('**Test accuracy: 79.12 %**');
    expect(md).toContain('61,706 parameters');
    expect(md).toContain('`npm run train -- --epochs 2`');
    expect(md.match(/^\| \d+ \|/gm)).toHaveLength(2);
    expect(md).toContain('[report.html](report.html)');
    expect(md).toContain('170 logged steps');
    expect(md).toContain('(of the first 6000 of 60000)');
    expect(reportMarkdown({ ...run(), options: { ...run().options, subset: 0 } })).not.toContain('of the first');
  });
});
