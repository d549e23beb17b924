// Second backward pass, per element: dx = γ·invstd·(dy − Σdy/n − x̂·Σdy·x̂/n), the closed form of
// γ·invstd/n·(n·dy − Σdy − x̂·Σdy·x̂), with dy masked by y > 0 after a fused ReLU.
struct Params { n: u32, channels: u32, spatial: u32, flags: u32 }

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> coef: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

const AFFINE = 1u;
const RELU = 2u;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= p.n) { return; }
  let c = (i / p.spatial) % p.channels;
  let k = coef[c];
  var g = dy[i];
  if ((p.flags & RELU) != 0u && y[i] <= 0.0) { g = 0.0; }
  var scale = k.y;
  if ((p.flags & AFFINE) != 0u) { scale *= gamma[c]; }
  let xhat = (x[i] - k.x) * k.y;
  dx[i] = scale * (g - k.z - xhat * k.w);
}
