// Philox4x32-10 samples whose key and stream come from a storage buffer instead of the uniform: a caller that
// rewrites that buffer before each replay (RandomStream, src/ops/random-stream.ts) gets new numbers from every replay
// of a compiled step. Thread t turns counter (t, stream, 0, 0) and key (seed) into 4 u32, exactly as random.wgsl,
// so stream k of a seed gives the numbers of the random kernel with that seed and stream.
struct Params { n: u32, dist: u32, a: f32, b: f32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> rng: array<u32>;  // [seed_lo, seed_hi, stream]
@group(0) @binding(2) var<uniform> p: Params;

const DIST_UNIFORM: u32 = 0u;  // a + (b - a) * U[0, 1)
const DIST_NORMAL: u32 = 1u;   // a + b * N(0, 1), Box-Muller

fn to_unit(x: u32) -> f32 { return f32(x >> 8u) * (1.0 / 16777216.0); }

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 64u + lid;
  let base = t * 4u;
  if (base >= p.n) { return; }
  let bits = philox4x32_10(vec4u(t, rng[2], 0u, 0u), vec2u(rng[0], rng[1]));
  var v: vec4f;
  if (p.dist == DIST_NORMAL) {
    let u1a = to_unit(bits.x) + (1.0 / 16777216.0);
    let u1b = to_unit(bits.z) + (1.0 / 16777216.0);
    let ra = sqrt(-2.0 * log(u1a));
    let rb = sqrt(-2.0 * log(u1b));
    let ta = 6.283185307179586 * to_unit(bits.y);
    let tb = 6.283185307179586 * to_unit(bits.w);
    v = p.a + p.b * vec4f(ra * cos(ta), ra * sin(ta), rb * cos(tb), rb * sin(tb));
  } else {
    v = p.a + (p.b - p.a) * vec4f(to_unit(bits.x), to_unit(bits.y), to_unit(bits.z), to_unit(bits.w));
  }
  for (var j = 0u; j < 4u; j++) {
    if (base + j < p.n) { out[base + j] = v[j]; }
  }
}
