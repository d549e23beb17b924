#!/usr/bin/env bash
# Prepares .gpu/ for the lent GPU machine (no Node, no npm, no network there): Node, dawn.node and the
# Vulkan loader (../shared/gpu/prepare-carry.sh), the benchmark and training bundles, Fashion-MNIST and
# scripts/gpu-run.sh. Then one device call per part, each with carry [".gpu"]:
#   bash .gpu/enter.sh bash .gpu/gpu-run.sh bench      # npm run bench -- gpu, JSON + log under $OUT
#   bash .gpu/enter.sh bash .gpu/gpu-run.sh profile    # GPU time per kernel of the MLP, LeNet-5 and VGG+BN steps
#   bash .gpu/enter.sh bash .gpu/gpu-run.sh search     # search trials stacked / concurrent / sequential, whole step
#   bash .gpu/enter.sh bash .gpu/gpu-run.sh tiles      # each matmul tile configuration at 1024…4096
#   bash .gpu/enter.sh bash .gpu/gpu-run.sh train      # LeNet-5 and VGG+BN on full Fashion-MNIST, reports under $OUT
# The carry may hold 64 MiB: the bundles travel xz-compressed and the data as Debian ships it (gzip).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
data=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$data/$f.gz" ] || { echo "gpu-carry: $data/$f.gz missing (apt-get install -y dataset-fashion-mnist)" >&2; exit 1; }
done
npm run --silent bench:gpu:bundle
npm run --silent train:gpu:bundle
node scripts/bundle-node.mjs bench/node/profile-step.ts bench/dist/profile-step.mjs
node scripts/bundle-node.mjs bench/node/search-bench.ts bench/dist/search-bench.mjs
mkdir -p .git/info
bash ../shared/gpu/prepare-carry.sh scripts/gpu-run.sh >/dev/null
for b in gpu-bench train-gpu profile-step search-bench; do xz -T2 -6 -c "bench/dist/$b.mjs" > ".gpu/$b.mjs.xz"; done
# report.html's chart script, inlined by train-gpu.mjs from beside itself.
cp bench/dist/report-page.js .gpu/ 2>/dev/null || true
mkdir -p .gpu/fashion-mnist
cp "$data"/*-ubyte.gz .gpu/fashion-mnist/
bytes=$(du -sb .gpu | cut -f1)
echo "gpu-carry: .gpu/ holds $((bytes / 1048576)) MiB (limit 64 MiB)"
[ "$bytes" -le $((64 * 1048576)) ] || { echo "gpu-carry: over the 64 MiB carry limit" >&2; exit 1; }
