// Column matrix of a 2-D convolution (im2col) for a chunk of samples of x [N, C, H, W]:
//   cols[n, r, s] = x[n0 + n, ci, oy·sh − ph + i·dh, ox·sw − pw + j·dw]  (0 in the padding)
// with row r = (group g, tap k = (ci mod C/G)·kh·kw + i·kw + j) and column s = oy·out_w + ox. Each group's
// rows are followed by a row of ones when HAS_BIAS: with the bias appended to each weight row (wb below),
// the matmul then adds the bias as its last product, so it writes NCHW with bias and activation in one
// kernel (its own bias is per column, and the columns here are pixels, not channels).
// Where the row and sample indices go is set by two strides, for the two layouts src/ops/conv.ts uses:
// [n][r][s] (forward: a matmul batched over samples) and [r][n][s] (filter gradient: one long K = n·s).
//
// One thread per element; the threads past the column matrix build wb[co] = [w[co, :], bias[co]] (only
// while p.pack > 0, i.e. in the first chunk).

const HAS_BIAS = false;

struct Params {
  channels: u32, height: u32, width: u32, n0: u32,
  out_h: u32, out_w: u32, kh: u32, kw: u32,
  sh: i32, sw: i32, ph: i32, pw: i32,
  dh: i32, dw: i32, group_channels: u32, group_rows: u32,  // C/G; taps per group (+1 with the ones row)
  rows: u32, stride_n: u32, stride_r: u32, count: u32,       // G·group_rows; strides of n and r in cols; elements of cols
  pack: u32, _pad0: u32, _pad1: u32, _pad2: u32,             // elements of wb to write
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> cols: array<f32>;
@group(0) @binding(4) var<storage, read_write> wb: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

fn column_value(n: u32, r: u32, s: u32) -> f32 {
  let g = r / p.group_rows;
  let k = r % p.group_rows;
  let taps = p.kh * p.kw;
  if (HAS_BIAS && k == p.group_channels * taps) { return 1.0; }  // the ones row
  let ci = g * p.group_channels + k / taps;
  let i = i32(k % taps / p.kw);
  let j = i32(k % p.kw);
  let y = i32(s / p.out_w) * p.sh - p.ph + i * p.dh;
  let xx = i32(s % p.out_w) * p.sw - p.pw + j * p.dw;
  if (y < 0 || y >= i32(p.height) || xx < 0 || xx >= i32(p.width)) { return 0.0; }
  return x[(((p.n0 + n) * p.channels + ci) * p.height + u32(y)) * p.width + u32(xx)];
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (t < p.count) {
    let hw = p.out_h * p.out_w;
    let s = t % hw;
    let r = t / hw % p.rows;
    let n = t / hw / p.rows;
    cols[n * p.stride_n + r * p.stride_r + s] = column_value(n, r, s);
  } else if (HAS_BIAS && t - p.count < p.pack) {
    let e = t - p.count;
    let taps = p.group_channels * p.kh * p.kw;
    let co = e / p.group_rows;
    let k = e % p.group_rows;
    if (k < taps) { wb[e] = w[co * taps + k]; } else { wb[e] = bias[co]; }
  }
}
