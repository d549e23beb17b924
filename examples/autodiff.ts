import { init, tensor, mul, sum } from 'wgsl-nn';

await init();
const x = tensor([1, 2, 3]).requireGrad();
const loss = sum(mul(x, x));
loss.backward();                                 // x.grad = 2x
console.log(await x.grad!.toArray());            // Float32Array(3) [2, 4, 6]
