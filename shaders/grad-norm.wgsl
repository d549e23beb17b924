// Global L2 norm of a whole gradient arena (torch.nn.utils.clip_grad_norm_'s total_norm, norm_type 2):
// sqrt(Σ g²), computed on the GPU so clipping needs no CPU read. Each thread strides over the input
// (grid-stride, so any size fits a bounded number of workgroups), the workgroup folds its 256 partial
// sums with a tree in workgroup memory. One workgroup: the first pass writes the norm directly; several:
// each writes its sum of squares and a second single-workgroup pass (PASS_COMBINE) adds them up.
// The padding of an arena is zero, so summing whole vec4s over the arena is exact.
struct Params {
  n4: u32,  // vec4s to read
}

@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

const PASS_ONLY = 0u;      // squares → sqrt(sum), one workgroup
const PASS_PARTIAL = 1u;   // squares → out[workgroup] = partial sum of squares
const PASS_COMBINE = 2u;   // partial sums → sqrt(sum), one workgroup
const PASS = 0u;

var<workgroup> s_sum: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = linear_workgroup_id(wid, nwg);
  let stride = nwg.x * nwg.y * nwg.z * 256u;
  var acc = 0.0;
  for (var i = group * 256u + lid; i < p.n4; i += stride) {
    let v = x[i];
    if (PASS == PASS_COMBINE) { acc += v.x + v.y + v.z + v.w; } else { acc += dot(v, v); }
  }
  s_sum[lid] = acc;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (lid < half) { s_sum[lid] += s_sum[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    if (PASS == PASS_PARTIAL) { out[group] = s_sum[0]; } else { out[0] = sqrt(s_sum[0]); }
  }
}
