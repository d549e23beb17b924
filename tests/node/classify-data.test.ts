// The classification playground's data sets and settings checks (demo/classify/): seeded, labelled as promised,
// split as asked, and bad settings refused before any GPU work.
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/index.js';
import { classesOf, DATASETS, generate, split, type DatasetId } from '../../demo/classify/datasets.js';
import { checkSettings, INITS, NETWORK_DEFAULTS } from '../../demo/classify/settings.js';
import { INIT_SCHEMES } from '../../src/index.js';

const generated = DATASETS.map((d) => d.id).filter((id): id is Exclude<DatasetId, 'custom'> => id !== 'custom');

describe('classification data sets', () => {
  it.each(generated)('%s: the same seed gives the same points, another seed others; labels cover every class; points stay near [−1, 1]²', (id) => {
    const spec = { id, points: 301, noise: 0.05, classes: 3, seed: 5 };
    const a = generate(spec), b = generate(spec), c = generate({ ...spec, seed: 6 });
    expect(a).toEqual(b);
    expect(a.xy).not.toEqual(c.xy);
    const k = classesOf(spec);
    expect(k).toBe(DATASETS.find((d) => d.id === id)!.anyClasses ? 3 : 2);
    expect(new Set(a.labels)).toEqual(new Set(Array.from({ length: k }, (_, i) => i)));
    expect(a.labels.length).toBe(301);
    for (const v of a.xy) expect(Math.abs(v)).toBeLessThan(1.5);
  });

  it('xor labels opposite quadrants alike; noise 0 keeps every point in its quadrant', () => {
    const { xy, labels } = generate({ id: 'xor', points: 200, noise: 0, classes: 2, seed: 1 });
    for (let i = 0; i < 200; i++) expect(labels[i]).toBe(Number((xy[2 * i]! > 0) !== (xy[2 * i + 1]! > 0)));
  });

  it('split keeps every point exactly once, ⌈share·n⌉ of them for training, reproducibly', () => {
    const pts = generate({ id: 'moons', points: 101, noise: 0.1, classes: 2, seed: 3 });
    const { train, test } = split(pts, 0.7, 9);
    expect(train.labels.length).toBe(71);
    expect(test.labels.length).toBe(30);
    const key = (p: typeof pts, i: number) => `${p.xy[2 * i]},${p.xy[2 * i + 1]},${p.labels[i]}`;
    const all = [...Array.from({ length: 71 }, (_, i) => key(train, i)), ...Array.from({ length: 30 }, (_, i) => key(test, i))].sort();
    expect(all).toEqual(Array.from({ length: 101 }, (_, i) => key(pts, i)).sort());
    expect(split(pts, 0.7, 9)).toEqual({ train, test });
  });

  it('the page lists every initialization scheme the library has', () => {
    expect([...INITS]).toEqual([...INIT_SCHEMES]);
  });

  it('settings the network cannot use are refused with the reason', () => {
    const ok = NETWORK_DEFAULTS;
    expect(() => checkSettings(ok, 2, 100)).not.toThrow();
    const cases: [Partial<typeof ok>, number, number, RegExp][] = [
      [{ depth: -1 }, 2, 100, /depth must be an integer ≥ 0, got -1/],
      [{ width: 0 }, 2, 100, /width must be an integer ≥ 1/],
      [{}, 1, 100, /at least 2 classes/],
      [{ batchNorm: true, batch: 1 }, 2, 100, /batch norm needs batches of at least 2 points, got 1/],
      [{ batchNorm: true }, 2, 1, /batch norm needs batches of at least 2 points, got 1/],
      [{ dropout: 1 }, 2, 100, /dropout p must be in \[0, 1\)/],
      [{ activation: 'swish' as never }, 2, 100, /unknown activation 'swish'/],
      [{ lr: 0 }, 2, 100, /lr must be positive/],
    ];
    for (const [patch, classes, n, message] of cases) {
      expect(() => checkSettings({ ...ok, ...patch }, classes, n)).toThrow(ArgumentError);
      expect(() => checkSettings({ ...ok, ...patch }, classes, n)).toThrow(message);
    }
  });
});
