// Batch statistics of one channel per workgroup: x is [N, C, S] (S = product of the spatial dims).
// Each thread runs Welford over a strided slice, then the workgroup merges the partial (count, mean, M2)
// with Chan et al.'s formula. Unlike Σx² − (Σx)²/n this keeps full precision when |mean| ≫ std
// (x ≈ 1000 + N(0, 1) would lose every significant digit of the variance in f32).
// Thread 0 writes mean and 1/√(σ²+ε) for the backward pass and updates the running statistics
// the PyTorch way: r = (1 − momentum)·r + momentum·batch, with the unbiased variance M2/(n − 1).
struct Params { channels: u32, spatial: u32, count: u32, eps: f32, momentum: f32, update_running: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> save_mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> save_invstd: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const WG = 256u;
var<workgroup> w_n: array<f32, WG>;
var<workgroup> w_mean: array<f32, WG>;
var<workgroup> w_m2: array<f32, WG>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = linear_workgroup_id(wid, nwg);
  if (c >= p.channels) { return; }
  var n = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var i = lid; i < p.count; i += WG) {
    let b = i / p.spatial;
    let v = x[(b * p.channels + c) * p.spatial + (i - b * p.spatial)];
    n += 1.0;
    let d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  w_n[lid] = n;
  w_mean[lid] = mean;
  w_m2[lid] = m2;
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    workgroupBarrier();
    if (lid < stride) {
      let na = w_n[lid];
      let nb = w_n[lid + stride];
      let total = na + nb;
      if (nb > 0.0) {
        let d = w_mean[lid + stride] - w_mean[lid];
        w_mean[lid] += d * (nb / total);
        w_m2[lid] += w_m2[lid + stride] + d * d * (na * nb / total);
        w_n[lid] = total;
      }
    }
  }
  if (lid == 0u) {
    let count = f32(p.count);
    let mu = w_mean[0];
    let m2_all = w_m2[0];
    save_mean[c] = mu;
    save_invstd[c] = inverseSqrt(m2_all / count + p.eps);
    if (p.update_running != 0u) {
      running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mu;
      running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * (m2_all / (count - 1.0));
    }
  }
}
