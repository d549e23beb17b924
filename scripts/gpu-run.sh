#!/usr/bin/env bash
# Runs on the GPU machine inside `bash .gpu/enter.sh` (Node on PATH, Vulkan pointed at the NVIDIA driver),
# from the repository root with .gpu/ carried there (see scripts/gpu-carry.sh). Writes everything under $OUT.
#   bench  the benchmark suite against TF.js (bench/node/gpu-bench.ts), all sizes
#   profile  GPU time per kernel of the MLP b128, LeNet-5 b64 and small VGG+BN b128 training steps
#   tiles  wgsl-nn's matmul tile configurations at 1024, 2048 and 4096 (which tile chooseTile should pick)
#   search  cost per trial-step of K = 1, 4, 8 search trials stacked / concurrent / one after another (MLP, LeNet-5)
#   train  LeNet-5 (Adam, cosine, 15 epochs, batch 64) and small VGG+BN (Adam, cosine, 15 epochs, batch 128)
#          on all 60,000 Fashion-MNIST training images, tested on all 10,000
# Extra arguments go to the bench or training command (e.g. `bench --quick`, `train --epochs 5`,
# `train --checkpoint-every 5` to keep weights and optimizer state should a long run be cut off).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-/tmp/gpu-out}
mkdir -p "$out"
# The bundles resolve `webgpu` from .gpu/node_modules, next to them.
for b in gpu-bench train-gpu profile-step search-bench; do [ -f "$here/$b.mjs" ] || xz -dc "$here/$b.mjs.xz" > "$here/$b.mjs"; done
part=${1:-bench}
shift || true
{ date -u; node --version; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true; } | tee "$out/machine.txt"
case "$part" in
  bench)
    node --enable-source-maps "$here/gpu-bench.mjs" --out "$out/bench" "$@" 2>&1 | tee "$out/bench.log"
    ;;
  profile)
    for mb in mlp:128 lenet5:64 vgg:128; do
      node --enable-source-maps "$here/profile-step.mjs" --model "${mb%%:*}" --batch "${mb##*:}" --out "$out/profile" "$@" 2>&1 | tee -a "$out/profile.log"
    done
    ;;
  search)
    node --enable-source-maps "$here/search-bench.mjs" --device gpu --out "$out/search" "$@" 2>&1 | tee "$out/search.log"
    ;;
  tiles)
    node --enable-source-maps "$here/gpu-bench.mjs" --out "$out/tiles" --no-overhead --no-train --no-conv --no-bn \
      --sizes 1024,2048,4096 --tiles all "$@" 2>&1 | tee "$out/tiles.log"
    ;;
  train)
    node --enable-source-maps "$here/train-gpu.mjs" --model lenet5 --full --epochs 15 --batch-size 64 --schedule cosine \
      --data "$here/fashion-mnist" --out "$out/lenet5" "$@" 2>&1 | tee "$out/train-lenet5.log"
    node --enable-source-maps "$here/train-gpu.mjs" --model vgg --batch-norm --full --epochs 15 --batch-size 128 --schedule cosine \
      --data "$here/fashion-mnist" --out "$out/vgg" "$@" 2>&1 | tee "$out/train-vgg.log"
    ;;
  *)
    echo "gpu-run: unknown part '$part' (bench, profile, search, tiles or train)" >&2
    exit 2
    ;;
esac
