// The update rule shared by shaders/optimizer.wgsl (one set of hyperparameters) and
// shaders/optimizer-trials.wgsl (one set per trial of a stack), one thread per vec4 of the parameter arena
// (src/arena.ts), each file adding its bindings and entry point. The optimizer kind is a compile-time
// constant (folded away); the hyperparameters live in a small storage buffer rewritten every step, so a
// learning-rate schedule and the step count change without new pipelines or bind groups. Scalars derived
// from the step count (bias corrections, AdaGrad's decayed lr) are computed on the CPU in float64, as
// PyTorch computes them in Python. Formulas follow torch.optim (1.13, foreach=False), with g the gradient:
//
//   clip (clip_grad_norm_):  g ← g · min(max_norm / (‖all grads‖₂ + 1e-6), 1), written back like PyTorch
//   L2 weight decay (all but AdamW, when weight_decay ≠ 0):  g ← g + weight_decay · p
//   SGD:       p ← p − lr · g
//   momentum:  b ← g on the first step, else b ← momentum · b + (1 − dampening) · g;   p ← p − lr · b
//   Nesterov:  b as above;  p ← p − lr · (g + momentum · b)
//   AdaGrad:   sum ← sum + g²;  p ← p − clr · g / (√sum + eps),  clr = lr / (1 + (t − 1) · lr_decay)
//   RMSProp:   sq ← α · sq + (1 − α) · g²;  centered: ga ← α · ga + (1 − α) · g, avg = √(sq − ga²) + eps,
//              else avg = √sq + eps;  momentum > 0: b ← momentum · b + g / avg, p ← p − lr · b,
//              else p ← p − lr · g / avg   (b starts at 0, unlike SGD's)
//   Adam:      m ← β1 · m + (1 − β1) · g;  v ← β2 · v + (1 − β2) · g²;
//              p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
//   AdamW:     p ← p · (1 − lr · weight_decay), then Adam without L2 decay
struct Hyper {
  n4: u32,                  // vec4s in the arena
  first_step: u32,          // 1 on the optimizer's first step
  lr: f32,                  // AdaGrad: clr; Adam/AdamW: lr / (1 − β1ᵗ)
  weight_decay: f32,
  decay: f32,               // AdamW: 1 − lr · weight_decay
  momentum: f32,
  one_minus_dampening: f32,
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,               // RMSProp: α
  one_minus_beta2: f32,
  eps: f32,
  bias_correction2_sqrt: f32,
  max_norm: f32,
}

const SGD = 0u;
const SGD_MOMENTUM = 1u;
const SGD_NESTEROV = 2u;
const ADAGRAD = 3u;
const RMSPROP = 4u;
const ADAM = 5u;
const ADAMW = 6u;
const KIND = 0u;
const CENTERED = false;       // RMSProp
const RMS_MOMENTUM = false;   // RMSProp with momentum > 0

// The hyperparameters as each lane of a vec4 sees them: one trial's for all four (fn rates), or each lane
// its own trial's (shaders/optimizer-trials.wgsl). Lane-wise ops give every lane exactly the scalar result.
struct Rates {
  first_step: vec4<bool>,
  lr: vec4f,
  weight_decay: vec4f,
  decay: vec4f,
  momentum: vec4f,
  one_minus_dampening: vec4f,
  beta1: vec4f,
  one_minus_beta1: vec4f,
  beta2: vec4f,
  one_minus_beta2: vec4f,
  eps: vec4f,
  bias_correction2_sqrt: vec4f,
}

fn rates(h: Hyper) -> Rates {
  return Rates(vec4<bool>(h.first_step != 0u), vec4f(h.lr), vec4f(h.weight_decay), vec4f(h.decay), vec4f(h.momentum),
    vec4f(h.one_minus_dampening), vec4f(h.beta1), vec4f(h.one_minus_beta1), vec4f(h.beta2), vec4f(h.one_minus_beta2),
    vec4f(h.eps), vec4f(h.bias_correction2_sqrt));
}

// Updates vec4 i of the parameters and their state from gradient g (already clipped).
fn update(i: u32, grad: vec4f, r: Rates) {
  var g = grad;
  var p = params[i];
  if (KIND == ADAMW) {
    p *= r.decay;
  } else {
    g = select(g, g + r.weight_decay * p, r.weight_decay != vec4f(0.0));
  }
  if (KIND == SGD) {
    p -= r.lr * g;
  } else if (KIND == SGD_MOMENTUM || KIND == SGD_NESTEROV) {
    let b = select(r.momentum * s1[i] + r.one_minus_dampening * g, g, r.first_step);
    s1[i] = b;
    if (KIND == SGD_NESTEROV) { p -= r.lr * (g + r.momentum * b); } else { p -= r.lr * b; }
  } else if (KIND == ADAGRAD) {
    let sum = s1[i] + g * g;
    s1[i] = sum;
    p -= r.lr * g / (sqrt(sum) + r.eps);
  } else if (KIND == RMSPROP) {
    let sq = r.beta2 * s1[i] + r.one_minus_beta2 * g * g;
    s1[i] = sq;
    var avg: vec4f;
    if (CENTERED) {
      let ga = r.beta2 * s3[i] + r.one_minus_beta2 * g;
      s3[i] = ga;
      avg = sqrt(sq - ga * ga) + r.eps;
    } else {
      avg = sqrt(sq) + r.eps;
    }
    if (RMS_MOMENTUM) {
      let b = r.momentum * s2[i] + g / avg;
      s2[i] = b;
      p -= r.lr * b;
    } else {
      p -= r.lr * g / avg;
    }
  } else if (KIND == ADAM || KIND == ADAMW) {
    let m = r.beta1 * s1[i] + r.one_minus_beta1 * g;
    let v = r.beta2 * s2[i] + r.one_minus_beta2 * g * g;
    s1[i] = m;
    s2[i] = v;
    p -= r.lr * m / (sqrt(v) / r.bias_correction2_sqrt + r.eps);
  }
  params[i] = p;
}
