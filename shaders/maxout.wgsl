// Maxout over groups of K consecutive features: forward out[g] = max_{i<K} x[g·K + i] (a thread per group);
// BACKWARD: out[e] = dy[e / K] if e is its group's argmax, else 0 (a thread per input element, so the
// gradient is a gather and needs no atomics). The argmax is recomputed from x: the first index on ties,
// a NaN wins, as in torch.max. The forward binds x as dy too: one binding layout serves both directions.
struct Params { n: u32, k: u32 }  // n: threads (groups forward, input elements backward)

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const BACKWARD = false;

fn group_argmax(g: u32) -> u32 {
  let base = g * p.k;
  var best = 0u;
  for (var i = 1u; i < p.k; i++) {
    let v = x[base + i];
    let b = x[base + best];
    if (!is_nan(b) && (v > b || is_nan(v))) { best = i; }
  }
  return best;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (t >= p.n) { return; }
  if (BACKWARD) {
    let g = t / p.k;
    out[t] = select(0.0, dy[g], t % p.k == group_argmax(g));
  } else {
    out[t] = x[t * p.k + group_argmax(t)];
  }
}
