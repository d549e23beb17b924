// Inverted dropout: out = x · (m / (1 − p)), m ~ Bernoulli(1 − p); the backward is the same map applied to dy
// (the mask is regenerated, never stored). Element i uses word i mod 4 of
// Philox4x32-10(counter (⌊i/4⌋, step, 0, TAG), key seed) and is dropped when that word is below
// `threshold` = round(p·2³²). src/reference/dropout.ts computes the same mask on the CPU.
struct Params { n: u32, threshold: u32, scale: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
// [seed_lo, seed_hi, step] in a storage buffer rather than the uniform, so a compiled step can advance
// the step at every replay with one upload.
@group(0) @binding(3) var<storage, read> rng: array<u32>;

// Fourth counter word, so a mask never reuses the numbers rand() draws from the same seed.
const TAG = 0x44524f50u;

// mulhilo and philox4x32_10 are copied from shaders/random.wgsl (WGSL has no includes): keep them identical.

// Full 64-bit product of two u32 as (hi, lo), from 16-bit halves.
fn mulhilo(a: u32, b: u32) -> vec2u {
  let a_lo = a & 0xffffu; let a_hi = a >> 16u;
  let b_lo = b & 0xffffu; let b_hi = b >> 16u;
  let ll = a_lo * b_lo;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let hh = a_hi * b_hi;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let lo = (ll & 0xffffu) | (mid << 16u);
  let hi = hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  return vec2u(hi, lo);
}

fn philox4x32_10(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(0xD2511F53u, c.x);
    let p1 = mulhilo(0xCD9E8D57u, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2u(0x9E3779B9u, 0xBB67AE85u);
  }
  return c;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 64u + lid;
  let base = t * 4u;
  if (base >= p.n) { return; }
  let bits = philox4x32_10(vec4u(t, rng[2], 0u, TAG), vec2u(rng[0], rng[1]));
  for (var j = 0u; j < 4u; j++) {
    if (base + j < p.n) {
      out[base + j] = x[base + j] * select(0.0, p.scale, bits[j] >= p.threshold);
    }
  }
}
