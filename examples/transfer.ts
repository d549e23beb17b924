import {
  init, lenet5, saveModel, loadModel, Linear, freeze, unfreeze, Adam, fit, evaluate, augment, randomCrop,
  randomHorizontalFlip, randomBrightness, flipViews, features, nearestNeighbors, noGrad, InMemoryDataset, tensor, seed,
} from 'wgsl-nn';

await init();
seed(1);
// Stand-ins for the data (the worked example, `npm run example:transfer`, uses Fashion-MNIST's classes 5–9).
const pixels = (n: number) => Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 997) / 997);
const dataset = (n: number) => new InMemoryDataset(pixels(n), Int32Array.from({ length: n }, (_, i) => i % 5), { sampleShape: [1, 28, 28], classes: 5 });
const train = dataset(20), test = dataset(10);
const queries = tensor(pixels(2), [2, 1, 28, 28]), gallery = tensor(pixels(9), [9, 1, 28, 28]);

const pretrainedBytes = await saveModel(lenet5());          // or a .safetensors file from PyTorch
const model = lenet5({ classes: 5 });
const { report } = loadModel(model, pretrainedBytes, { strict: false, skipMismatched: true });
console.log(report.mismatched);     // ['11.weight: file [10, 84] vs module [5, 84]', '11.bias: file [10] vs module [5]']
model.replace(-1, new Linear(84, 5));                       // a new head (PyTorch: model[-1] = …)
freeze(model);                                              // requireGrad(false) on every parameter…
unfreeze(model.at(-1));                                     // …but the head's
const opt = new Adam(model.parameters(), { lr: 1e-2 });     // frozen ones are skipped
await fit(model, train, {
  epochs: 3, batchSize: 10, optimizer: opt,
  augment: augment([randomCrop(28, { padding: 2 }), randomHorizontalFlip(), randomBrightness(0.2)], { seed: 1 }),
});
const { accuracy } = await evaluate(model, test, { tta: flipViews() });
console.log(accuracy);                                      // a share of the 10 test images

// Fine-tuning every layer, the pretrained ones gently (per-group lr and weight decay; a schedule scales each group):
unfreeze(model);
const head = model.at(-1).parameters();
const body = model.parameters().filter((p) => !head.includes(p));
const tune = new Adam([{ params: body, lr: 1e-4 }, { params: head }], { lr: 1e-2, weightDecay: 1e-4 });
console.log(tune.groupLr(0), tune.groupLr(1));              // 0.0001 0.01

// Similar-image search: the 84 features before the classifier as image descriptors, cosine top-k on the GPU.
model.eval();
const embed = features(model, -2);
const { indices, scores } = noGrad(() => nearestNeighbors(embed.forward(queries), embed.forward(gallery), 8));
console.log(indices.shape, await scores.toArray());         // [2, 8], cosine similarities, best first
