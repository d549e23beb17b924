// Writes the Studio's built-in sample (demo/studio/sample/): the first 300 training and 100 test images of
// Fashion-MNIST with their labels, as gzipped IDX files like the originals, so the page trains with no files
// at all. Run once: node scripts/make-studio-sample.mjs [dir of the four .gz files]
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const out = new URL('../demo/studio/sample/', import.meta.url);
const SIDE = 28;

function idx(magicType, dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE((magicType << 8) | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([header, body]), { level: 9 });
}

for (const [split, file, n] of [['train', 'train', 300], ['test', 't10k', 100]]) {
  const images = gunzipSync(readFileSync(`${dir}/${file}-images-idx3-ubyte.gz`)).subarray(16, 16 + n * SIDE * SIDE);
  const labels = gunzipSync(readFileSync(`${dir}/${file}-labels-idx1-ubyte.gz`)).subarray(8, 8 + n);
  writeFileSync(new URL(`${split}-images-idx3-ubyte.gz`, out), idx(0x08, [n, SIDE, SIDE], images));
  writeFileSync(new URL(`${split}-labels-idx1-ubyte.gz`, out), idx(0x08, [n], labels));
}
