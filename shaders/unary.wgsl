// out = f(x) for the unary op OP. V is f32, or vec4<f32> when the size is a multiple of 4 (one 16-byte
// load and store per thread); p.n counts V elements. Every f(x) below is written for both widths.
struct Params { n: u32 }

@group(0) @binding(0) var<storage, read> x: array<V>;
@group(0) @binding(1) var<storage, read_write> out: array<V>;
@group(0) @binding(2) var<uniform> p: Params;

alias V = f32;
alias U = u32;  // the unsigned type of V's width (vec4<u32> with vec4<f32>)

const OP_NEG = 0u;
const OP_ABS = 1u;
const OP_EXP = 2u;
const OP_LOG = 3u;
const OP_SQRT = 4u;
const OP_RSQRT = 5u;
const OP_RELU = 6u;
const OP_SIGMOID = 7u;
const OP_TANH = 8u;
const OP = 0u;

// Past |v| = 10, tanh(v) rounds to ±1 in f32; clamping there keeps backends whose tanh is
// (e^2v − 1)/(e^2v + 1) from computing inf/inf. NaN fails the test and passes through.
const TANH_CLAMP = 10.0;

// ±Inf from a run-time value (an infinite constant is a shader-creation error in WGSL).
fn inf_like(v: V) -> V {
  return bitcast<V>((bitcast<U>(v) & U(0x80000000u)) | U(0x7f800000u));
}

fn apply(v: V) -> V {
  if (OP == OP_NEG) { return -v; }
  if (OP == OP_ABS) { return abs(v); }
  let nan = bitcast<V>(bitcast<U>(v) | U(0x7fc00000u));
  let inf = inf_like(abs(v));
  let is_nan_v = (bitcast<U>(v) & U(0x7fffffffu)) > U(0x7f800000u);
  var y: V;
  // Builtins are backend-defined at the edges (log(0), log(x < 0), sqrt(x < 0), NaN operands): the results
  // PyTorch gives are selected explicitly.
  if (OP == OP_EXP) { y = select(select(exp(v), inf, v == inf), V(0), v == -inf); }
  if (OP == OP_LOG) { y = select(select(select(log(v), -inf, v == V(0)), nan, v < V(0)), inf, v == inf); }
  if (OP == OP_SQRT) { y = select(select(sqrt(v), nan, v < V(0)), inf, v == inf); }
  if (OP == OP_RSQRT) { y = select(select(select(inverseSqrt(v), inf_like(v), v == V(0)), nan, v < V(0)), V(0), v == inf); }
  // select, not max(v, 0): max with a NaN operand may return either; relu(NaN) is NaN as in PyTorch.
  if (OP == OP_RELU) { y = select(v, V(0), v < V(0)); }
  // exp(−v) overflows to inf for v < −88, giving 1/inf = 0: the right limit, no NaN.
  if (OP == OP_SIGMOID) { y = V(1) / (V(1) + exp(-v)); }
  if (OP == OP_TANH) { y = tanh(select(v, sign(v) * TANH_CLAMP, abs(v) > V(TANH_CLAMP))); }
  return select(y, v, is_nan_v);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i < p.n) { out[i] = apply(x[i]); }
}
