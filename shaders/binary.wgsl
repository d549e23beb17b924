// out = a OP b with NumPy broadcasting. T is the input element type (f32, i32 or u32), R the output's
// (T for arithmetic, f32 0/1 for comparisons). Each thread handles ELEMS elements spaced WG apart,
// so at every step the workgroup's loads are contiguous.
// Index modes (compile time): plain (both inputs have the output's layout, or one is the uniform scalar),
// or STRIDED: the output index is split into coordinates over p.shape, and each input's offset is the
// dot product with its strides (0 along broadcast dimensions). The TS side merges dimensions first, so
// rank here is the number of runs that differ in broadcast pattern (at most 8); arrays are innermost first.
struct Params {
  n: u32,
  rank: u32,
  scalar: u32,   // bits of the JS-number operand (SCALAR modes)
  pad: u32,
  shape: array<vec4u, 2>,
  sa: array<vec4u, 2>,
  sb: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<R>;
@group(0) @binding(3) var<uniform> p: Params;

alias T = f32;
alias R = f32;
// T is f32: maximum/minimum then check for NaN (integers have none).
const FLOAT = true;
const STRIDED = false;
const SCALAR_NONE = 0u;
const SCALAR_A = 1u;
const SCALAR_B = 2u;
const SCALAR = 0u;

const OP_ADD = 0u;
const OP_SUB = 1u;
const OP_MUL = 2u;
const OP_DIV = 3u;
const OP_POW = 4u;
const OP_MAXIMUM = 5u;
const OP_MINIMUM = 6u;
const OP_EQUAL = 7u;
const OP_NOT_EQUAL = 8u;
const OP_LESS = 9u;
const OP_LESS_EQUAL = 10u;
const OP_GREATER = 11u;
const OP_GREATER_EQUAL = 12u;
const OP = 0u;

const WG = 256u;
const ELEMS = 4u;

// WGSL rejects inf and NaN constant expressions; a function parameter is a runtime value.
fn from_bits(bits: u32) -> f32 {
  return bitcast<f32>(bits);
}

// From the bits, because compilers may fold `v != v` away.
fn is_nan_t(v: T) -> bool {
  return FLOAT && is_nan(bitcast<f32>(v));
}

// WGSL's pow is exp2(y·log2(x)): undefined for x ≤ 0 and for y = 0 at x = 0. NumPy's rules instead:
// x^0 = 1, 0^y = 0 or inf, and a negative base takes an integer exponent, with the sign of (−1)^y.
fn pow_f32(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (x == 0.0) { return select(from_bits(0x7f800000u), 0.0, y > 0.0); }
  let m = pow(abs(x), y);
  if (x > 0.0) { return m; }
  if (fract(y) != 0.0) { return from_bits(0x7fc00000u); }
  // y is an integer; it is odd when y/2 has a fractional part (never for |y| ≥ 2^24: those are even).
  return select(m, -m, fract(0.5 * y) != 0.0);
}

// NaN in either operand gives NaN, as in NumPy and PyTorch (WGSL's max/min may return either operand).
fn arith(x: T, y: T) -> T {
  if (OP == OP_ADD) { return x + y; }
  if (OP == OP_SUB) { return x - y; }
  if (OP == OP_MUL) { return x * y; }
  if (OP == OP_DIV) { return x / y; }
  if (OP == OP_POW) { return T(pow_f32(f32(x), f32(y))); }
  if (is_nan_t(x) || is_nan_t(y)) { return T(from_bits(0x7fc00000u)); }
  if (OP == OP_MAXIMUM) { return max(x, y); }
  return min(x, y);
}

fn apply(x: T, y: T) -> R {
  if (OP == OP_EQUAL) { return select(R(0), R(1), x == y); }
  if (OP == OP_NOT_EQUAL) { return select(R(0), R(1), x != y); }
  if (OP == OP_LESS) { return select(R(0), R(1), x < y); }
  if (OP == OP_LESS_EQUAL) { return select(R(0), R(1), x <= y); }
  if (OP == OP_GREATER) { return select(R(0), R(1), x > y); }
  if (OP == OP_GREATER_EQUAL) { return select(R(0), R(1), x >= y); }
  return R(arith(x, y));
}

fn load_a(i: u32) -> T {
  if (SCALAR == SCALAR_A) { return bitcast<T>(p.scalar); }
  return a[i];
}

fn load_b(i: u32) -> T {
  if (SCALAR == SCALAR_B) { return bitcast<T>(p.scalar); }
  return b[i];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let base = linear_workgroup_id(wid, nwg) * WG * ELEMS + lid;
  for (var e = 0u; e < ELEMS; e++) {
    let i = base + e * WG;
    if (i >= p.n) { return; }
    var ia = i;
    var ib = i;
    if (STRIDED) {
      ia = 0u;
      ib = 0u;
      var rest = i;
      for (var d = 0u; d < p.rank; d++) {
        let size = p.shape[d / 4u][d % 4u];
        let c = rest % size;
        rest /= size;
        ia += c * p.sa[d / 4u][d % 4u];
        ib += c * p.sb[d / 4u][d % 4u];
      }
    }
    out[i] = apply(load_a(ia), load_b(ib));
  }
}
