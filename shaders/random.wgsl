// Counter-based RNG: Philox4x32-10 (Salmon et al. 2011). Thread t turns counter (t, stream, 0, 0) and the
// 64-bit key (seed) into 4 independent u32, so the same seed and stream always give the same numbers.
struct Params { n: u32, seed_lo: u32, seed_hi: u32, stream: u32, dist: u32, a: f32, b: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

// p.dist: 0 uniform a + (b - a) * U[0, 1), 1 normal a + b * N(0, 1); philox4x32_10 and philox_sample are in
// shaders/prelude.wgsl (shared with dropout and the random-stream kernel).

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 64u + lid;
  let base = t * 4u;
  if (base >= p.n) { return; }
  let bits = philox4x32_10(vec4u(t, p.stream, 0u, 0u), vec2u(p.seed_lo, p.seed_hi));
  let v = philox_sample(bits, p.dist, p.a, p.b);
  for (var j = 0u; j < 4u; j++) {
    if (base + j < p.n) { out[base + j] = v[j]; }
  }
}
