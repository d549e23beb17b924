import { init, mlp, Adam, StepStats, compile, crossEntropy, predictTopK, imageToTensor, seed } from 'wgsl-nn';

await init();
seed(0);
const imagesF32 = new Float32Array(2 * 28 * 28).fill(0.5), labelsI32 = Int32Array.of(3, 7);
const imageData = { data: new Uint8ClampedArray(56 * 56 * 4).fill(255), width: 56, height: 56 };  // or ImageData, a canvas…
const model = mlp([784, 64, 10]);
console.log(String(model));          // PyTorch's repr: Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n  (1): Linear(in_features=784, …
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const stats = new StepStats(model, opt);             // statistics computed inside the compiled step, when asked
const step = compile((x, y) => {
  opt.zeroGrad();
  const loss = crossEntropy(stats.forward(x), y);    // records each layer's output
  loss.backward();
  stats.beforeUpdate();
  opt.step();
  stats.afterUpdate();                               // each parameter's gradient, weight and update
  return loss;
}, { inputShapes: [[1, 28, 28], []] });
stats.request();                                     // only the next replay computes them; the others skip the work
step(imagesF32, labelsI32).dispose();
const report = await stats.read();                   // read back asynchronously, no stall
console.log(report!.layers.map((l) => `${l.label}: mean ${l.mean.toFixed(3)}, std ${l.std.toFixed(3)}`));
// ['0 Flatten: mean 0.500, std 0.000', '1 Linear+ReLU: mean …', '3 Linear: …']  (+ min, max, zeroFraction, histogram…)
console.log(report!.parameters.map((p) => `${p.name}: ‖g‖ ${p.grad.norm.toExponential(2)}, ‖Δw‖/‖w‖ ${p.updateRatio.toExponential(2)}`));
console.log(String(model.summary([2, 1, 28, 28], step)));  // layers, output shapes, parameters, bytes, dispatches, memory
const top3 = await predictTopK(model, imageToTensor(imageData, { invert: true }), 3);  // ImageData, <canvas>, ImageBitmap, <img>
console.log(top3.row(0));                            // [{ index: 3, probability: 0.41 }, …] most probable first
