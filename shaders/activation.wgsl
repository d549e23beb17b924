// Pointwise activations, forward (out = f(a)) and backward (out = dy · f′ from a, which is x or y per kind).
// KIND and BACKWARD are specialization constants, so each pipeline keeps only its own formula.
// The forward binds `a` as `dy` too: one binding layout serves both directions.
struct Params { n: u32, param: f32 }  // param: LeakyReLU slope or ELU α

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const SIGMOID = 0u;    // backward from y
const TANH = 1u;       // backward from y
const RELU = 2u;       // backward from y
const LEAKY_RELU = 3u; // backward from x
const ELU = 4u;        // backward from x
const GELU = 5u;       // backward from x
const GELU_TANH = 6u;  // backward from x
const KIND = 0u;
const BACKWARD = false;

const SQRT_2_OVER_PI = 0.7978845608028654;
const INV_SQRT_2 = 0.7071067811865476;
const INV_SQRT_2PI = 0.3989422804014327;
const GELU_KAPPA = 0.044715;

// 1/(1 + e^−x) without overflow and with full relative accuracy for x ≪ 0 (e^x/(1 + e^x) there).
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= 0.0);
}

// WGSL's tanh is only specified as sinh/cosh (inaccurate near 0, inf/inf for large |x| on some backends).
// |x| < 0.625: Cephes tanhf's odd polynomial (relative error 4.4e-9 in exact arithmetic);
// else 1 − 2/(e^{2|x|} + 1), which has no cancellation there and saturates to 1.
fn tanh_accurate(x: f32) -> f32 {
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
fn expm1_nonpositive(x: f32) -> f32 {
  if (x > -0.5) {
    return x * (1.0 + x * (1.0 / 2.0 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0
           + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x * (1.0 / 362880.0)))))))));
  }
  return exp(x) - 1.0;
}

// erfc(z) for z ≥ 0 (Numerical Recipes' erfcc, a Chebyshev fit): relative error ≤ 1.05e-7 and absolute
// error ≤ 8.3e-8, so erf = 1 − erfc is within 8.3e-8 (measured in float64 on a 1e-4 grid over [0, 10]
// against src/reference/activation.ts's refErfc); f32 evaluation adds a few ulp.
fn erfc_nonnegative(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
             + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(-z * z + poly);
}

// Φ(x), the standard normal CDF, from erfc on both sides so the x ≪ 0 tail keeps its relative accuracy
// (0.5·(1 + erf(x/√2)) would cancel there).
fn normal_cdf(x: f32) -> f32 {
  let tail = 0.5 * erfc_nonnegative(abs(x) * INV_SQRT_2);
  return select(1.0 - tail, tail, x < 0.0);
}

// 2u of GELU's tanh form, which is written x·σ(2u) (= 0.5·x·(1 + tanh u)) to avoid 1 + tanh u cancelling.
fn gelu_tanh_arg(x: f32) -> f32 {
  return 2.0 * SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x);
}

fn forward(x: f32) -> f32 {
  switch KIND {
    case SIGMOID: { return sigmoid(x); }
    case TANH: { return tanh_accurate(x); }
    case RELU: { return select(x, 0.0, x < 0.0); }  // NaN passes, as in PyTorch
    case LEAKY_RELU: { return select(p.param * x, x, x > 0.0); }
    case ELU: { return select(p.param * expm1_nonpositive(x), x, x > 0.0); }
    case GELU: { return x * normal_cdf(x); }
    case GELU_TANH, default: { return x * sigmoid(gelu_tanh_arg(x)); }
  }
}

// f′ given v = y (sigmoid, tanh, relu) or v = x (the others).
fn derivative(v: f32) -> f32 {
  switch KIND {
    case SIGMOID: { return v * (1.0 - v); }
    case TANH: { return 1.0 - v * v; }
    case RELU: { return select(0.0, 1.0, v > 0.0); }
    case LEAKY_RELU: { return select(p.param, 1.0, v > 0.0); }
    case ELU: { return select(p.param * exp(v), 1.0, v > 0.0); }
    case GELU: { return normal_cdf(v) + v * INV_SQRT_2PI * exp(-0.5 * v * v); }
    case GELU_TANH, default: {
      let u2 = gelu_tanh_arg(v);
      let s = sigmoid(u2);
      return s + v * s * sigmoid(-u2) * 2.0 * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_KAPPA * v * v);
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= p.n) { return; }
  if (BACKWARD) {
    out[i] = dy[i] * derivative(a[i]);
  } else {
    out[i] = forward(a[i]);
  }
}
