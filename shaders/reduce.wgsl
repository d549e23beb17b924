// Reduction of x viewed as [outer, r, inner] over the middle axis, without transposing first.
// A workgroup owns TX consecutive `inner` columns (so loads are coalesced) and one chunk of r; its TY rows of
// threads stride over the chunk, then fold their TY partial results with a tree in workgroup memory.
// With one chunk the output is [outer, inner]; with several it holds per-chunk partials [outer, nchunks, inner]
// that a second dispatch (PAIRS_IN for arg ops) reduces, so a long r with few columns still fills the GPU.
// Buffers are bound as u32 and bitcast, so one binding layout carries f32 values, i32 indices and
// (value, index) pairs.
struct Params {
  outer: u32,
  r: u32,
  inner: u32,
  chunk: u32,    // r elements per chunk (a workgroup handles one chunk)
  nchunks: u32,
  tiles: u32,    // ceil(inner / TX)
  scale: f32,    // 1/R for mean on its last pass, else 1
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

const OP_SUM = 0u;
const OP_MAX = 1u;
const OP_MIN = 2u;
const OP_ARGMAX = 3u;
const OP_ARGMIN = 4u;
const OP = 0u;
// Input holds (value bits, index) pairs from a first pass (arg ops only).
const PAIRS_IN = false;
// Output (value bits, index) pairs for a second pass instead of the final result (arg ops only).
const PAIRS_OUT = false;

override TX: u32 = 32u;
override TY: u32 = 8u;

const IS_ARG = OP == OP_ARGMAX || OP == OP_ARGMIN;
const NO_INDEX = 0xffffffffu;

var<workgroup> s_val: array<f32, 256>;
var<workgroup> s_idx: array<u32, 256>;

// Whether (b, ib) replaces (a, ia). NO_INDEX marks a thread that saw no element (no identity value is
// needed, which WGSL could not write as a constant ±inf anyway). NaN beats every number (max/min propagate
// NaN like PyTorch); on equal values the lower index wins, so arg ops return the first occurrence.
fn better(b: f32, ib: u32, a: f32, ia: u32) -> bool {
  if (ib == NO_INDEX) { return false; }
  if (ia == NO_INDEX) { return true; }
  let nb = is_nan(b);
  let na = is_nan(a);
  if (nb || na) { return nb && (!na || ib < ia); }
  if (b == a) { return ib < ia; }
  if (OP == OP_MAX || OP == OP_ARGMAX) { return b > a; }
  return b < a;
}

@compute @workgroup_size(TX, TY)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let g = linear_workgroup_id(wid, nwg);
  // Uniform per workgroup, so returning here keeps the barriers below in uniform control flow.
  if (g >= p.outer * p.nchunks * p.tiles) { return; }
  let tile = g % p.tiles;
  let c = (g / p.tiles) % p.nchunks;
  let o = g / (p.tiles * p.nchunks);
  let i = tile * TX + lid.x;
  let r_end = min(p.r, (c + 1u) * p.chunk);

  var acc = 0.0;
  var idx = NO_INDEX;
  if (i < p.inner) {
    for (var r = c * p.chunk + lid.y; r < r_end; r += TY) {
      let e = (o * p.r + r) * p.inner + i;
      if (OP == OP_SUM) {
        acc += bitcast<f32>(x[e]);
      } else if (PAIRS_IN) {
        let v = bitcast<f32>(x[2u * e]);
        let vi = x[2u * e + 1u];
        if (better(v, vi, acc, idx)) { acc = v; idx = vi; }
      } else {
        // r grows along the loop, so a strict `better` keeps the first of equal values.
        let v = bitcast<f32>(x[e]);
        if (better(v, r, acc, idx)) { acc = v; idx = r; }
      }
    }
  }

  s_val[li] = acc;
  s_idx[li] = idx;
  workgroupBarrier();
  for (var stride = TY / 2u; stride > 0u; stride >>= 1u) {
    if (lid.y < stride) {
      let j = li + stride * TX;
      if (OP == OP_SUM) {
        s_val[li] += s_val[j];
      } else if (better(s_val[j], s_idx[j], s_val[li], s_idx[li])) {
        s_val[li] = s_val[j];
        s_idx[li] = s_idx[j];
      }
    }
    workgroupBarrier();
  }

  if (lid.y == 0u && i < p.inner) {
    let dst = (o * p.nchunks + c) * p.inner + i;
    if (PAIRS_OUT) {
      out[2u * dst] = bitcast<u32>(s_val[lid.x]);
      out[2u * dst + 1u] = s_idx[lid.x];
    } else if (IS_ARG) {
      out[dst] = s_idx[lid.x];
    } else if (OP == OP_SUM) {
      out[dst] = bitcast<u32>(s_val[lid.x] * p.scale);
    } else {
      out[dst] = bitcast<u32>(s_val[lid.x]);
    }
  }
}
