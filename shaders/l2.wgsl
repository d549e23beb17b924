// Gradient of R(W) = λ·ΣW²: out = 2λ·W, times the upstream scalar gradient when one is given.
struct Params { n: u32, factor: f32, has_dloss: u32 }

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> dloss: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= p.n) { return; }
  var k = p.factor;
  if (p.has_dloss != 0u) { k *= dloss[0]; }
  out[i] = k * w[i];
}
