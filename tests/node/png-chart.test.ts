import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { lineChart, niceAxis, SERIES_COLORS } from '../../scripts/png-chart/chart.js';
import { adler32, crc32, encodePng, zlibStored, type RgbaImage } from '../../scripts/png-chart/png.js';

interface Chunk { type: string; data: Uint8Array }

/** Parses a PNG independently of the encoder: checks the signature and every chunk's CRC. */
function readChunks(png: Uint8Array): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  for (let o = 8; o < png.length;) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    expect(view.getUint32(o + 8 + len), `CRC of ${type}`).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
    chunks.push({ type, data: png.subarray(o + 8, o + 8 + len) });
    o += 12 + len;
  }
  return chunks;
}

/** Decodes an 8-bit RGBA, non-interlaced PNG whose scanlines all use filter 0 (what encodePng writes). */
function decodePng(png: Uint8Array): RgbaImage {
  const chunks = readChunks(png);
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  expect([...chunks[0]!.data.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
  // inflateSync verifies the zlib header check and the Adler-32 trailer.
  const raw = inflateSync(chunks[1]!.data);
  expect(raw.length).toBe(height * (width * 4 + 1));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)], `filter byte of row ${y}`).toBe(0);
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, rgba };
}

function countColor(img: RgbaImage, [r, g, b]: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (img.rgba[i] === r && img.rgba[i + 1] === g && img.rgba[i + 2] === b) n++;
  return n;
}

describe('png', () => {
  it('computes the standard CRC-32 and Adler-32 check values', () => {
    const ascii = new TextEncoder().encode('123456789');
    expect(crc32(ascii)).toBe(0xcbf43926);
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
    // Longer than one 5552-byte reduction run, with bytes of 255 (the worst case for the sums).
    const big = new Uint8Array(100_000).fill(255);
    expect(adler32(big)).toBe(inflateAdler(big));
  });

  it('writes stored zlib streams that inflate back, across several 64 KiB blocks', () => {
    for (const n of [0, 1, 65535, 65536, 200_001]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
      expect(Buffer.compare(inflateSync(zlibStored(bytes)), bytes), `n = ${n}`).toBe(0);
    }
  });

  it('encodes an image that decodes back pixel for pixel, stored or compressed', () => {
    const img: RgbaImage = { width: 3, height: 2, rgba: Uint8Array.from({ length: 24 }, (_, i) => i * 10) };
    for (const deflate of [undefined, (b: Uint8Array) => new Uint8Array(deflateSync(b))]) {
      const back = decodePng(encodePng(img, deflate));
      expect([back.width, back.height]).toEqual([3, 2]);
      expect([...back.rgba]).toEqual([...img.rgba]);
    }
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => encodePng({ width: 2, height: 2, rgba: new Uint8Array(15) })).toThrow(/needs 16 bytes/);
  });
});

/** Adler-32 as zlib computes it: the last 4 bytes of a zlib stream. */
function inflateAdler(bytes: Uint8Array): number {
  const z = deflateSync(bytes);
  return z.readUInt32BE(z.length - 4);
}

describe('lineChart', () => {
  it('draws every series in its own colour, on a white background, and encodes as a PNG', () => {
    const series = [
      { name: 'train loss', points: Array.from({ length: 100 }, (_, i) => [i / 50, 2.3 * Math.exp(-i / 30)] as const) },
      { name: 'val loss', points: [[1, 0.9], [2, 0.6]] as const },
      { name: 'train acc', points: [[1, 0.5], [2, 0.7]] as const },
      { name: 'val acc', points: [[1, 0.45], [2, 0.66]] as const },
    ];
    const img = decodePng(encodePng(lineChart({ title: 'Loss', xLabel: 'epoch', yLabel: 'loss', series, width: 320, height: 200 })));
    expect([img.width, img.height]).toEqual([320, 200]);
    for (const color of SERIES_COLORS) expect(countColor(img, color), `pixels of ${color}`).toBeGreaterThan(25);
    expect(countColor(img, [255, 255, 255])).toBeGreaterThan(img.width * img.height * 0.5);
  });

  it('shows a single point and skips non-finite values instead of failing', () => {
    const img = lineChart({ series: [{ name: 'a', points: [[1, 0.5]] }, { name: 'b', points: [[0, NaN], [1, Infinity]] }], width: 200, height: 120 });
    expect(countColor(img, SERIES_COLORS[0]!)).toBeGreaterThanOrEqual(25);
  });

  it('picks round tick values covering the data', () => {
    expect(niceAxis([0.13, 0.87], 5)).toMatchObject({ lo: 0, hi: 1, labels: ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'] });
    expect(niceAxis([0, 3], 4)).toMatchObject({ lo: 0, hi: 3, labels: ['0', '1', '2', '3'] });
    expect(niceAxis([-0.07, 0.012], 4).labels).toEqual(['-0.10', '-0.05', '0.00', '0.05']);
    // A constant series still gets a range around its value.
    const flat = niceAxis([2, 2], 4);
    expect(flat.lo).toBeLessThan(2);
    expect(flat.hi).toBeGreaterThan(2);
  });
});
