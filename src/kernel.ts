import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { ArgumentError, WgslNNError } from './errors.js';
import prelude from '../shaders/prelude.wgsl?raw';

/** How a kernel uses a binding; must agree with the WGSL declaration (checked against wgsl_reflect). */
export type BindingKind = 'read' | 'read_write' | 'uniform';

export interface KernelSpec {
  /** Unique name; with the specialization and override constants it keys the pipeline cache. */
  name: string;
  /** WGSL source (a file in shaders/, imported with ?raw); shaders/prelude.wgsl is prepended. */
  source: string;
  entryPoint?: string;
  /** Binding name → kind, in the order of their @binding indices. */
  bindings: Record<string, BindingKind>;
}

export interface ReflectedBinding {
  name: string;
  group: number;
  binding: number;
  kind: BindingKind;
}

/** Compile-time values substituted into `const NAME = …;` / `alias NAME = …;` lines of the WGSL source. */
export type Specialization = Record<string, string | number>;
/**
 * A specialization built once per variant index and frozen: the runtime finds its pipeline by the
 * object's identity, skipping the key string it otherwise builds at every dispatch.
 */
export function cachedSpec<A extends unknown[]>(cache: Map<number, Specialization>, index: number, build: (...args: A) => Specialization, ...args: A): Specialization {
  let spec = cache.get(index);
  if (!spec) cache.set(index, (spec = Object.freeze(build(...args))));
  return spec;
}

/** The two frozen specializations { NAME: 'false' } and { NAME: 'true' } of a boolean constant, by its value. */
export function flagSpecs(name: string): (value: boolean) => Specialization {
  const off = Object.freeze({ [name]: 'false' }), on = Object.freeze({ [name]: 'true' });
  return (value) => (value ? on : off);
}

/** Pipeline-overridable constants (`override NAME: T = …;`). */
export type Overrides = Record<string, number>;

const registry = new Map<string, Kernel>();

export class Kernel {
  readonly name: string;
  readonly source: string;
  readonly entryPoint: string;
  readonly bindings: Record<string, BindingKind>;
  readonly bindingNames: readonly string[];
  /** Per binding, in order: whether the kernel may write it (read_write storage). */
  readonly writable: readonly boolean[];
  private reflectedCache: ReflectedBinding[] | null = null;

  constructor(spec: KernelSpec) {
    this.name = spec.name;
    this.source = `${prelude}\n${spec.source}`;
    this.entryPoint = spec.entryPoint ?? 'main';
    this.bindings = spec.bindings;
    this.bindingNames = Object.keys(spec.bindings);
    this.writable = this.bindingNames.map((n) => spec.bindings[n] === 'read_write');
  }

  /** Bindings as the WGSL declares them (parsed once with wgsl_reflect). */
  reflect(): ReflectedBinding[] {
    if (this.reflectedCache) return this.reflectedCache;
    const r = new WgslReflect(this.source);
    const out: ReflectedBinding[] = [];
    for (const s of r.storage) out.push({ name: s.name, group: s.group, binding: s.binding, kind: s.access === 'read_write' ? 'read_write' : 'read' });
    for (const u of r.uniforms) out.push({ name: u.name, group: u.group, binding: u.binding, kind: 'uniform' });
    out.sort((a, b) => a.group - b.group || a.binding - b.binding);
    if (!r.entry.compute.some((e) => e.name === this.entryPoint)) {
      throw new WgslNNError(`kernel ${this.name}: no @compute entry point named ${this.entryPoint}`);
    }
    this.reflectedCache = out;
    return out;
  }

  /** Throws unless every declared binding exists in the WGSL with the declared kind, at its index, in group 0. */
  verifyBindings(): void {
    const reflected = this.reflect();
    const names = this.bindingNames;
    if (reflected.length !== names.length) {
      throw new WgslNNError(`kernel ${this.name}: WGSL declares bindings [${reflected.map((b) => b.name).join(', ')}], the TS side [${names.join(', ')}]`);
    }
    reflected.forEach((b, i) => {
      if (b.group !== 0 || b.binding !== i) throw new WgslNNError(`kernel ${this.name}: binding ${b.name} must be @group(0) @binding(${i})`);
      if (b.name !== names[i]) throw new WgslNNError(`kernel ${this.name}: binding ${i} is ${b.name} in WGSL, ${names[i]} in TS`);
      if (b.kind !== this.bindings[b.name]) throw new WgslNNError(`kernel ${this.name}: binding ${b.name} is ${b.kind} in WGSL, ${this.bindings[b.name]} in TS`);
    });
  }

  /** The source with `const`/`alias` lines replaced by the specialization's values. */
  specialize(spec: Specialization | undefined): string {
    if (!spec) return this.source;
    let src = this.source;
    for (const [key, value] of Object.entries(spec)) {
      const re = new RegExp(`^(\\s*)(const|alias)\\s+${key}\\b(\\s*:\\s*[\\w<>]+)?\\s*=\\s*[^;]+;`, 'm');
      if (!re.test(src)) throw new WgslNNError(`kernel ${this.name}: no \`const ${key}\` or \`alias ${key}\` line to specialize`);
      src = src.replace(re, (_m, indent: string, kw: string, ty: string | undefined) => `${indent}${kw} ${key}${ty ?? ''} = ${value};`);
    }
    return src;
  }
}

export function defineKernel(spec: KernelSpec): Kernel {
  if (registry.has(spec.name)) throw new WgslNNError(`kernel ${spec.name} is defined twice`);
  const k = new Kernel(spec);
  registry.set(spec.name, k);
  return k;
}

export function allKernels(): Kernel[] {
  return [...registry.values()];
}

/** Encodes one dispatch of `grid`; a 1-D grid goes as one argument, measurably cheaper through dawn.node's bindings. */
export function dispatchGrid(pass: GPUComputePassEncoder, grid: readonly [number, number, number]): void {
  if (grid[1] === 1 && grid[2] === 1) pass.dispatchWorkgroups(grid[0]);
  else pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
}

/** Splits a workgroup count over x/y/z so no dimension passes the device limit; shaders rebuild the linear id with `linear_workgroup_id`. */
export function foldGrid(op: string, count: number, maxPerDim: number): [number, number, number] {
  if (count <= maxPerDim) return [Math.max(count, 1), 1, 1];
  const y = Math.ceil(count / maxPerDim);
  if (y <= maxPerDim) return [Math.ceil(count / y), y, 1];
  const z = Math.ceil(y / maxPerDim);
  const yy = Math.ceil(y / z);
  if (z > maxPerDim) throw new ArgumentError(op, `${count} workgroups exceed the device's 3-D dispatch limit (${maxPerDim}³)`);
  return [Math.ceil(count / (yy * z)), yy, z];
}
