// Prepended to every kernel by the kernel system (src/kernel.ts).

// Linear id of a workgroup in a grid folded over x/y/z to respect maxComputeWorkgroupsPerDimension.
fn linear_workgroup_id(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + nwg.x * (wid.y + nwg.y * wid.z);
}

// NaN from the bits, because compilers may fold `v != v` away.
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Counter-based RNG Philox4x32-10 (Salmon et al. 2011), used by random.wgsl and dropout.wgsl;
// src/reference/philox.ts is its bit-identical CPU twin. Unused functions cost nothing once compiled.
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
