import { describe, expect, it } from 'vitest';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { allKernels, foldGrid } from '../../src/kernel.js';

// Every kernel module registers itself on import.
import.meta.glob('../../kernels/*.ts', { eager: true });
const shaders = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const prelude = shaders['../../shaders/prelude.wgsl']!;

describe('kernel system', () => {
  it('every shader parses (with the prelude)', () => {
    expect(Object.keys(shaders).length).toBeGreaterThan(1);
    for (const [path, src] of Object.entries(shaders)) {
      const code = path.endsWith('prelude.wgsl') ? src : `${prelude}\n${src}`;
      expect(() => new WgslReflect(code), path).not.toThrow();
    }
  });

  it('every kernel declares exactly the bindings its WGSL has, with the same kind and index', () => {
    const kernels = allKernels();
    expect(kernels.length).toBeGreaterThan(1);
    for (const k of kernels) expect(() => k.verifyBindings(), k.name).not.toThrow();
  });

  it('every shader except the prelude belongs to a kernel', () => {
    const sources = allKernels().map((k) => k.source);
    for (const [path, src] of Object.entries(shaders)) {
      if (path.endsWith('prelude.wgsl')) continue;
      expect(sources.some((s) => s.includes(src)), `${path} is used by no kernel`).toBe(true);
    }
  });

  it('specialization replaces const/alias lines and refuses unknown names', () => {
    const k = allKernels()[0]!;
    expect(() => k.specialize({ NO_SUCH_CONSTANT: 1 })).toThrow(/NO_SUCH_CONSTANT/);
  });

  it('folds large workgroup counts into 2-D and 3-D grids within the limit', () => {
    const max = 65535;
    for (const n of [1, 65535, 65536, 65535 * 3 + 1, 10_000_000, 65535 * 65535 + 7]) {
      const [x, y, z] = foldGrid('t', n, max);
      expect(x).toBeLessThanOrEqual(max);
      expect(y).toBeLessThanOrEqual(max);
      expect(z).toBeLessThanOrEqual(max);
      expect(x * y * z).toBeGreaterThanOrEqual(n);
      // Not wasteful: less than one extra row of x.
      expect(x * y * z - n).toBeLessThan(x * z + y * z + x * y);
    }
    expect(() => foldGrid('t', max ** 3 + 1, max)).toThrow(/dispatch limit/);
  });
});
