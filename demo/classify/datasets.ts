// The 2-D data sets of the classification playground, generated on the CPU from a seed (the same settings give the
// same points), scaled to about [−1, 1]², and split into train and test sets.
import { SeededRandom } from '../../src/data/random.js';

export const DATASET_IDS = ['moons', 'spirals', 'circles', 'xor', 'blobs', 'flower', 'custom'] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

export interface DatasetInfo {
  id: DatasetId;
  label: string;
  /** Whether the number of classes is a free choice (2–5); otherwise 2. */
  anyClasses: boolean;
  note: string;
}

export const DATASETS: readonly DatasetInfo[] = [
  { id: 'moons', label: 'Two moons', anyClasses: false, note: 'Two interleaved half circles: one curved cut separates them.' },
  { id: 'spirals', label: 'Spirals', anyClasses: true, note: 'Arms winding around each other: the boundary must wind too, which needs depth or width.' },
  { id: 'circles', label: 'Circles', anyClasses: true, note: 'Rings around the origin: no straight line separates them, a closed curve does.' },
  { id: 'xor', label: 'XOR', anyClasses: false, note: 'Opposite quadrants share a class: the classic problem a single linear layer cannot solve.' },
  { id: 'blobs', label: 'Gaussian blobs', anyClasses: true, note: 'Gaussian clusters around a circle: straight boundaries between neighbours nearly separate them, so even logistic regression does well.' },
  { id: 'flower', label: 'Lecture: red/blue points', anyClasses: false, note: 'The lecture 002 red/blue "flower" (Andrew Ng\'s planar data): a straight boundary cannot follow the petals (the lecture\'s logistic regression: 47 %); hidden layers bend it around them.' },
  { id: 'custom', label: 'Your points (click)', anyClasses: true, note: 'Click on the map to add a point of the chosen class, shift-click to remove the nearest one.' },
];

export interface Points {
  /** x0, y0, x1, y1, … */
  xy: Float32Array;
  labels: Int32Array;
}

export interface DatasetSpec {
  id: DatasetId;
  points: number;
  /** Standard deviation of the Gaussian noise added to each coordinate, in units of the data's scale (≈ 1). */
  noise: number;
  classes: number;
  seed: number;
}

/** The classes a data set has under `spec` (2 unless the data set takes any number). */
export function classesOf(spec: Pick<DatasetSpec, 'id' | 'classes'>): number {
  return DATASETS.find((d) => d.id === spec.id)!.anyClasses ? spec.classes : 2;
}

/** Generates a data set (not 'custom': those points come from the user). */
export function generate(spec: DatasetSpec): Points {
  const random = new SeededRandom(spec.seed);
  const rng = { next: () => random.nextU32() / 2 ** 32 };
  const n = spec.points, k = classesOf(spec);
  const xy = new Float32Array(2 * n), labels = new Int32Array(n);
  const normal = () => {
    const u = 1 - rng.next(), v = rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const t = rng.next();
    let x = 0, y = 0;
    switch (spec.id) {
      case 'moons': {
        const a = Math.PI * t;
        [x, y] = c === 0 ? [Math.cos(a) - 0.5, Math.sin(a) - 0.25] : [0.5 - Math.cos(a), 0.25 - Math.sin(a)];
        x *= 0.8; y *= 0.8;
        break;
      }
      case 'spirals': {
        const r = 0.05 + 0.95 * t, a = 1.75 * 2 * Math.PI * t + (2 * Math.PI * c) / k;
        [x, y] = [r * Math.cos(a), r * Math.sin(a)];
        break;
      }
      case 'circles': {
        const r = (c + 0.2 + 0.6 * t) / k, a = 2 * Math.PI * rng.next();
        [x, y] = [r * Math.cos(a), r * Math.sin(a)];
        break;
      }
      case 'xor': {
        x = 2 * t - 1; y = 2 * rng.next() - 1;
        // Keep a margin around the axes so the classes are separable without noise.
        x += Math.sign(x) * 0.05; y += Math.sign(y) * 0.05;
        labels[i] = Number((x > 0) !== (y > 0));
        break;
      }
      case 'blobs': {
        const a = (2 * Math.PI * c) / k + 0.3;
        [x, y] = [0.6 * Math.cos(a) + 0.15 * normal(), 0.6 * Math.sin(a) + 0.15 * normal()];
        break;
      }
      case 'flower': {
        // Andrew Ng's planar data set, the lecture's figure: r = 4·sin(4θ), class j on θ ∈ [3.12j, 3.12(j+1)].
        const theta = 3.12 * (c + t) + 0.2 * normal(), r = 4 * Math.sin(4 * theta) + 0.2 * normal();
        [x, y] = [(r * Math.sin(theta)) / 4, (r * Math.cos(theta)) / 4];
        break;
      }
      case 'custom': throw new Error('custom points come from the user, not a generator');
    }
    if (spec.id !== 'xor') labels[i] = c;
    xy[2 * i] = x + spec.noise * normal();
    xy[2 * i + 1] = y + spec.noise * normal();
  }
  return { xy, labels };
}

/** A seeded shuffle split: the first ⌈trainFraction·n⌉ points of the shuffled order train, the rest test. */
export function split(points: Points, trainFraction: number, seed: number): { train: Points; test: Points } {
  const n = points.labels.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new SeededRandom(seed, 1);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nTrain = Math.min(n, Math.max(1, Math.ceil(trainFraction * n)));
  const take = (idx: number[]): Points => ({
    xy: Float32Array.from(idx.flatMap((i) => [points.xy[2 * i]!, points.xy[2 * i + 1]!])),
    labels: Int32Array.from(idx.map((i) => points.labels[i]!)),
  });
  return { train: take(order.slice(0, nTrain)), test: take(order.slice(nTrain)) };
}
