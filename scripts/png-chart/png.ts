/** An 8-bit RGBA image, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * Compresses bytes into a zlib stream (RFC 1950), e.g. `deflateSync` from node:zlib. PNG requires the
 * zlib wrapper, not raw deflate or gzip.
 */
export type ZlibDeflate = (bytes: Uint8Array) => Uint8Array;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Encodes an RGBA image as a PNG file. `deflate` defaults to `zlibStored` (no compression, so this
 * module needs nothing from the platform); pass a real compressor where one exists: charts shrink ~50×.
 */
export function encodePng(image: RgbaImage, deflate: ZlibDeflate = zlibStored): Uint8Array {
  const { width, height, rgba } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`encodePng: width and height must be positive integers, got ${width}×${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`encodePng: a ${width}×${height} RGBA image needs ${width * height * 4} bytes, got ${rgba.length}`);
  }
  // Each scanline is prefixed by its filter type; 0 (None) keeps the encoder trivial and flat charts compress well anyway.
  const stride = width * 4;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);

  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, adaptive filtering, no interlace

  return concat([new Uint8Array(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', deflate(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** A zlib stream made of stored (uncompressed) deflate blocks: valid input for any inflater. */
export function zlibStored(bytes: Uint8Array): Uint8Array {
  const MAX_BLOCK = 0xffff;
  const blocks = Math.max(1, Math.ceil(bytes.length / MAX_BLOCK));
  const out = new Uint8Array(2 + blocks * 5 + bytes.length + 4);
  out[0] = 0x78; // CMF: deflate, 32 KiB window
  out[1] = 0x01; // FLG: no dictionary, lowest level; (0x78 << 8 | 0x01) % 31 === 0 as the header check requires
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * MAX_BLOCK;
    const len = Math.min(MAX_BLOCK, bytes.length - start);
    out[o] = b === blocks - 1 ? 1 : 0; // BFINAL on the last block, BTYPE 00 (stored)
    out[o + 1] = len & 0xff;
    out[o + 2] = len >>> 8;
    out[o + 3] = ~len & 0xff;
    out[o + 4] = (~len >>> 8) & 0xff;
    out.set(bytes.subarray(start, start + len), o + 5);
    o += 5 + len;
  }
  new DataView(out.buffer).setUint32(o, adler32(bytes));
  return out;
}

export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // Reduce every 5552 bytes (zlib's NMAX): the longest run that keeps both sums below 2^32, so they stay small integers.
  for (let i = 0; i < bytes.length; i += 5552) {
    const end = Math.min(i + 5552, bytes.length);
    for (let j = i; j < end; j++) {
      a += bytes[j]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

let crcTable: Uint32Array | undefined;

export function crc32(bytes: Uint8Array, crc = 0): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** length, type, data, CRC-32 of type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
