// One fused optimizer step over a whole parameter arena (src/arena.ts): every parameter, its gradient and
// its state are updated by one dispatch, one thread per vec4, with one set of hyperparameters. The rule
// itself is shaders/optimizer-update.wgsl (prepended).
@group(0) @binding(0) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> grads: array<vec4f>;
// State slots (PyTorch names): SGD momentum_buffer; AdaGrad sum; RMSProp square_avg, momentum_buffer,
// grad_avg; Adam exp_avg, exp_avg_sq. Unused slots are bound to a placeholder and never touched.
@group(0) @binding(2) var<storage, read_write> s1: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> s2: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> s3: array<vec4f>;
@group(0) @binding(5) var<storage, read> h: Hyper;
// [0] = global gradient norm from shaders/grad-norm.wgsl (read only when CLIP).
@group(0) @binding(6) var<storage, read> grad_norm: array<f32>;
// The runtime's label fault record (shaders/label-fault.wgsl): while [0] ≠ 0 a loss of this step (or an
// earlier, unreported one) saw an out-of-range label, so nothing is updated.
@group(0) @binding(7) var<storage, read> fault: array<u32>;

const CLIP = false;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= h.n4 || fault[0] != 0u) { return; }
  var g = grads[i];
  if (CLIP) {
    g *= min(h.max_norm / (grad_norm[0] + 1e-6), 1.0);
    grads[i] = g;
  }
  update(i, g, rates(h));
}
