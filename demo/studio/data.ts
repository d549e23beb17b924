// Where the Studio's images come from: Fashion-MNIST served by the dev server from the Debian package, IDX files the
// user picked or dropped (gzip or plain), or the built-in sample (300 training and 100 test images committed with the
// page), so the page trains with no files at all. Every source is checked (u8 images 28×28, as many labels as images,
// labels within the 10 classes) before anything reaches the GPU.
import { DataFormatError, FASHION_MNIST_CLASSES, loadFashionMNIST, readIdx, type FashionMNISTSplit, type IdxArray } from '../../src/index.js';
import type { IdxFiles } from './protocol.js';
import type { DataSource } from './setup.js';

export interface StudioData {
  source: string;
  train: FashionMNISTSplit;
  /** Null when the user gave training files only: the gallery then shows validation images. */
  test: FashionMNISTSplit | null;
  classes: readonly string[];
}

const SIDE = 28;
const SAMPLE = {
  trainImages: new URL('./sample/train-images-idx3-ubyte.gz', import.meta.url),
  trainLabels: new URL('./sample/train-labels-idx1-ubyte.gz', import.meta.url),
  testImages: new URL('./sample/test-images-idx3-ubyte.gz', import.meta.url),
  testLabels: new URL('./sample/test-labels-idx1-ubyte.gz', import.meta.url),
};

async function fetchBytes(url: URL | string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new DataFormatError(String(url), `HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** Images [n, 28, 28] u8 and labels [n] u8 in 0–9, as a split; a clear DataFormatError otherwise. */
export function checkSplit(images: IdxArray, labels: IdxArray, imagesName: string, labelsName: string): FashionMNISTSplit {
  if (images.dtype !== 'u8' || images.shape.length !== 3 || images.shape[1] !== SIDE || images.shape[2] !== SIDE) {
    throw new DataFormatError(imagesName, `expected u8 images [n, ${SIDE}, ${SIDE}], got ${images.dtype} [${images.shape.join(', ')}]`);
  }
  if (labels.shape.length !== 1 || !['u8', 'i8', 'i16', 'i32'].includes(labels.dtype)) {
    throw new DataFormatError(labelsName, `expected integer labels [n], got ${labels.dtype} [${labels.shape.join(', ')}]`);
  }
  const n = images.shape[0]!;
  if (labels.shape[0] !== n) throw new DataFormatError(labelsName, `${labels.shape[0]} labels for ${n} images in ${imagesName}`);
  const bad = labels.data.findIndex((v) => !(v >= 0 && v < FASHION_MNIST_CLASSES.length));
  if (bad >= 0) {
    throw new DataFormatError(labelsName, `label ${labels.data[bad]} at index ${bad} is outside the ${FASHION_MNIST_CLASSES.length} classes (0–${FASHION_MNIST_CLASSES.length - 1})`);
  }
  return { images: images.data as Uint8Array, labels: Int32Array.from(labels.data), n };
}

async function fromBytes(trainImages: Uint8Array, trainLabels: Uint8Array, testImages: Uint8Array | undefined, testLabels: Uint8Array | undefined, names: string[], source: string): Promise<StudioData> {
  const [ti, tl] = await Promise.all([readIdx(trainImages, names[0]), readIdx(trainLabels, names[1])]);
  const train = checkSplit(ti, tl, names[0]!, names[1]!);
  let test: FashionMNISTSplit | null = null;
  if (testImages && testLabels) {
    const [ei, el] = await Promise.all([readIdx(testImages, names[2]), readIdx(testLabels, names[3])]);
    test = checkSplit(ei, el, names[2]!, names[3]!);
  }
  return { source, train, test, classes: FASHION_MNIST_CLASSES };
}

export async function loadSample(): Promise<StudioData> {
  const bytes = await Promise.all([SAMPLE.trainImages, SAMPLE.trainLabels, SAMPLE.testImages, SAMPLE.testLabels].map(fetchBytes));
  return fromBytes(bytes[0]!, bytes[1]!, bytes[2], bytes[3], ['sample train images', 'sample train labels', 'sample test images', 'sample test labels'], 'built-in sample (300 train + 100 test images)');
}

export async function loadServed(baseUrl: string): Promise<StudioData> {
  const { train, test, classes } = await loadFashionMNIST({ baseUrl });
  return { source: `Fashion-MNIST served at ${new URL(baseUrl).pathname}`, train, test, classes };
}

/**
 * The user's IDX files: images are the rank-3 files, labels the rank-1 files; a name with 'test' or 't10k' marks the
 * test pair. Training images and labels are required, the test pair is optional.
 */
export async function loadUserFiles({ files }: IdxFiles): Promise<StudioData> {
  const parsed = await Promise.all(files.map(async (f) => {
    try {
      return { name: f.name, idx: await readIdx(f.bytes, f.name) };
    } catch (e) {
      throw new DataFormatError(f.name, `not an IDX file (nor a .safetensors file): ${(e as DataFormatError).detail ?? (e as Error).message}`);
    }
  }));
  const role = (rank: number, test: boolean) => parsed.filter((p) => p.idx.shape.length === rank && /test|t10k/i.test(p.name) === test);
  const one = (rank: number, test: boolean, what: string, required: boolean) => {
    const found = role(rank, test);
    if (found.length > 1) throw new DataFormatError(found.map((f) => f.name).join(', '), `several files look like the ${what}; give one`);
    if (!found[0] && required) throw new DataFormatError(files.map((f) => f.name).join(', '), `no ${what} among these files (images: rank-3 IDX [n, 28, 28]; labels: rank-1 IDX [n]; 'test' or 't10k' in a name marks the test pair)`);
    return found[0];
  };
  const ti = one(3, false, 'training images', true)!, tl = one(1, false, 'training labels', true)!;
  const ei = one(3, true, 'test images', false), el = one(1, true, 'test labels', false);
  const unused = parsed.filter((p) => ![ti, tl, ei, el].includes(p));
  if (unused.length) throw new DataFormatError(unused.map((u) => u.name).join(', '), `not images [n, 28, 28] or labels [n]: shape [${unused[0]!.idx.shape.join(', ')}]`);
  const train = checkSplit(ti.idx, tl.idx, ti.name, tl.name);
  const test = ei && el ? checkSplit(ei.idx, el.idx, ei.name, el.name) : null;
  return { source: `your files (${parsed.map((p) => p.name).join(', ')})`, train, test, classes: FASHION_MNIST_CLASSES };
}

/** 'auto': the served full data set when the server has it (npm run studio), else the built-in sample (a static host). */
export async function loadSource(source: DataSource, servedUrl: string): Promise<StudioData> {
  if (source === 'sample') return loadSample();
  if (source === 'served') return loadServed(servedUrl);
  // A static host may answer any path with its index page: the smallest file must really be gzip.
  const probe = await fetch(servedUrl + 't10k-labels-idx1-ubyte.gz').then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null);
  const gzip = probe !== null && probe.byteLength > 2 && new Uint8Array(probe)[0] === 0x1f && new Uint8Array(probe)[1] === 0x8b;
  return gzip ? loadServed(servedUrl) : loadSample();
}
