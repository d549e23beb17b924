import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/io/errors.js';
import { decodeSafetensors, encodeSafetensors, tensorValues, type SafetensorsDType, type SafetensorsTensor } from '../../src/io/safetensors.js';

const fixtureBytes = new Uint8Array(readFileSync(new URL('../fixtures/torch-small.safetensors', import.meta.url)));
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-small.json', import.meta.url), 'utf8')) as {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: SafetensorsDType; shape: number[]; values: number[] }>;
};

/** A file from raw header text (not padded) and `dataBytes` bytes of buffer. */
function file(header: string, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('safetensors encoding', () => {
  it('writes the reference implementation\'s bytes (its serialization tests)', () => {
    const data = Float32Array.of(0, 1, 2, 3, 4, 5);
    const withData = (header: string) => {
      const f = file(header, 24);
      f.set(bytesOf(data), f.length - 24);
      return f;
    };
    expect(encodeSafetensors(new Map([['attn.0', { dtype: 'F32', shape: [1, 2, 3], data }]]))).toEqual(
      withData('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'),
    );
    // 65 bytes of JSON: padded with 7 spaces so the data starts 8-byte aligned.
    expect(encodeSafetensors(new Map([['attn0', { dtype: 'F32', shape: [1, 1, 2, 3], data }]]))).toEqual(
      withData('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       '),
    );
    expect(encodeSafetensors(new Map())).toEqual(file('{}      '));
    expect(encodeSafetensors(new Map(), { framework: 'pt' })).toEqual(file('{"__metadata__":{"framework":"pt"}}     '));
  });

  it('orders tensors by decreasing dtype alignment, then name', () => {
    const t = (dtype: SafetensorsDType, data: ArrayBufferView): SafetensorsTensor => ({ dtype, shape: [1], data });
    const bytes = encodeSafetensors(new Map([
      ['b', t('U8', Uint8Array.of(1))], ['a', t('F32', Float32Array.of(2))], ['z', t('I64', BigInt64Array.of(3n))],
      ['c', t('F32', Float32Array.of(4))], ['h', t('F16', Uint16Array.of(0x3c00))],
    ]));
    expect([...decodeSafetensors(bytes).tensors.keys()]).toEqual(['z', 'a', 'c', 'h', 'b']);
  });

  it('round-trips every dtype, scalars, empty tensors and metadata; re-encoding is byte-identical', () => {
    const entries = new Map<string, SafetensorsTensor>([
      ['w', { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1.5, -2, 3e-8, Infinity) }],
      ['steps', { dtype: 'I64', shape: [], data: BigInt64Array.of(-7n) }],
      ['ids', { dtype: 'I32', shape: [3], data: Int32Array.of(-1, 0, 2 ** 31 - 1) }],
      ['mask', { dtype: 'BOOL', shape: [3], data: Uint8Array.of(1, 0, 1) }],
      ['half', { dtype: 'F16', shape: [4], data: Uint16Array.of(0x3c00, 0xc000, 0x7c00, 0x0001) }],
      ['brain', { dtype: 'BF16', shape: [2], data: Uint16Array.of(0x3f80, 0xc0a0) }],
      ['wide', { dtype: 'F64', shape: [1], data: Float64Array.of(0.1) }],
      ['none', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
      ['naïve ✓', { dtype: 'U16', shape: [1], data: Uint16Array.of(65535) }],
    ]);
    const bytes = encodeSafetensors(entries, { epoch: '3', '1': 'integer-like key' });
    const decoded = decodeSafetensors(bytes);
    expect(decoded.metadata).toEqual({ epoch: '3', '1': 'integer-like key' });
    for (const [name, t] of entries) {
      const d = decoded.tensors.get(name)!;
      expect([d.dtype, d.shape], name).toEqual([t.dtype, t.shape]);
      expect(d.data, name).toEqual(bytesOf(t.data));
    }
    expect(encodeSafetensors(decoded.tensors, decoded.metadata)).toEqual(bytes);
    const values = (name: string) => [...tensorValues(decoded.tensors.get(name)!, name)];
    expect(values('half')).toEqual([1, -2, Infinity, 2 ** -24]);
    expect(values('brain')).toEqual([1, -5]);
    expect(values('wide')).toEqual([Math.fround(0.1)]);
    expect(values('steps')).toEqual([-7]);
    expect(values('mask')).toEqual([1, 0, 1]);
    expect(tensorValues(decoded.tensors.get('ids')!)).toBeInstanceOf(Int32Array);
  });

  it('refuses bad input to the encoder', () => {
    const f32 = (shape: number[], n: number) => ({ dtype: 'F32' as const, shape, data: new Float32Array(n) });
    expect(() => encodeSafetensors(new Map([['a', f32([2, 2], 3)]]))).toThrow(/a: shape \[2, 2\] of F32 needs 16 bytes, the data has 12/);
    expect(() => encodeSafetensors(new Map([['a', f32([-1], 0)]]))).toThrow(/non-negative integers/);
    expect(() => encodeSafetensors(new Map([['__metadata__', f32([1], 1)]]))).toThrow(/reserved/);
    expect(() => encodeSafetensors(new Map([['a', { dtype: 'F128' as SafetensorsDType, shape: [1], data: new Uint8Array(16) }]]))).toThrow(/unknown dtype F128/);
    expect(() => tensorValues({ dtype: 'I64', shape: [1], data: bytesOf(BigInt64Array.of(2n ** 40n)) }, 'big')).toThrow(/big: I64 value 1099511627776 at index 0 does not fit in i32/);
  });
});

describe('PyTorch fixture (scripts/make-safetensors-fixture.py)', () => {
  it('decodes the names, dtypes, shapes and exact values torch wrote', () => {
    const { tensors, metadata } = decodeSafetensors(fixtureBytes, 'torch-small.safetensors');
    expect(metadata).toEqual(fixture.metadata);
    expect([...tensors.keys()].sort()).toEqual(Object.keys(fixture.tensors).sort());
    expect(tensors.get('1.num_batches_tracked')!.dtype).toBe('I64');
    for (const [name, want] of Object.entries(fixture.tensors)) {
      const t = tensors.get(name)!;
      expect([t.dtype, t.shape], name).toEqual([want.dtype, want.shape]);
      // JSON holds each float32 as its exact double, so the comparison is exact.
      expect([...tensorValues(t, name)], name).toEqual(want.values);
    }
  });

  it('re-encodes to the same bytes as the Python writer', () => {
    const { tensors, metadata } = decodeSafetensors(fixtureBytes);
    expect(encodeSafetensors(tensors, metadata)).toEqual(fixtureBytes);
  });
});

describe('safetensors validation', () => {
  const refuse = (bytes: Uint8Array, message: RegExp) => {
    expect(() => decodeSafetensors(bytes, 'evil.safetensors')).toThrow(DataFormatError);
    expect(() => decodeSafetensors(bytes, 'evil.safetensors')).toThrow(message);
  };
  const entry = (dtype: string, shape: unknown, offsets: unknown) => `{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;

  it('refuses a file too short or whose header length is too large', () => {
    refuse(Uint8Array.of(1, 0, 0), /^evil\.safetensors: 3 bytes is shorter than the 8-byte header length field$/);
    const long = file('{}');
    new DataView(long.buffer).setUint32(0, 200, true);
    refuse(long, /header length 200 is larger than the file \(2 bytes after the length field\)/);
    const huge = file('{}');
    new DataView(huge.buffer).setBigUint64(0, 100_000_001n, true);
    refuse(huge, /header length 100000001 exceeds the 100000000-byte limit/);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    refuse(huge, /exceeds the 100000000-byte limit/);
  });

  it('refuses a header that is not UTF-8, not JSON, not an object, or repeats a key', () => {
    const bad = file('{"a"}');
    bad[10] = 0xff;
    refuse(bad, /the header is not valid UTF-8/);
    refuse(file('{"a": '), /the header is not valid JSON/);
    refuse(file('[1, 2]'), /the header must be a JSON object \(starting with '\{'\), it starts with "\[1, 2\]"/);
    refuse(file(`{"a":${entry('F32', [1], [0, 4])},"a":${entry('F32', [1], [4, 8])}}`, 8), /the header repeats the key "a"/);
    refuse(file(`{"a":{"dtype":"F32","shape":[1],"dtype":"I32","data_offsets":[0,4]}}`, 4), /the header repeats the key "dtype"/);
    refuse(file('{"__metadata__":{"k":1}}'), /__metadata__\.k must be a string, got 1/);
    refuse(file('{"__metadata__":["k"]}'), /__metadata__ must be an object of strings/);
    refuse(file('{"a":[1]}'), /tensor "a": its entry must be an object/);
  });

  it('accepts duplicate-looking strings that are values, not keys, and escaped quotes in names', () => {
    const ok = decodeSafetensors(file(`{"__metadata__":{"x":"a","y":"a"},"q\\"a":${entry('U8', [1], [0, 1])}}`, 1));
    expect([...ok.tensors.keys()]).toEqual(['q"a']);
  });

  it('refuses unknown dtypes and bad shapes', () => {
    refuse(file(`{"a":${entry('F128', [1], [0, 16])}}`, 16), /tensor "a": unknown dtype "F128"/);
    refuse(file(`{"a":${entry('F32', [-1], [0, 4])}}`, 4), /tensor "a": shape \[-1\] must be a list of non-negative integers/);
    refuse(file(`{"a":${entry('F32', [1.5], [0, 4])}}`, 4), /shape \[1.5\]/);
    refuse(file(`{"a":${entry('F32', '4', [0, 4])}}`, 4), /shape "4"/);
  });

  it('refuses offsets out of bounds, mismatching the shape, overlapping, leaving holes or not covering the buffer', () => {
    refuse(file(`{"a":${entry('F32', [1], [0, 4, 8])}}`, 8), /data_offsets \[0,4,8\] must be \[begin, end\]/);
    refuse(file(`{"a":${entry('F32', [1], [8, 4])}}`, 8), /data_offsets \[8,4\] must be \[begin, end\] with 0 ≤ begin ≤ end/);
    refuse(file(`{"a":${entry('F32', [2], [0, 8])}}`, 4), /tensor "a": data_offsets \[0, 8\] run past the end of the 4-byte data buffer/);
    refuse(file(`{"a":${entry('F32', [2, 2], [0, 12])}}`, 12), /tensor "a": shape \[2, 2\] of F32 needs 16 bytes but data_offsets \[0, 12\] hold 12/);
    refuse(file(`{"a":${entry('F32', [2], [0, 8])},"b":${entry('F32', [2], [4, 12])}}`, 12), /tensor "b": data_offsets \[4, 12\] overlap tensor "a"/);
    refuse(file(`{"a":${entry('F32', [1], [0, 4])},"b":${entry('F32', [1], [8, 12])}}`, 12), /tensor "b": data_offsets \[8, 12\] leave a hole of 4 bytes before them/);
    refuse(file(`{"a":${entry('F32', [1], [4, 8])}}`, 8), /leave a hole of 4 bytes/);
    refuse(file(`{"a":${entry('F32', [1], [0, 4])}}`, 6), /the tensors cover 4 bytes of the 6-byte data buffer \(2 bytes unaccounted for\)/);
    refuse(file('{}', 1), /cover 0 bytes of the 1-byte data buffer/);
  });

  it('refuses a truncated copy of the fixture', () => {
    refuse(fixtureBytes.subarray(0, fixtureBytes.length - 1), /run past the end|cover/);
    refuse(fixtureBytes.subarray(0, 100), /header length \d+ is larger than the file/);
  });
});
