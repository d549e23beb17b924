// `npm run example:transfer`: transfer learning on Fashion-MNIST (lectures 000 and 001), in Node on dawn.node.
//  1. pretrain LeNet-5 on classes 0–4 (T-shirt, Trouser, Pullover, Dress, Coat);
//  2. transfer to classes 5–9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) with 10 labelled images per class:
//     frozen pretrained features + a new head, against the same network from scratch, and fine-tuning every
//     layer with parameter groups (pretrained layers 100× gentler);
//  3. similar-image search: the frozen network's 84 features as descriptors, cosine top-k, drawn as a picture.
// Flags: --full (the full-size run), --out DIR, --data DIR, --seed N.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import { create, globals } from 'webgpu';
import {
  Adam, augment, evaluate, fashionMNISTDataset, features, fit, flipViews, freeze, init, InMemoryDataset, lenet5, Linear, loadFashionMNIST,
  loadModel, nearestNeighbors, noGrad, randomCrop, randomHorizontalFlip, saveModel, seed, tensor, unfreeze, FASHION_MNIST_CLASSES,
  type FashionMNISTSplit, type Sequential,
} from '../../src/index.js';
import { encodePng, type RgbaImage } from '../../scripts/png-chart/png.js';
import { fillRect, drawText } from '../../scripts/png-chart/raster.js';

const { values: flags } = parseArgs({ options: { full: { type: 'boolean' }, out: { type: 'string' }, data: { type: 'string' }, seed: { type: 'string' } } });
const SIZE = flags.full
  ? { pretrainImages: 30000, pretrainEpochs: 10, transferEpochs: 60, testImages: 5000, gallery: 5000 }
  : { pretrainImages: 600, pretrainEpochs: 2, transferEpochs: 15, testImages: 500, gallery: 500 };
const SEED = Number(flags.seed ?? 1);
const SHOTS = 10;
const outDir = path.resolve(flags.out ?? path.join('runs', `example-transfer-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`));

Object.assign(globalThis, globals);
const gpu = create([]) as GPU;
await init({ gpu });
const t0 = performance.now();
const pct = (a: number) => `${(100 * a).toFixed(1)} %`;
const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

const data = await loadFashionMNIST(flags.data ? { dir: flags.data } : {});
/** The first `limit` samples whose label is in [lo, hi), labels shifted by −lo. */
function classes(split: FashionMNISTSplit, lo: number, hi: number, limit: number, perClass = Infinity): FashionMNISTSplit {
  const rows: number[] = [], seen = new Array<number>(10).fill(0);
  for (let i = 0; i < split.n && rows.length < limit; i++) {
    const y = split.labels[i]!;
    if (y >= lo && y < hi && seen[y]! < perClass) {
      rows.push(i);
      seen[y]!++;
    }
  }
  const images = new Uint8Array(rows.length * 784);
  rows.forEach((r, k) => images.set(split.images.subarray(r * 784, (r + 1) * 784), k * 784));
  return { images, labels: Int32Array.from(rows, (r) => split.labels[r]! - lo), n: rows.length };
}
const pretrainSet = fashionMNISTDataset(classes(data.train, 0, 5, SIZE.pretrainImages));
const pretrainTest = fashionMNISTDataset(classes(data.test, 0, 5, SIZE.testImages));
const fewShotSplit = classes(data.train, 5, 10, 5 * SHOTS, SHOTS);
const fewShot = fashionMNISTDataset(fewShotSplit);
const targetSplit = classes(data.test, 5, 10, SIZE.testImages);
const targetTest = fashionMNISTDataset(targetSplit);

// 1. Pretraining on classes 0–4.
seed(SEED);
const pretrained = lenet5({ classes: 5 });
{
  const opt = new Adam(pretrained.parameters(), { lr: 1e-3 });
  log(`pretraining LeNet-5 on classes 0–4: ${pretrainSet.length} images, ${SIZE.pretrainEpochs} epochs`);
  await fit(pretrained, pretrainSet, {
    epochs: SIZE.pretrainEpochs, batchSize: 32, optimizer: opt, seed: SEED,
    callbacks: { onEpochEnd: (m) => log(`  epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(3)}, accuracy ${(100 * m.trainAcc).toFixed(1)} %`) },
  });
  opt.dispose();
}
const pretrainAcc = (await evaluate(pretrained, pretrainTest)).accuracy;
log(`pretrained: ${(100 * pretrainAcc).toFixed(1)} % on ${pretrainTest.length} test images of classes 0–4`);
const weights = await saveModel(pretrained);

// 2. Transfer to classes 5–9 with 10 images per class, three ways, the same augmentation and schedule.
const augmentation = () => augment([randomCrop(28, { padding: 2 }), randomHorizontalFlip()], { seed: SEED });
async function train(model: Sequential, opt: Adam): Promise<number> {
  const aug = augmentation();
  await fit(model, fewShot, { epochs: SIZE.transferEpochs, batchSize: 10, optimizer: opt, seed: SEED, augment: aug });
  aug.dispose();
  opt.dispose();
  return (await evaluate(model, targetTest)).accuracy;
}

function fromPretrained(): Sequential {
  const model = lenet5({ classes: 5 });
  const { report } = loadModel(model, weights, { strict: false, skipMismatched: true });
  if (report.missing.length) throw new Error(`unexpected missing weights: ${report.missing.join(', ')}`);
  model.replace(-1, new Linear(84, 5));   // the new head for the new classes
  return model;
}

seed(SEED + 1);
const frozen = fromPretrained();
freeze(frozen);
unfreeze(frozen.at(-1));
log(`frozen features + new head: ${fewShot.length} images, ${SIZE.transferEpochs} epochs`);
const frozenAcc = await train(frozen, new Adam(frozen.parameters(), { lr: 1e-2 }));
const frozenTta = (await evaluate(frozen, targetTest, { tta: flipViews() })).accuracy;
log(`  ${pct(frozenAcc)} on ${targetTest.length} test images of classes 5–9 (${pct(frozenTta)} with flip TTA)`);

seed(SEED + 1);
const scratch = lenet5({ classes: 5 });
log('the same network from scratch');
const scratchAcc = await train(scratch, new Adam(scratch.parameters(), { lr: 1e-3 }));
log(`  ${pct(scratchAcc)}`);

seed(SEED + 1);
const tuned = fromPretrained();
const head = tuned.at(-1).parameters();
const body = tuned.parameters().filter((p) => !head.includes(p));
log('fine-tuning every layer, parameter groups: pretrained layers at lr 1e-4, head at 1e-2');
const tunedAcc = await train(tuned, new Adam([{ params: body, lr: 1e-4 }, { params: head }], { lr: 1e-2 }));
log(`  ${pct(tunedAcc)}`);

console.log(`\nTest accuracy on ${targetTest.length} images of classes 5–9 (${SHOTS} labelled images per class):`);
console.log(`  frozen pretrained features + new head   ${pct(frozenAcc)}   (with flip TTA: ${pct(frozenTta)})`);
console.log(`  fine-tuned, parameter groups            ${pct(tunedAcc)}`);
console.log(`  from scratch                            ${pct(scratchAcc)}`);

// 3. Similar-image search with the frozen network's 84 features.
const galleryData = fashionMNISTDataset(classes(data.test, 5, 10, SIZE.gallery));
const embed = features(frozen, -2);
frozen.eval();
const all = galleryData.gather(Int32Array.from({ length: galleryData.length }, (_, i) => i));
const descriptors = noGrad(() => embed.forward(tensor(all.x, [galleryData.length, 1, 28, 28])));
const queryRows = [0, 1, 2, 3, 4].map((c) => Array.from(all.y).indexOf(c)).filter((i) => i >= 0);
const queries = noGrad(() => embed.forward(tensor(new Float32Array(queryRows.flatMap((r) => Array.from(all.x.subarray(r * 784, (r + 1) * 784)))), [queryRows.length, 1, 28, 28])));
const K = 9;   // the query itself comes first
const { indices } = nearestNeighbors(queries, descriptors, K);
const found = await indices.toArray() as Int32Array;
let same = 0;
queryRows.forEach((r, q) => {
  for (let t = 1; t < K; t++) same += all.y[found[q * K + t]!] === all.y[r] ? 1 : 0;
});
const precision = same / (queryRows.length * (K - 1));
console.log(`\nSimilar-image search over ${galleryData.length} test images (classes never seen in pretraining): precision@${K - 1} ${pct(precision)}`);

// The picture: one row per query, its 8 nearest neighbours after it, framed green (same class) or red.
const CELL = 60, IMG = 56, LABEL = 110;
const img: RgbaImage = { width: LABEL + K * CELL, height: queryRows.length * CELL + 20, rgba: new Uint8Array((LABEL + K * CELL) * (queryRows.length * CELL + 20) * 4) };
fillRect(img, 0, 0, img.width, img.height, [255, 255, 255]);
drawText(img, LABEL, 5, 'query   nearest neighbours by cosine similarity of LeNet-5 features', [0, 0, 0]);
const raw = classes(data.test, 5, 10, SIZE.gallery);
queryRows.forEach((r, q) => {
  const y0 = 20 + q * CELL;
  drawText(img, 4, y0 + CELL / 2 - 4, FASHION_MNIST_CLASSES[5 + all.y[r]!]!, [0, 0, 0]);
  for (let t = 0; t < K; t++) {
    const g = found[q * K + t]!, x0 = LABEL + t * CELL;
    const frame: [number, number, number] = t === 0 ? [60, 60, 200] : all.y[g] === all.y[r] ? [40, 170, 40] : [210, 40, 40];
    fillRect(img, x0, y0, IMG + 4, IMG + 4, frame);
    for (let py = 0; py < IMG; py++) for (let px = 0; px < IMG; px++) {
      const v = 255 - raw.images[g * 784 + (py >> 1) * 28 + (px >> 1)]!;
      const o = ((y0 + 2 + py) * img.width + x0 + 2 + px) * 4;
      img.rgba.set([v, v, v, 255], o);
    }
  }
});
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'similar.png'), encodePng(img, (b) => deflateSync(b)));
const results = {
  size: flags.full ? 'full' : 'default', seed: SEED, ...SIZE, shots: SHOTS, pretrainAcc, frozenAcc, frozenTtaAcc: frozenTta, fineTunedAcc: tunedAcc, scratchAcc,
  searchPrecisionAt8: precision, seconds: (performance.now() - t0) / 1000, adapter: 'dawn.node',
};
writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
log(`wrote ${path.join(outDir, 'similar.png')} and results.json`);
process.exit(0);
