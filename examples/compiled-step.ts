import { init, lenet5, SGD, crossEntropy, compile, formatProfile, seed } from 'wgsl-nn';

const rt = await init();
seed(0);
const model = lenet5();                               // Conv2d/MaxPool2d/Linear, PyTorch names: '0.weight', …
const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const step = compile((x, y) => {
  opt.zeroGrad();
  const loss = crossEntropy(model.forward(x), y);   // fused softmax cross-entropy + gradient
  loss.backward();
  opt.step();                                        // one fused dispatch updates every parameter
  return loss;
}, { inputShapes: [[1, 28, 28], []] });

// A synthetic batch of 4 images and labels (real data: loadFashionMNIST() and a DataLoader).
const images = Float32Array.from({ length: 4 * 28 * 28 }, (_, i) => (i % 28) / 28);
const labels = Int32Array.from({ length: 4 }, (_, i) => i % 10);
for (let i = 1; i <= 3; i++) {
  const loss = step(images, labels);                 // first call traces; later calls replay: 1 submit
  console.log(`step ${i}: loss ${(await loss.item()).toFixed(4)}`); // read only when you want it
  loss.dispose();
}
// Where the GPU time goes (each profiled replay is a real step; more repeats, a steadier median):
if (rt.features.has('timestamp-query')) console.log(formatProfile(await step.profile([images, labels], { repeats: 1 })));
// GPU time per step 1.23 ms (the whole step as replayed, median of 1)
// Sum of 35 dispatches timed one per pass … (isolated, with per-pass overhead: not a part of the step time; …)
//   matmul · matmul        ×8   …  41.0%   (one line per op · kernel, largest first)
