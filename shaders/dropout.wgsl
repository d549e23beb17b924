// Inverted dropout: out = x · (m / (1 − p)), m ~ Bernoulli(1 − p); the backward is the same map applied to dy
// (the mask is regenerated, never stored). Element i uses word i mod 4 of
// Philox4x32-10(counter (⌊i/4⌋, step, 0, TAG), key seed) and is dropped when that word is below
// `threshold` = round(p·2³²). src/reference/dropout.ts computes the same mask on the CPU.
struct Params { n: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
// [seed_lo, seed_hi, step, threshold, bitcast<u32>(scale)] in a storage buffer rather than the uniform, so a
// compiled step can advance the step, and change p, at every replay with one upload.
@group(0) @binding(3) var<storage, read> rng: array<u32>;

// Fourth counter word, so a mask never reuses the numbers rand() draws from the same seed.
const TAG = 0x44524f50u;

// philox4x32_10 comes from shaders/prelude.wgsl.

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 64u + lid;
  let base = t * 4u;
  if (base >= p.n) { return; }
  let bits = philox4x32_10(vec4u(t, rng[2], 0u, TAG), vec2u(rng[0], rng[1]));
  for (var j = 0u; j < 4u; j++) {
    if (base + j < p.n) {
      out[base + j] = x[base + j] * select(0.0, bitcast<f32>(rng[4]), bits[j] >= rng[3]);
    }
  }
}
