import { init, tensor, randn, matmul, relu, tidy } from 'wgsl-nn';

await init();                                   // navigator.gpu (in Node, see "Node" below)
const a = randn([128, 64], { seed: 1 });        // generated on the GPU (Philox4x32-10)
const w = tensor(new Float32Array(64 * 10).fill(0.1), [64, 10]);
const y = tidy(() => relu(matmul(a, w)));       // tidy frees every intermediate it does not return
console.log(y.shape, await y.toArray());        // [128, 10] Float32Array(1280) [...]: async readback
