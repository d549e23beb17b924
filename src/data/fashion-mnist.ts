import { ArgumentError } from '../errors.js';
import { IS_NODE } from '../io/bytes.js';
import { DataFormatError } from '../io/errors.js';
import { loadIdx, type IdxArray } from './idx.js';
import { InMemoryDataset } from './loader.js';

/** Label i names class i. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** Mean and std of the training images scaled to [0, 1] (checked against the files in tests/node/data-loader.test.ts). */
export const FASHION_MNIST_MEAN = 0.286;
export const FASHION_MNIST_STD = 0.353;

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const SIDE = 28;
const FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz', n: 60000 },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz', n: 10000 },
} as const;

/** The four files of the data set, as Debian's package installs them (training images, labels; test images, labels). */
export const FASHION_MNIST_FILES: readonly string[] = [FILES.train.images, FILES.train.labels, FILES.test.images, FILES.test.labels];

export interface FashionMNISTSplit {
  /** Pixels 0–255, row-major [n, 1, 28, 28]. */
  images: Uint8Array;
  labels: Int32Array;
  n: number;
}

export interface FashionMNIST {
  train: FashionMNISTSplit;
  test: FashionMNISTSplit;
  classes: readonly string[];
}

export interface FashionMNISTOptions {
  /** Directory with the four .gz files (Node). Default: FASHION_MNIST_DIR in Node. */
  dir?: string;
  /** URL prefix of the four .gz files (browser; also http(s) in Node). */
  baseUrl?: string;
  /** Keep only the first `subset` samples of each split. */
  subset?: number;
}

/** Loads both splits and checks them: 60000 and 10000 images of 28×28 bytes, labels 0–9. */
export async function loadFashionMNIST(options: FashionMNISTOptions = {}): Promise<FashionMNIST> {
  if (options.dir !== undefined && options.baseUrl !== undefined) throw new ArgumentError('loadFashionMNIST', 'give dir or baseUrl, not both');
  const base = options.baseUrl ?? options.dir ?? (IS_NODE ? FASHION_MNIST_DIR : undefined);
  if (base === undefined) throw new ArgumentError('loadFashionMNIST', 'in the browser, pass baseUrl: the URL prefix where the four .gz files are served');
  const { subset } = options;
  if (subset !== undefined && (!Number.isInteger(subset) || subset < 1)) throw new ArgumentError('loadFashionMNIST', `subset must be a positive integer, got ${subset}`);
  const at = (file: string) => (base.endsWith('/') ? base : `${base}/`) + file;
  const load = async (split: keyof typeof FILES): Promise<FashionMNISTSplit> => {
    const f = FILES[split];
    const [images, labels] = await Promise.all([loadIdx(at(f.images)), loadIdx(at(f.labels))]);
    check(at(f.images), images, [f.n, SIDE, SIDE]);
    check(at(f.labels), labels, [f.n]);
    const bad = labels.data.findIndex((v) => v > 9);
    if (bad >= 0) throw new DataFormatError(at(f.labels), `label ${labels.data[bad]} at index ${bad} is not a class 0–9`);
    const n = Math.min(subset ?? f.n, f.n);
    return { images: (images.data as Uint8Array).slice(0, n * SIDE * SIDE), labels: Int32Array.from(labels.data.subarray(0, n)), n };
  };
  const [train, test] = await Promise.all([load('train'), load('test')]);
  return { train, test, classes: FASHION_MNIST_CLASSES };
}

function check(name: string, a: IdxArray, shape: readonly number[]): void {
  if (a.dtype !== 'u8' || a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
    throw new DataFormatError(name, `expected u8 [${shape.join(', ')}], got ${a.dtype} [${a.shape.join(', ')}]`);
  }
}

/** A split as a dataset of [1, 28, 28] samples, normalized with the training mean and std unless told otherwise. */
export function fashionMNISTDataset(split: FashionMNISTSplit, normalize = true): InMemoryDataset {
  return new InMemoryDataset(split.images, split.labels, {
    sampleShape: [1, SIDE, SIDE],
    classes: FASHION_MNIST_CLASSES.length,
    normalize: normalize ? { scale: 1 / 255, mean: FASHION_MNIST_MEAN, std: FASHION_MNIST_STD } : { scale: 1 / 255 },
  });
}
