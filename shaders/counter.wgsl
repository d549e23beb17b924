// Adds 1 to an i32 counter in place (BatchNorm's num_batches_tracked): the count lives on the GPU, so it
// continues from whatever was loaded or restored into it, and every replay of a compiled step counts.
@group(0) @binding(0) var<storage, read_write> count: array<i32>;

@compute @workgroup_size(1)
fn main() {
  count[0] = count[0] + 1;
}
