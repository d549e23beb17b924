// Backward of softmax / log-softmax along len of [rows, len], from the forward output y:
//   softmax:     dx = y ⊙ (dy − Σ dy·y)
//   log-softmax: dx = dy − e^y · Σ dy
// Same two entry points as shaders/softmax.wgsl: a thread per short row, a workgroup with a tree per long row.
struct Params { rows: u32, len: u32 }

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const LOG = false;

var<workgroup> partial: array<f32, 256>;

fn term(i: u32) -> f32 {
  if (LOG) { return dy[i]; }
  return dy[i] * y[i];
}

fn finish(i: u32, s: f32) -> f32 {
  if (LOG) { return dy[i] - exp(y[i]) * s; }
  return y[i] * (dy[i] - s);
}

@compute @workgroup_size(64)
fn row_per_thread(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = linear_workgroup_id(wid, nwg) * 64u + lid;
  if (r >= p.rows) { return; }
  let base = r * p.len;
  var s = 0.0;
  for (var i = 0u; i < p.len; i++) { s += term(base + i); }
  for (var i = 0u; i < p.len; i++) { dx[base + i] = finish(base + i, s); }
}

@compute @workgroup_size(256)
fn row_per_workgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = linear_workgroup_id(wid, nwg);
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  if (r >= p.rows) { return; }
  let base = r * p.len;
  var s = 0.0;
  for (var i = lid; i < p.len; i += 256u) { s += term(base + i); }
  partial[lid] = s;
  for (var half = 128u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) { partial[lid] += partial[lid + half]; }
  }
  workgroupBarrier();
  s = partial[0];
  for (var i = lid; i < p.len; i += 256u) { dx[base + i] = finish(base + i, s); }
}
