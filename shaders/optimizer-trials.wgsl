// One fused optimizer step over the arena of a stack of trials (src/search/trial-stack.ts): each parameter
// holds every trial's tensor end to end ([T, ...]), and each trial has its own hyperparameters and step
// count. A lane finds its trial from its element index and updates with that trial's values, so every
// trial's parameters and state change exactly as its own optimizer (shaders/optimizer.wgsl) would change them.
// No gradient clipping here (a global norm over all trials would mix them).
@group(0) @binding(0) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> grads: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> s1: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> s2: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> s3: array<vec4f>;
// One per trial; hs[0].n4 is the arena's vec4 count.
@group(0) @binding(5) var<storage, read> hs: array<Hyper>;
// seg[0] = (parameters, trials); seg[1 + k] = (first element, elements per trial) of arena parameter k.
// Parameters start 64-element aligned, so the four lanes of a vec4 belong to one parameter.
@group(0) @binding(6) var<storage, read> seg: array<vec2u>;
@group(0) @binding(7) var<storage, read> fault: array<u32>;

fn lane_rates(a: Hyper, b: Hyper, c: Hyper, d: Hyper) -> Rates {
  return Rates(vec4<bool>(a.first_step != 0u, b.first_step != 0u, c.first_step != 0u, d.first_step != 0u),
    vec4f(a.lr, b.lr, c.lr, d.lr), vec4f(a.weight_decay, b.weight_decay, c.weight_decay, d.weight_decay),
    vec4f(a.decay, b.decay, c.decay, d.decay), vec4f(a.momentum, b.momentum, c.momentum, d.momentum),
    vec4f(a.one_minus_dampening, b.one_minus_dampening, c.one_minus_dampening, d.one_minus_dampening),
    vec4f(a.beta1, b.beta1, c.beta1, d.beta1), vec4f(a.one_minus_beta1, b.one_minus_beta1, c.one_minus_beta1, d.one_minus_beta1),
    vec4f(a.beta2, b.beta2, c.beta2, d.beta2), vec4f(a.one_minus_beta2, b.one_minus_beta2, c.one_minus_beta2, d.one_minus_beta2),
    vec4f(a.eps, b.eps, c.eps, d.eps), vec4f(a.bias_correction2_sqrt, b.bias_correction2_sqrt, c.bias_correction2_sqrt, d.bias_correction2_sqrt));
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup_id(wid, nwg) * 256u + lid;
  if (i >= hs[0].n4 || fault[0] != 0u) { return; }
  let e = 4u * i;
  var k = 0u;
  for (var j = 1u; j < seg[0].x; j++) {
    if (seg[1u + j].x <= e) { k = j; }
  }
  let start = seg[1u + k].x;
  let per = seg[1u + k].y;
  let last = seg[0].y - 1u;
  // Padding after a parameter's last trial counts as that trial's (it stays zero under every update).
  let t = min((vec4u(e) + vec4u(0u, 1u, 2u, 3u) - vec4u(start)) / vec4u(per), vec4u(last));
  update(i, grads[i], lane_rates(hs[t.x], hs[t.y], hs[t.z], hs[t.w]));
}
