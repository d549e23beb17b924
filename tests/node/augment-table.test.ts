import { describe, expect, it } from 'vitest';
import { pickBox, resizedCropTable } from '../../src/augment/stages.js';
import { Rng } from '../helpers/random.js';

/** torchvision's RandomResizedCrop.get_params box size, without its centre-crop fallback (a retry instead). */
function torchvisionBox(rng: Rng, h: number, w: number, scale: [number, number], ratio: [number, number]): [number, number] {
  for (;;) {
    const area = h * w * (scale[0] + (scale[1] - scale[0]) * rng.next());
    const r = Math.exp(Math.log(ratio[0]) + (Math.log(ratio[1]) - Math.log(ratio[0])) * rng.next());
    const bw = Math.round(Math.sqrt(area * r)), bh = Math.round(Math.sqrt(area / r));
    if (bw > 0 && bw <= w && bh > 0 && bh <= h) return [bh, bw];
  }
}

describe('randomResizedCrop box table', () => {
  for (const [h, w, scale, ratio] of [[28, 28, [0.08, 1], [3 / 4, 4 / 3]], [17, 9, [0.3, 0.9], [0.5, 2]]] as const) {
    it(`matches torchvision's box distribution on ${h}×${w}, scale [${scale}], ratio [${ratio.map((r) => r.toFixed(2))}]`, () => {
      const table = resizedCropTable(h, w, scale, ratio);
      const n = table.length / 3;
      for (let k = 0; k < n; k++) {
        expect(table[3 * k]).toBeGreaterThanOrEqual(1);
        expect(table[3 * k]).toBeLessThanOrEqual(h);
        expect(table[3 * k + 1]).toBeLessThanOrEqual(w);
        if (k) expect(table[3 * k + 2]).toBeGreaterThan(table[3 * k - 1]!);
      }
      expect(table[3 * n - 1]).toBe(0xffffffff);
      // Mean box area and mean height from the table's probabilities vs 200,000 draws of torchvision's
      // procedure: the Monte Carlo standard error is about 0.1% of the means; the 128² quadrature adds
      // less. Bound: 1% relative.
      let area = 0, height = 0, prev = 0;
      for (let k = 0; k < n; k++) {
        const pk = (table[3 * k + 2]! - prev) / 2 ** 32;
        prev = table[3 * k + 2]!;
        area += pk * table[3 * k]! * table[3 * k + 1]!;
        height += pk * table[3 * k]!;
      }
      const rng = new Rng();
      let mcArea = 0, mcHeight = 0;
      const draws = 200_000;
      for (let i = 0; i < draws; i++) {
        const [bh, bw] = torchvisionBox(rng, h, w, [scale[0], scale[1]], [ratio[0], ratio[1]]);
        mcArea += (bh * bw) / draws;
        mcHeight += bh / draws;
      }
      expect(Math.abs(area - mcArea) / mcArea).toBeLessThan(0.01);
      expect(Math.abs(height - mcHeight) / mcHeight).toBeLessThan(0.01);
      expect(pickBox(table, 0)).toBe(0);
      expect(pickBox(table, 0xffffffff)).toBe(n - 1);
    });
  }
});
