// Prepended to every kernel by the kernel system (src/kernel.ts).

// Linear id of a workgroup in a grid folded over x/y/z to respect maxComputeWorkgroupsPerDimension.
fn linear_workgroup_id(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + nwg.x * (wid.y + nwg.y * wid.z);
}
