// out[j] = x[offset(j)]: each thread writes one output element and gathers its input from the output
// coordinates and the input strides reordered by the permutation (out dim k reads input dim dims[k]).
// Elements move as u32 bits, so one kernel serves every 4-byte dtype.
struct Params {
  n: u32,
  rank: u32,
  shape: array<vec4u, 2>,    // output shape, dims 0..7
  strides: array<vec4u, 2>,  // input stride of the dim that output dim k takes
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (j >= p.n) { return; }
  var rest = j;
  var src = 0u;
  for (var k = i32(p.rank) - 1; k >= 0; k--) {
    let d = p.shape[k / 4][k % 4];
    src += (rest % d) * p.strides[k / 4][k % 4];
    rest /= d;
  }
  out[j] = x[src];
}
