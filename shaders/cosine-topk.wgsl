// Cosine top-k: one workgroup per query row. First the row of dot products becomes cosine similarities
// in place, sim = q·g / √max(‖q‖²·‖g‖², eps²) (PyTorch's cosine_similarity, eps 1e-8), then k rounds each
// pick the largest remaining similarity, ties to the lower gallery index, and mark it taken. NaN (from
// non-finite inputs) ranks below every number, so it is picked last.
struct Params { rows: u32, cols: u32, k: u32 }

@group(0) @binding(0) var<storage, read_write> sim: array<f32>;
@group(0) @binding(1) var<storage, read> q_sq: array<f32>;
@group(0) @binding(2) var<storage, read> g_sq: array<f32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

const EPS_SQ = 1e-16;
// Below any similarity (|sim| ≤ 1 up to rounding): marks a taken entry.
const TAKEN = -3.0e38;

var<workgroup> best_val: array<f32, 256>;
var<workgroup> best_idx: array<u32, 256>;

// (a, ia) ranks before (b, ib): larger value, then lower index; NaN ranks after numbers.
fn before(a: f32, ia: u32, b: f32, ib: u32) -> bool {
  let na = is_nan(a);
  let nb = is_nan(b);
  if (na != nb) { return nb; }
  if (!na && a != b) { return a > b; }
  return ia < ib;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = linear_workgroup_id(wid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.cols;
  let qs = q_sq[row];
  for (var j = lid; j < p.cols; j += 256u) {
    sim[base + j] = sim[base + j] / sqrt(max(qs * g_sq[j], EPS_SQ));
  }
  storageBarrier();
  for (var r = 0u; r < p.k; r++) {
    var bv = TAKEN;
    var bi = 0xffffffffu;
    for (var j = lid; j < p.cols; j += 256u) {
      let v = sim[base + j];
      if (v != TAKEN && (bi == 0xffffffffu || before(v, j, bv, bi))) { bv = v; bi = j; }
    }
    best_val[lid] = bv;
    best_idx[lid] = bi;
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride /= 2u) {
      if (lid < stride) {
        let ov = best_val[lid + stride];
        let oi = best_idx[lid + stride];
        if (oi != 0xffffffffu && (best_idx[lid] == 0xffffffffu || before(ov, oi, best_val[lid], best_idx[lid]))) {
          best_val[lid] = ov;
          best_idx[lid] = oi;
        }
      }
      workgroupBarrier();
    }
    if (lid == 0u) {
      indices[row * p.k + r] = i32(best_idx[0]);
      scores[row * p.k + r] = best_val[0];
      sim[base + best_idx[0]] = TAKEN;
    }
    storageBarrier();
    workgroupBarrier();
  }
}
