// Batched matrix product with a fused epilogue, f32:
//   out[z] = act(op(A[z]) · op(B[z]) + bias),  op(X) = X or Xᵀ (TRANS_A / TRANS_B),
// or, with Params.zsum > 1, out summed over consecutive entries of the batch's leading dimension.
//
// A workgroup of WG_M×WG_N threads computes one BM×BN tile of out; each thread a TM×TN block of it, held in
// registers as (TM/4)×(TN/4) blocks of 4×4 spaced 4·WG_M rows and 4·WG_N columns apart, so that at a given k
// the threads of a warp read consecutive vec4s of the shared A and B rows (no bank conflicts), each vec4
// broadcast to the threads that share it. The thread grid is skinny for skinny products (4×64 threads give
// 16×256 tiles for 6-row ones) rather than padding them into mostly empty square tiles.
// K advances in BK-deep slices. Both operand tiles are staged in shared memory as [k][row] whatever the
// global layout, which is where transposes are absorbed: the inner loop is the same for every variant.
// The next slice is fetched into registers while the current one is multiplied.

const WG_M = 16u;       // threads along M; WG_M·WG_N = 256, each a power of 2 from 4 to 64
const WG_N = 16u;       // threads along N
const TM = 4u;          // rows of out per thread, a multiple of 4
const TN = 4u;          // columns of out per thread, a multiple of 4
const BK = 16u;         // depth of a K slice, a multiple of 4
const TRANS_A = false;  // A is stored [K, M] (else [M, K])
const TRANS_B = false;  // B is stored [N, K] (else [K, N])
// Global reads go in units of A_W (B_W) elements along the operand's contiguous dimension: vec4f when that
// dimension is a multiple of 4 (a unit then never straddles a row or the matrix edge), else a one-element
// array. Both types index as u[j], so the loaders are written once for either.
alias AUnit = array<f32, 1>;
const A_W = 1u;
alias BUnit = array<f32, 1>;
const B_W = 1u;
const ACT = 0u;         // one of ACT_* below
const HAS_BIAS = false;
// The product times (gate > 0), gate an array of out's shape bound in bias's place: a ReLU's backward fused
// into the product that computes the gradient of its output (never with a bias or an activation).
const GATE = false;

const ACT_NONE = 0u;
const ACT_RELU = 1u;
const ACT_SIGMOID = 2u;
const ACT_TANH = 3u;
const ACT_LEAKY_RELU = 4u;  // slope p.param for x < 0
const ACT_ELU = 5u;         // p.param·(eˣ − 1) for x < 0
const ACT_GELU = 6u;        // tanh approximation

const MAX_BATCH_DIMS = 8u;
const THREADS = WG_M * WG_N;
const BM = TM * WG_M;
const BN = TN * WG_N;
// Shared tiles are [BK][rows + 4]. The pad spreads the transposing stores of k-contiguous operands over
// distinct banks and keeps every row 16-byte aligned for the vec4 reads.
const SA = BM + 4u;
const SB = BN + 4u;
const B_OFF = BK * SA / 4u;  // B's tile follows A's, in vec4s
// Load units per slice, and per thread rounded up: a 16-row tile's 16·BK elements of A are fewer than the
// threads once read as vec4s, and a BK deep enough to give each thread one would not fit in shared memory.
// Units are powers of 2, so the rounding only ever leaves threads idle in a single load.
const A_UNITS = BM * BK / A_W;
const B_UNITS = BN * BK / B_W;
const A_LOADS = (A_UNITS + THREADS - 1u) / THREADS;
const B_LOADS = (B_UNITS + THREADS - 1u) / THREADS;
// Warps are WARP_M×WARP_N blocks of the thread grid, at most 8 threads wide: in a 16×16 grid a warp then
// reads 8 distinct vec4s of B and 4 of A per k rather than 16 and 2 (as 2 rows of 16), which keeps the 8×8
// variant from being bound by shared-memory bandwidth. A 4-wide grid has 8×4 warps.
const WARP_N = min(WG_N, 8u);
const WARP_M = 32u / WARP_N;

struct Params {
  M: u32, N: u32, K: u32, batch_dims: u32,
  workgroups: u32, param: f32,  // param: leakyRelu's slope or elu's α
  // The batch as [zlen, zrest] (its leading dimension, the rest); out[c, r] sums the products of entries
  // [c·zsum … c·zsum + zsum − 1, r] of it (split-K over a batch: a convolution's weight gradient summed
  // over samples). zsum = 1: one output per batch entry.
  zsum: u32, zlen: u32, zrest: u32, _pad0: u32, _pad1: u32, _pad2: u32,
  // Batch dimensions (broadcast and collapsed), outermost first: (size, A stride, B stride, unused) in
  // elements; a stride of 0 repeats the operand along that dimension.
  dims: array<vec4u, MAX_BATCH_DIMS>,
}

@group(0) @binding(0) var<storage, read> a: array<AUnit>;
@group(0) @binding(1) var<storage, read> b: array<BUnit>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;  // [N], or with GATE the gate, out's shape
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

var<workgroup> tile: array<vec4f, (BK * SA + BK * SB) / 4u>;

// (row in the tile, k in the slice) of the first element of load unit `u`. Consecutive units follow the
// operand's contiguous dimension (rows when `row_contig`, else k), so consecutive threads read
// consecutive addresses.
fn slot(u: u32, rows: u32, w: u32, row_contig: bool) -> vec2u {
  if (row_contig) { return vec2u(u % (rows / w) * w, u / (rows / w)); }
  return vec2u(u / (BK / w), u % (BK / w) * w);
}

// Writes one unit (its first w lanes) into the shared tile at vec4 offset `off`, row stride `stride`.
fn stash(off: u32, stride: u32, s: vec2u, v: vec4f, w: u32, row_contig: bool) {
  if (row_contig) {
    let e = s.y * stride + s.x;
    if (w == 4u) { tile[off + e / 4u] = v; } else { tile[off + e / 4u][e % 4u] = v.x; }
  } else {
    for (var j = 0u; j < w; j++) {
      let e = (s.y + j) * stride + s.x;
      tile[off + e / 4u][e % 4u] = v[j];
    }
  }
}

// A's units for rows m0…, depth k0… (zero outside the matrix); `base` is the batch offset in elements.
fn fetch_a(base: u32, m0: u32, k0: u32, lid: u32) -> array<vec4f, A_LOADS> {
  var r: array<vec4f, A_LOADS>;
  for (var l = 0u; l < A_LOADS; l++) {
    let u = l * THREADS + lid;
    let s = slot(u, BM, A_W, TRANS_A);
    let m = m0 + s.x;
    let k = k0 + s.y;
    if (u < A_UNITS && m < p.M && k < p.K) {
      let v = a[(base + select(m * p.K + k, k * p.M + m, TRANS_A)) / A_W];
      for (var j = 0u; j < A_W; j++) { r[l][j] = v[j]; }
    }
  }
  return r;
}

fn fetch_b(base: u32, n0: u32, k0: u32, lid: u32) -> array<vec4f, B_LOADS> {
  var r: array<vec4f, B_LOADS>;
  for (var l = 0u; l < B_LOADS; l++) {
    let u = l * THREADS + lid;
    let s = slot(u, BN, B_W, !TRANS_B);
    let n = n0 + s.x;
    let k = k0 + s.y;
    if (u < B_UNITS && n < p.N && k < p.K) {
      let v = b[(base + select(k * p.N + n, n * p.K + k, TRANS_B)) / B_W];
      for (var j = 0u; j < B_W; j++) { r[l][j] = v[j]; }
    }
  }
  return r;
}

fn stash_a(r: array<vec4f, A_LOADS>, lid: u32) {
  for (var l = 0u; l < A_LOADS; l++) {
    let u = l * THREADS + lid;
    if (u < A_UNITS) { stash(0u, SA, slot(u, BM, A_W, TRANS_A), r[l], A_W, TRANS_A); }
  }
}

fn stash_b(r: array<vec4f, B_LOADS>, lid: u32) {
  for (var l = 0u; l < B_LOADS; l++) {
    let u = l * THREADS + lid;
    if (u < B_UNITS) { stash(B_OFF, SB, slot(u, BN, B_W, !TRANS_B), r[l], B_W, !TRANS_B); }
  }
}

// Element offsets of batch entry z in A and B.
fn batch_offsets(z: u32) -> vec2u {
  var rest = z;
  var off = vec2u(0u);
  for (var d = p.batch_dims; d > 0u; d--) {
    let dim = p.dims[d - 1u];
    off += (rest % dim.x) * dim.yz;
    rest /= dim.x;
  }
  return off;
}

// The formulas of shaders/activation.wgsl (shared through the prelude), so a fused epilogue gives what the
// standalone activation gives, NaN and ±Inf included.
fn activate(x: f32) -> f32 {
  var y = x;
  if (ACT == ACT_RELU) { y = select(x, 0.0, x < 0.0); }
  if (ACT == ACT_SIGMOID) { y = sigmoid(x); }
  if (ACT == ACT_TANH) { y = tanh_accurate(x); }
  if (ACT == ACT_LEAKY_RELU) { y = select(p.param * x, x, x > 0.0); }
  if (ACT == ACT_ELU) { y = select(p.param * expm1_nonpositive(x), x, x > 0.0); }
  if (ACT == ACT_GELU) { y = x * sigmoid(gelu_tanh_arg(x)); }
  return select(y, x, is_nan(x));
}

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let wg = linear_workgroup_id(wid, nwg);
  if (wg >= p.workgroups) { return; }
  let tiles_n = (p.N + BN - 1u) / BN;
  let tiles = tiles_n * ((p.M + BM - 1u) / BM);
  let z = wg / tiles;
  let m0 = wg % tiles / tiles_n * BM;
  let n0 = wg % tiles % tiles_n * BN;
  // Thread (ty, tx) of the WG_M×WG_N grid, warps laid out as WARP_M×WARP_N blocks of it, row-major.
  let warp = lid / 32u;
  let tx = lid % WARP_N + warp % (WG_N / WARP_N) * WARP_N;
  let ty = lid / WARP_N % WARP_M + warp / (WG_N / WARP_N) * WARP_M;

  var acc: array<vec4f, TM * TN / 4u>;
  let zc = z / p.zrest;
  let zr = z % p.zrest;
  let zn = min(p.zsum, p.zlen - zc * p.zsum);
  for (var e = 0u; e < zn; e++) {
    let base = batch_offsets((zc * p.zsum + e) * p.zrest + zr);
    var ra = fetch_a(base.x, m0, 0u, lid);
    var rb = fetch_b(base.y, n0, 0u, lid);
    for (var k0 = 0u; k0 < p.K; k0 += BK) {
      stash_a(ra, lid);
      stash_b(rb, lid);
      workgroupBarrier();
      // The next slice's global reads are in flight during this slice's arithmetic (zeros past the end).
      ra = fetch_a(base.x, m0, k0 + BK, lid);
      rb = fetch_b(base.y, n0, k0 + BK, lid);
      for (var k = 0u; k < BK; k++) {
        var av: array<vec4f, TM / 4u>;
        var bv: array<vec4f, TN / 4u>;
        for (var g = 0u; g < TM / 4u; g++) { av[g] = tile[k * SA / 4u + g * WG_M + ty]; }
        for (var g = 0u; g < TN / 4u; g++) { bv[g] = tile[B_OFF + k * SB / 4u + g * WG_N + tx]; }
        for (var i = 0u; i < TM; i++) {
          let x = vec4f(av[i / 4u][i % 4u]);
          for (var j = 0u; j < TN / 4u; j++) {
            acc[i * (TN / 4u) + j] = fma(x, bv[j], acc[i * (TN / 4u) + j]);
          }
        }
      }
      workgroupBarrier();
    }
  }

  let c0 = z * p.M * p.N;
  for (var i = 0u; i < TM; i++) {
    let m = m0 + i / 4u * 4u * WG_M + ty * 4u + i % 4u;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < TN / 4u; j++) {
      let n = n0 + j * 4u * WG_N + tx * 4u;
      let v = acc[i * (TN / 4u) + j];
      for (var c = 0u; c < 4u; c++) {
        if (n + c < p.N) {
          let o = c0 + m * p.N + n + c;
          var y = v[c];
          if (HAS_BIAS) { y += bias[n + c]; }
          if (GATE) { y = select(y, 0.0, bias[o] <= 0.0); }
          out[o] = activate(y);
        }
      }
    }
  }
}
