import { describe, expect, it } from 'vitest';
import { reportHtml } from '../../app/report/html.js';
import type { TrainingRun } from '../../src/report/training.js';

function run(): TrainingRun {
  return {
    command: 'npm run train -- --epochs 2 --out "</script><b>x"',
    startedAt: '2025-01-01T00:00:00.000Z',
    platform: 'Node v20 + dawn.node',
    adapter: 'SwiftShader <Device>',
    model: 'lenet5',
    parameters: 61706,
    options: { epochs: 2, batchSize: 64, lr: 0.001, optimizer: 'adam', subset: 6000, seed: 1, valFraction: 0.1 },
    studioUrl: 'http://localhost:5173/studio/?epochs=2&subset=6000',
    data: { trainSamples: 5400, testSamples: 10000 },
    epochs: [
      { epoch: 1, trainLoss: 0.9, trainAcc: 0.68, valLoss: NaN, valAcc: NaN, lr: 0.001, samplesPerSec: 410, seconds: 14 },
      { epoch: 2, trainLoss: 0.6, trainAcc: 0.78, valLoss: 0.55, valAcc: 0.8, lr: 0.001, samplesPerSec: 430, seconds: 13 },
    ],
    steps: Array.from({ length: 170 }, (_, i) => ({ step: i + 1, epoch: i < 85 ? 1 : 2, batch: (i % 85) + 1, batches: 85, loss: 2 - i / 100, lr: 0.001 })),
    test: { loss: 0.56, accuracy: 0.7912 },
    samplesPerSec: 420,
    timings: { trainSeconds: 27, recipeSeconds: 40, wallSeconds: 45 },
  };
}

describe('report.html', () => {
  it('embeds every logged step and the chart script, and cannot be broken out of by the data', () => {
    const html = reportHtml(run(), { js: 'window.drawn = "</script>";', css: '.u-legend{}' });
    const json = /<script id="run" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!;
    const embedded = JSON.parse(json) as TrainingRun;
    expect(embedded.steps).toHaveLength(170);
    expect(embedded.epochs[0]!.valLoss).toBeNull();
    // Exactly the two script elements: the data's and the bundle's "</script>" are escaped.
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain('window.drawn = "<\\/script>";');
    expect(html).toContain('<code>npm run train -- --epochs 2 --out &quot;&lt;/script&gt;&lt;b&gt;x&quot;</code>');
    expect(html).toContain('SwiftShader &lt;Device&gt;');
    expect(html).toContain('<a href="http://localhost:5173/studio/?epochs=2&amp;subset=6000">');
    expect(html).toContain('<strong>Test accuracy: 79.12 %</strong>');
    for (const id of ['loss', 'accuracy', 'lr']) expect(html).toContain(`<div class="chart" id="${id}"></div>`);
    expect(html).toContain('.u-legend{}');
  });
});
