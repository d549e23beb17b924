// Feasibility check for #14 (one plan over a stacked trial dimension), run on SwiftShader:
//   node scripts/bundle-node.mjs bench/node/stack-exactness.ts bench/dist/stack-exactness.mjs && node bench/dist/stack-exactness.mjs
// Prints, per LeNet-5 layer at batch 32 and K = 8 trials, how many elements of the stacked result differ from the solo ones.
import * as wn from '../../src/index.js';
import { conv2d, conv2dBackward, dwSamplesPerPartial } from '../../src/ops/conv.js';
import { matmul } from '../../src/ops/matmul.js';
import { sum } from '../../src/ops/reduce.js';
import { randomArray } from '../suite/data.js';
import { setupDawn } from './common.js';
const rt = await wn.init({ gpu: setupDawn([]) });
let draws = 0;
const rnd = (n: number) => randomArray(n, ++draws);
/** The arrays end to end: K trials' operands stacked along a new leading dimension. */
const cat = (a: Float32Array[]) => { const o = new Float32Array(a.reduce((n, v) => n + v.length, 0)); let p = 0; for (const v of a) { o.set(v, p); p += v.length; } return o; };
const T = (d: Float32Array, shape: number[]) => wn.tensor(d, shape, 'f32', rt);
const K = 8;
const same = async (name: string, solo: wn.Tensor[], stacked: wn.Tensor) => {
  const st = await stacked.toArray() as Float32Array;
  const per = st.length / K;
  let diff = 0, maxAbs = 0;
  for (let k = 0; k < K; k++) {
    const a = await solo[k]!.toArray() as Float32Array;
    for (let i = 0; i < per; i++) if (a[i] !== st[k * per + i]) { diff++; maxAbs = Math.max(maxAbs, Math.abs(a[i]! - st[k * per + i]!)); }
  }
  console.log(`${name}: ${diff} of ${st.length} differ (max |diff| ${maxAbs})`);
};
// Linear: [B, in] · W[out, in]ᵀ per trial vs [K, B, in] · [K, out, in]ᵀ batched (LeNet-5's fc shapes, batch 32).
for (const [B, inF, outF] of [[32, 400, 120], [32, 120, 84], [32, 84, 10]] as const) {
  const xs = Array.from({ length: K }, () => rnd(B * inF)), ws = Array.from({ length: K }, () => rnd(outF * inF));
  const solo = xs.map((x, k) => matmul(T(x, [B, inF]), T(ws[k]!, [outF, inF]), { transposeB: true }));
  const stacked = matmul(T(cat(xs), [K, B, inF]), T(cat(ws), [K, outF, inF]), { transposeB: true });
  await same(`linear fwd ${B}x${inF}->${outF}`, solo, stacked);
  // dW = dYᵀ X per trial vs batched
  const dys = Array.from({ length: K }, () => rnd(B * outF));
  const soloDw = dys.map((dy, k) => matmul(T(dy, [B, outF]), T(xs[k]!, [B, inF]), { transposeA: true }));
  const stDw = matmul(T(cat(dys), [K, B, outF]), T(cat(xs), [K, B, inF]), { transposeA: true });
  await same(`linear dW ${outF}x${inF}`, soloDw, stDw);
  const soloDb = dys.map((dy) => sum(T(dy, [B, outF]), 0));
  const stDb = sum(T(cat(dys), [K, B, outF]), 1);
  await same(`linear db ${outF}`, soloDb, stDb);
}
// Conv: LeNet-5's two convolutions, batch 32: K solo convs vs one with groups = K (trial k's channels are group k).
for (const [B, C, H, Co, k, pad] of [[32, 1, 28, 6, 5, 2], [32, 6, 14, 16, 5, 0]] as const) {
  const x = rnd(B * C * H * H);
  const ws = Array.from({ length: K }, () => rnd(Co * C * k * k)), bs = Array.from({ length: K }, () => rnd(Co));
  const xt = T(x, [B, C, H, H]);
  const solo = ws.map((w, t) => conv2d(xt, T(w, [Co, C, k, k]), { padding: pad, bias: T(bs[t]!, [Co]), activation: 'relu' }));
  // x repeated per trial along channels: [B, K·C, H, H]
  const xr = new Float32Array(B * K * C * H * H);
  for (let n = 0; n < B; n++) for (let t = 0; t < K; t++) xr.set(x.subarray(n * C * H * H, (n + 1) * C * H * H), (n * K + t) * C * H * H);
  const wcat = cat(ws), bcat = cat(bs);
  const st = conv2d(T(xr, [B, K * C, H, H]), T(wcat, [K * Co, C, k, k]), { padding: pad, groups: K, bias: T(bcat, [K * Co]), activation: 'relu' });
  // stacked output is [B, K·Co, Ho, Wo]: reorder to [K, B, Co, Ho, Wo] on the CPU to compare.
  const sa = await st.toArray() as Float32Array, ho = st.shape[2]!, plane = Co * ho * ho;
  const re = new Float32Array(sa.length);
  for (let n = 0; n < B; n++) for (let t = 0; t < K; t++) re.set(sa.subarray((n * K + t) * plane, (n * K + t + 1) * plane), (t * B + n) * plane);
  await same(`conv fwd C${C}->${Co} k${k}`, solo, T(re, [re.length]));
  // Backward, dw partials forced to the solo choice.
  const dys = Array.from({ length: K }, () => rnd(B * plane));
  const perPartial = dwSamplesPerPartial(B, 1, Co, C * k * k, Co * C * k * k);
  const soloG = dys.map((dy, t) => conv2dBackward(T(dy, [B, Co, ho, ho]), xt, T(ws[t]!, [Co, C, k, k]), { padding: pad, dwSamplesPerPartial: perPartial }));
  const dyr = new Float32Array(K * B * plane);
  for (let n = 0; n < B; n++) for (let t = 0; t < K; t++) dyr.set(dys[t]!.subarray(n * plane, (n + 1) * plane), (n * K + t) * plane);
  const stG = conv2dBackward(T(dyr, [B, K * Co, ho, ho]), T(xr, [B, K * C, H, H]), T(wcat, [K * Co, C, k, k]), { padding: pad, groups: K, dwSamplesPerPartial: perPartial });
  await same(`conv dw C${C}->${Co} (perPartial ${perPartial}; stacked default would be ${dwSamplesPerPartial(B, K, Co, C * k * k, K * Co * C * k * k)})`, soloG.map((g) => g.dw!), stG.dw!);
  await same(`conv db`, soloG.map((g) => g.db!), stG.db!);
}
