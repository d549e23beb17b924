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
    // x ≤ 0 picks α·eˣ, so NaN takes the x > 0 branch as in PyTorch's elu_backward.
    case ELU: { return select(1.0, p.param * exp(v), v <= 0.0); }
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
  let v = a[i];
  if (BACKWARD) {
    // ReLU selects like PyTorch's threshold_backward (y ≤ 0 → 0, else dy: NaN y passes dy, and an infinite
    // dy where y ≤ 0 gives 0, not inf·0).
    if (KIND == RELU) { out[i] = select(dy[i], 0.0, v <= 0.0); } else { out[i] = dy[i] * derivative(v); }
  } else {
    out[i] = select(forward(v), v, is_nan(v));  // NaN in, NaN out, whatever the formula's builtins do
  }
}
