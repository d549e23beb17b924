// Binary cross-entropy with logits, per element, loss and gradient in one pass:
//   loss = max(z, 0) − z·y + log(1 + e^(−|z|))   (never exponentiates a positive number)
//   ∂loss/∂z = σ(z) − y
// scaled by `scale` (1/n for 'mean') times the upstream gradient dloss (none, scalar or per element).
struct Params { n: u32, scale: f32, dloss_mode: u32, outputs: u32 }

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read> dloss: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const WRITE_LOSS = 1u;
const WRITE_GRAD = 2u;
const DLOSS_SCALAR = 1u;
const DLOSS_PER_ELEMENT = 2u;

// log(1 + t) for t in [0, 1]. WGSL has no log1p and log(1 + t) loses t entirely below 6e-8, which
// is exactly the loss of a confidently correct prediction; the series is exact to f32 below 1e-2.
fn log1p_small(t: f32) -> f32 {
  if (t < 1e-2) { return t * (1.0 - t * (0.5 - t * (1.0 / 3.0 - t * (0.25 - t * 0.2)))); }
  return log(1.0 + t);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= p.n) { return; }
  let z = logits[i];
  let y = targets[i];
  let e = exp(-abs(z));
  // NaN in the logit or the target gives NaN loss and gradient (max(NaN, 0) is backend-defined).
  let nan_in = is_nan(z) || is_nan(y);
  // max(z, 0) − z·y written per branch as PyTorch groups it, (1 − y)·z for z ≥ 0 and −y·z below, so an
  // infinite logit gives PyTorch's value (z = +Inf, y = 0: +Inf, not inf − inf·0 = NaN).
  let lin = select(-y * z, (1.0 - y) * z, z >= 0.0);
  if ((p.outputs & WRITE_LOSS) != 0u) { loss[i] = select(lin + log1p_small(e), quiet_nan(z + y), nan_in); }
  if ((p.outputs & WRITE_GRAD) != 0u) {
    var k = p.scale;
    if (p.dloss_mode == DLOSS_SCALAR) { k *= dloss[0]; }
    if (p.dloss_mode == DLOSS_PER_ELEMENT) { k *= dloss[i]; }
    // σ(z) from e = e^(−|z|) ≤ 1, so neither branch overflows.
    let sig = select(e / (1.0 + e), 1.0 / (1.0 + e), z >= 0.0);
    grad[i] = select((sig - y) * k, quiet_nan(z + y), nan_in);
  }
}
