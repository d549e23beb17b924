// Batched matrix transpose [batch, rows, cols] → [batch, cols, rows] through a 32×32 tile in workgroup
// memory: reads and writes both run along rows of global memory (coalesced). The tile row is padded to 33
// words so the column-wise reads from the tile hit 32 different banks.
// Elements move as u32 bits, so one kernel serves every 4-byte dtype.
struct Params {
  batch: u32,
  rows: u32,
  cols: u32,
  tiles_r: u32,  // ceil(rows / TILE)
  tiles_c: u32,  // ceil(cols / TILE)
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

const TILE = 32u;
const ROWS_PER_PASS = 8u;  // 32×8 threads, each moving 4 elements

var<workgroup> tile: array<u32, 1056>;  // TILE × (TILE + 1)

@compute @workgroup_size(32, 8)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let g = linear_workgroup_id(wid, nwg);
  // Uniform per workgroup, so returning keeps the barrier in uniform control flow.
  if (g >= p.batch * p.tiles_r * p.tiles_c) { return; }
  let tc = g % p.tiles_c;
  let tr = (g / p.tiles_c) % p.tiles_r;
  let b = g / (p.tiles_c * p.tiles_r);
  let base = b * p.rows * p.cols;

  let col = tc * TILE + lid.x;
  for (var k = 0u; k < TILE; k += ROWS_PER_PASS) {
    let row = tr * TILE + lid.y + k;
    if (row < p.rows && col < p.cols) { tile[(lid.y + k) * (TILE + 1u) + lid.x] = x[base + row * p.cols + col]; }
  }
  workgroupBarrier();
  // Output row = input column, output column = input row.
  let ocol = tr * TILE + lid.x;
  for (var k = 0u; k < TILE; k += ROWS_PER_PASS) {
    let orow = tc * TILE + lid.y + k;
    if (orow < p.cols && ocol < p.rows) { out[base + orow * p.rows + ocol] = tile[lid.x * (TILE + 1u) + lid.y + k]; }
  }
}
