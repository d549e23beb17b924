// Squared error per element, loss and gradient in one pass: loss = (x − t)², ∂loss/∂x = 2(x − t),
// scaled by `scale` (1/n for 'mean') times the upstream gradient dloss (none, scalar or per element).
struct Params { n: u32, scale: f32, dloss_mode: u32, outputs: u32 }

@group(0) @binding(0) var<storage, read> pred: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read> dloss: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const WRITE_LOSS = 1u;
const WRITE_GRAD = 2u;
const DLOSS_SCALAR = 1u;
const DLOSS_PER_ELEMENT = 2u;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= p.n) { return; }
  let d = pred[i] - targets[i];
  if ((p.outputs & WRITE_LOSS) != 0u) { loss[i] = d * d; }
  if ((p.outputs & WRITE_GRAD) != 0u) {
    var k = p.scale;
    if (p.dloss_mode == DLOSS_SCALAR) { k *= dloss[0]; }
    if (p.dloss_mode == DLOSS_PER_ELEMENT) { k *= dloss[i]; }
    grad[i] = 2.0 * d * k;
  }
}
