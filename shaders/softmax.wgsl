// Softmax (or log-softmax with LOG) of x viewed as [rows, len] along len, stable: y = e^{x − m}/Σe^{x − m} with
// m the row maximum, log y = x − m − log Σe^{x − m}.
// Two entry points: `row_per_thread` for short rows (a thread loops over its row three times), and
// `row_per_workgroup` for long ones (256 threads stride over the row and fold max and sum with trees).
struct Params { rows: u32, len: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

const LOG = false;

var<workgroup> partial: array<f32, 256>;

// A row holding NaN (or +Inf, where x − m is inf − inf) is all NaN, as in PyTorch: max_nan carries NaN
// into m, exp_nan carries it into s, and finish passes it on instead of trusting the builtins with it.
fn exp_nan(d: f32) -> f32 {
  return select(exp(d), d, is_nan(d));
}

fn finish(v: f32, m: f32, s: f32) -> f32 {
  if (is_nan(s)) { return s; }
  if (LOG) { return v - m - log(s); }
  return exp(v - m) / s;
}

@compute @workgroup_size(64)
fn row_per_thread(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = linear_workgroup_id(wid, nwg) * 64u + lid;
  if (r >= p.rows) { return; }
  let base = r * p.len;
  var m = x[base];
  for (var i = 1u; i < p.len; i++) { m = max_nan(m, x[base + i]); }
  var s = 0.0;
  for (var i = 0u; i < p.len; i++) { s += exp_nan(x[base + i] - m); }
  for (var i = 0u; i < p.len; i++) { out[base + i] = finish(x[base + i], m, s); }
}

// Leaves the fold of every thread's `partial` in partial[0] (max when `take_max`, else sum).
fn tree(lid: u32, take_max: bool) {
  for (var half = 128u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) {
      let o = partial[lid + half];
      partial[lid] = select(partial[lid] + o, max_nan(partial[lid], o), take_max);
    }
  }
  workgroupBarrier();
}

@compute @workgroup_size(256)
fn row_per_workgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = linear_workgroup_id(wid, nwg);
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  if (r >= p.rows) { return; }
  let base = r * p.len;
  // Threads past the row's end start from its first element, a neutral value for max.
  var m = x[base];
  for (var i = lid; i < p.len; i += 256u) { m = max_nan(m, x[base + i]); }
  partial[lid] = m;
  tree(lid, true);
  m = partial[0];
  workgroupBarrier();
  var s = 0.0;
  for (var i = lid; i < p.len; i += 256u) { s += exp_nan(x[base + i] - m); }
  partial[lid] = s;
  tree(lid, false);
  s = partial[0];
  for (var i = lid; i < p.len; i += 256u) { out[base + i] = finish(x[base + i], m, s); }
}
