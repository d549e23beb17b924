// One fused optimizer step over a whole parameter arena (src/arena.ts): every parameter, its gradient and
// its state are updated by one dispatch, one thread per vec4. The optimizer kind is a compile-time
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

@group(0) @binding(0) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> grads: array<vec4f>;
// State slots (PyTorch names): SGD momentum_buffer; AdaGrad sum; RMSProp square_avg, momentum_buffer,
// grad_avg; Adam exp_avg, exp_avg_sq. Unused slots are bound to a placeholder and never touched.
@group(0) @binding(2) var<storage, read_write> s1: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> s2: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> s3: array<vec4f>;
@group(0) @binding(5) var<storage, read> h: Hyper;
// [0] = global gradient norm from shaders/grad-norm.wgsl (read only when CLIP).
@group(0) @binding(6) var<storage, read> grad_norm: array<f32>;
// The runtime's label fault record (shaders/label-fault.wgsl): while [0] ≠ 0 a loss of this step (or an
// earlier, unreported one) saw an out-of-range label, so nothing is updated.
@group(0) @binding(7) var<storage, read> fault: array<u32>;

const SGD = 0u;
const SGD_MOMENTUM = 1u;
const SGD_NESTEROV = 2u;
const ADAGRAD = 3u;
const RMSPROP = 4u;
const ADAM = 5u;
const ADAMW = 6u;
const KIND = 0u;
const CLIP = false;
const CENTERED = false;       // RMSProp
const RMS_MOMENTUM = false;   // RMSProp with momentum > 0

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= h.n4 || fault[0] != 0u) { return; }
  var g = grads[i];
  var p = params[i];
  if (CLIP) {
    g *= min(h.max_norm / (grad_norm[0] + 1e-6), 1.0);
    grads[i] = g;
  }
  if (KIND == ADAMW) {
    p *= h.decay;
  } else if (h.weight_decay != 0.0) {
    g += h.weight_decay * p;
  }
  if (KIND == SGD) {
    p -= h.lr * g;
  } else if (KIND == SGD_MOMENTUM || KIND == SGD_NESTEROV) {
    var b = g;
    if (h.first_step == 0u) { b = h.momentum * s1[i] + h.one_minus_dampening * g; }
    s1[i] = b;
    if (KIND == SGD_NESTEROV) { p -= h.lr * (g + h.momentum * b); } else { p -= h.lr * b; }
  } else if (KIND == ADAGRAD) {
    let sum = s1[i] + g * g;
    s1[i] = sum;
    p -= h.lr * g / (sqrt(sum) + h.eps);
  } else if (KIND == RMSPROP) {
    let sq = h.beta2 * s1[i] + h.one_minus_beta2 * g * g;
    s1[i] = sq;
    var avg: vec4f;
    if (CENTERED) {
      let ga = h.beta2 * s3[i] + h.one_minus_beta2 * g;
      s3[i] = ga;
      avg = sqrt(sq - ga * ga) + h.eps;
    } else {
      avg = sqrt(sq) + h.eps;
    }
    if (RMS_MOMENTUM) {
      let b = h.momentum * s2[i] + g / avg;
      s2[i] = b;
      p -= h.lr * b;
    } else {
      p -= h.lr * g / avg;
    }
  } else if (KIND == ADAM || KIND == ADAMW) {
    let m = h.beta1 * s1[i] + h.one_minus_beta1 * g;
    let v = h.beta2 * s2[i] + h.one_minus_beta2 * g * g;
    s1[i] = m;
    s2[i] = v;
    p -= h.lr * m / (sqrt(v) / h.bias_correction2_sqrt + h.eps);
  }
  params[i] = p;
}
