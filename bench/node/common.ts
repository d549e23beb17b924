// Node side shared by the runners: dawn.node setup, machine description, writing bench/results/*.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create, globals } from 'webgpu';
import type { BenchReport } from '../suite/types.js';

const loadavgAtStart = os.loadavg().map((x) => +x.toFixed(2));

/** Keeps the dawn.node GPU object alive for the whole process (dawn tears down when it is collected). */
const keepAlive: unknown[] = [];

/**
 * Creates the dawn.node GPU object, installs the WebGPU globals (GPUBufferUsage… which TF.js uses) and
 * `navigator.gpu` (which tfjs-backend-webgpu checks at import time and uses to request its adapter).
 * Node 20 has no `navigator`; Node ≥ 21 has one without `gpu`, hence defineProperty.
 */
export function setupDawn(flags: string[]): GPU {
  Object.assign(globalThis, globals);
  const gpu = create(flags) as GPU;
  keepAlive.push(gpu);
  const nav = (globalThis as { navigator?: object }).navigator ?? {};
  Object.defineProperty(globalThis, 'navigator', { value: Object.assign(Object.create(nav), { gpu }), configurable: true, writable: true });
  return gpu;
}

export function machineInfo(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cpuCores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    /** 1/5/15-minute load averages when the report was written (other processes compete for the CPU). */
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    loadavgAtStart,
    node: process.version,
    vkIcdFilenames: process.env.VK_ICD_FILENAMES ?? null,
    vkDriverFiles: process.env.VK_DRIVER_FILES ?? null,
    ...extra,
  };
}

/**
 * Output folder: --out DIR, else $BENCH_OUT, else bench/runs under the current directory, which ignores itself
 * in git (a run must not dirty the tree; `--out bench/results` records one with the committed results).
 */
export function outDir(argv: readonly string[]): string {
  const i = argv.indexOf('--out');
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : process.env.BENCH_OUT || path.join(process.cwd(), 'bench', 'runs');
}

/** Creates `dir`; the default bench/runs gets a `.gitignore` of `*`. */
export function ensureOutDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  if (path.basename(dir) === 'runs' && path.basename(path.dirname(dir)) === 'bench' && !existsSync(path.join(dir, '.gitignore'))) {
    writeFileSync(path.join(dir, '.gitignore'), '*\n');
  }
  return dir;
}

export function writeReport(report: BenchReport, dir: string): string {
  ensureOutDir(dir);
  const file = path.join(dir, `${report.backend}-${report.timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
