// Command-line flags shared by the three back ends → SuiteOptions.
import type { SuiteOptions } from './types.js';

export const ALL_SIZES = [256, 512, 1024, 2048, 4096];

export interface Flags {
  quick: boolean;
  full: boolean;
  /** --sizes 256,1024 */
  sizes?: number[];
  /** --no-overhead / --no-matmul */
  overhead: boolean;
  matmul: boolean;
  repeats?: number;
}

export function parseFlags(argv: readonly string[]): Flags {
  const f: Flags = { quick: false, full: false, overhead: true, matmul: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') f.quick = true;
    else if (a === '--full') f.full = true;
    else if (a === '--no-overhead') f.overhead = false;
    else if (a === '--no-matmul') f.matmul = false;
    else if (a === '--sizes') f.sizes = argv[++i]!.split(',').map(Number);
    else if (a.startsWith('--sizes=')) f.sizes = a.slice(8).split(',').map(Number);
    else if (a === '--repeats') f.repeats = Number(argv[++i]);
  }
  return f;
}

/** A CPU adapter (SwiftShader, ~0.2–1 GFLOP/s): big matmuls would take minutes each. */
export function isCpuAdapter(info: { vendor?: string; architecture?: string; description?: string }): boolean {
  return /swiftshader|llvmpipe|lavapipe|cpu/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

/**
 * Defaults: a real GPU runs every size; a CPU adapter runs 256 and 512 (only 256 with --quick) unless
 * --full. --quick also lowers repeats and time per repeat. --sizes overrides the list.
 */
export function suiteOptions(flags: Flags, env: { cpuAdapter: boolean; nullDevice: boolean }, log: (s: string) => void): SuiteOptions {
  let sizes = flags.sizes ?? (flags.full || !env.cpuAdapter ? ALL_SIZES : flags.quick ? [256] : [256, 512]);
  if (!flags.matmul || env.nullDevice) sizes = [];
  return {
    matmulSizes: sizes,
    overhead: flags.overhead,
    repeats: flags.repeats ?? (flags.quick ? 3 : env.nullDevice ? 7 : 5),
    targetMsPerRepeat: flags.quick ? 100 : env.nullDevice ? 500 : 300,
    maxSteps: env.nullDevice ? 20000 : 2000,
    warmupSteps: env.nullDevice ? 50 : 2,
    warmupMs: env.nullDevice ? 1500 : flags.quick ? 100 : 300,
    nullDevice: env.nullDevice,
    check: !env.nullDevice,
    log,
  };
}
