// Prepended to every kernel by the kernel system (src/kernel.ts).

// Linear id of a workgroup in a grid folded over x/y/z to respect maxComputeWorkgroupsPerDimension.
fn linear_workgroup_id(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + nwg.x * (wid.y + nwg.y * wid.z);
}

// NaN from the bits, because compilers may fold `v != v` away.
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// A quiet NaN made from a run-time value (a NaN constant is a shader-creation error in WGSL).
fn quiet_nan(v: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(v) | 0x7fc00000u);
}

// max that returns NaN when either operand is NaN, as torch.max does (WGSL's max may return either).
fn max_nan(a: f32, b: f32) -> f32 {
  return select(max(a, b), a + b, is_nan(a) || is_nan(b));
}

// Activation formulas shared by shaders/activation.wgsl and the matmul/conv epilogue (shaders/matmul.wgsl),
// so fused and standalone activations give the same numbers, NaN and ±Inf included.
// 1/(1 + e^−x) without overflow and with full relative accuracy for x ≪ 0 (e^x/(1 + e^x) there).
// NaN passes through (exp(NaN) is backend-defined).
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(select(e * s, s, x >= 0.0), x, is_nan(x));
}

// WGSL's tanh is only specified as sinh/cosh (inaccurate near 0, inf/inf for large |x| on some backends).
// |x| < 0.625: Cephes tanhf's odd polynomial (relative error 4.4e-9 in exact arithmetic);
// else 1 − 2/(e^{2|x|} + 1), which has no cancellation there and saturates to 1.
// NaN passes through (sign(NaN) is backend-defined).
fn tanh_accurate(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let z = abs(x);
  if (z < 0.625) {
    let s = x * x;
    return ((((-5.70498872745e-3 * s + 2.06390887954e-2) * s - 5.37397155531e-2) * s + 1.33314422036e-1) * s
            - 3.33332819422e-1) * s * x + x;
  }
  return sign(x) * (1.0 - 2.0 / (exp(2.0 * z) + 1.0));
}

// e^x − 1 for x ≤ 0 (larger x only in the discarded arm of a select) without the cancellation of exp(x) − 1 near 0 (WGSL has no expm1): Taylor to x⁹ for
// |x| < 0.5 (truncation < 6e-10 relative), exp(x) − 1 below, where it loses at most a factor 1.6.
// NaN passes through.
fn expm1_nonpositive(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > -0.5) {
    return x * (1.0 + x * (1.0 / 2.0 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0
           + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x * (1.0 / 362880.0)))))))));
  }
  return exp(x) - 1.0;
}

// 2u of GELU's tanh form, which is written x·σ(2u) (= 0.5·x·(1 + tanh u)) to avoid 1 + tanh u cancelling.
fn gelu_tanh_arg(x: f32) -> f32 {
  return 2.0 * 0.7978845608028654 * (x + 0.044715 * x * x * x);  // 2·√(2/π)·(x + 0.044715·x³)
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

// The top 24 bits of a Philox word as a float in [0, 1).
fn to_unit(x: u32) -> f32 { return f32(x >> 8u) * (1.0 / 16777216.0); }

// Four samples from one Philox block: dist 0 uniform a + (b - a) * U[0, 1), dist 1 normal a + b * N(0, 1)
// (Box-Muller on the pairs (x, y) and (z, w)); the random and random-stream kernels share it.
fn philox_sample(bits: vec4u, dist: u32, a: f32, b: f32) -> vec4f {
  if (dist == 1u) {
    // u1 in (0, 1] keeps log finite.
    let u1a = to_unit(bits.x) + (1.0 / 16777216.0);
    let u1b = to_unit(bits.z) + (1.0 / 16777216.0);
    let ra = sqrt(-2.0 * log(u1a));
    let rb = sqrt(-2.0 * log(u1b));
    let ta = 6.283185307179586 * to_unit(bits.y);
    let tb = 6.283185307179586 * to_unit(bits.w);
    return a + b * vec4f(ra * cos(ta), ra * sin(ta), rb * cos(tb), rb * sin(tb));
  }
  return a + (b - a) * vec4f(to_unit(bits.x), to_unit(bits.y), to_unit(bits.z), to_unit(bits.w));
}
