// Philox4x32-10 samples whose key and stream come from a storage buffer instead of the uniform: a caller that
// rewrites that buffer before each replay (RandomStream, src/ops/random-stream.ts) gets new numbers from every replay
// of a compiled step. Thread t turns counter (t, stream, 0, 0) and key (seed) into 4 u32, exactly as random.wgsl,
// so stream k of a seed gives the numbers of the random kernel with that seed and stream.
struct Params { n: u32, dist: u32, a: f32, b: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> rng: array<u32>;  // [seed_lo, seed_hi, stream]
@group(0) @binding(2) var<uniform> p: Params;

// p.dist: 0 uniform a + (b - a) * U[0, 1), 1 normal a + b * N(0, 1) (philox_sample in the prelude).
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 64u + lid;
  let base = t * 4u;
  if (base >= p.n) { return; }
  let bits = philox4x32_10(vec4u(t, rng[2], 0u, 0u), vec2u(rng[0], rng[1]));
  let v = philox_sample(bits, p.dist, p.a, p.b);
  for (var j = 0u; j < 4u; j++) {
    if (base + j < p.n) { out[base + j] = v[j]; }
  }
}
