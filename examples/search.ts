import { init, randomSearch, findLr, formatSearchTable, logUniform, mlp, loadFashionMNIST, fashionMNISTDataset, seed } from 'wgsl-nn';

await init();
const data = fashionMNISTDataset((await loadFashionMNIST({ subset: 300 })).train);  // Node: Debian's files
const result = await randomSearch({
  space: { lr: logUniform(1e-3, 0.3), optimizer: ['sgd', 'momentum', 'adam'], weightDecay: [0, 1e-4], width: [32, 64] },
  model: (c) => mlp([784, Number(c.width), 10]),   // built after seed(seed + trial index)
  data, trials: 4, steps: 16, batchSize: 32,        // 20 % holdout; `folds: 5` for 5-fold cross-validation
  concurrency: 4, earlyStopping: { patience: 2 },   // 4 at once; those sharing width and optimizer kind: one stack
  onTrialEnd: (t) => console.log(`#${t.index} ${t.status} ${t.score.toFixed(3)}`),
});
console.log(formatSearchTable(result.table, result.metric));   // best first, diverged last
console.log(result.best?.config, result.bestWeights?.length, result.memory);  // weights as safetensors

seed(0);
const model = mlp([784, 64, 10]);
const lr = await findLr(model, data, { steps: 30 });   // Smith's range test: 1e-7 → 10, exponentially
console.log(lr.suggestedLr, lr.minLossLr, lr.steepestLr); // a tenth of the lowest loss's lr; that lr; steepest descent
