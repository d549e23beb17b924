// out = cond != 0 ? a : b with NumPy broadcasting over all three. C is cond's element type (f32, i32 or
// u32), T that of a, b and out. Indexing as in binary.wgsl:
// plain when all three have the output's layout, else STRIDED over merged dimensions (innermost first).
struct Params {
  n: u32,
  rank: u32,
  pad0: u32,
  pad1: u32,
  shape: array<vec4u, 2>,
  sc: array<vec4u, 2>,
  sa: array<vec4u, 2>,
  sb: array<vec4u, 2>,
}

@group(0) @binding(0) var<storage, read> cond: array<C>;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;
@group(0) @binding(4) var<uniform> p: Params;

alias C = f32;
alias T = f32;
// cond is tested from its bits: for f32 the sign bit is masked off, so −0 is false and NaN true (as in
// NumPy) whatever the compiler assumes about NaN.
const NONZERO_MASK = 0x7fffffffu;
const STRIDED = false;

const WG = 256u;
const ELEMS = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let base = linear_workgroup_id(wid, nwg) * WG * ELEMS + lid;
  for (var e = 0u; e < ELEMS; e++) {
    let i = base + e * WG;
    if (i >= p.n) { return; }
    var ic = i;
    var ia = i;
    var ib = i;
    if (STRIDED) {
      ic = 0u;
      ia = 0u;
      ib = 0u;
      var rest = i;
      for (var d = 0u; d < p.rank; d++) {
        let size = p.shape[d / 4u][d % 4u];
        let c = rest % size;
        rest /= size;
        ic += c * p.sc[d / 4u][d % 4u];
        ia += c * p.sa[d / 4u][d % 4u];
        ib += c * p.sb[d / 4u][d % 4u];
      }
    }
    out[i] = select(b[ib], a[ia], (bitcast<u32>(cond[ic]) & NONZERO_MASK) != 0u);
  }
}
