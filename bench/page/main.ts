// The benchmark page: runs the shared suite on this library (from src/) and TF.js WebGPU in the same
// page, prints the tables, and leaves the report in `window.__bench` for bench/node/browser.ts (Playwright).
// Open it by hand too: `npx vite` at the repo root, then http://localhost:5173/bench/page/?args=--quick
import { createOurs } from '../suite/ours.js';
import { isCpuAdapter, parseFlags, suiteOptions } from '../suite/options.js';
import { formatSuite } from '../suite/report.js';
import { runSuite } from '../suite/suite.js';
import { createTfjs } from '../suite/tfjs.js';
import type { BenchReport } from '../suite/types.js';

declare global {
  interface Window {
    __bench?: { state: 'running' | 'done' | 'error'; report?: BenchReport; table?: string; error?: string };
  }
}

const pre = document.getElementById('log')!;
function log(line: string): void {
  console.log(line);
  pre.textContent += `${line}\n`;
}

async function main(): Promise<void> {
  window.__bench = { state: 'running' };
  const argv = (new URLSearchParams(location.search).get('args') ?? '').split(/\s+/).filter(Boolean);
  const flags = parseFlags(argv);
  const ours = await createOurs();
  const tfjs = await createTfjs();
  const adapter = (ours.info() as { adapter: { vendor: string; architecture: string; device: string; description: string } }).adapter;
  const cpuAdapter = isCpuAdapter(adapter);
  const opts = suiteOptions(flags, { cpuAdapter, nullDevice: false }, log);
  log(`browser: ${navigator.userAgent}`);
  log(`adapter ${JSON.stringify(adapter)}${cpuAdapter ? ' (CPU adapter: matmul sizes capped unless --full)' : ''}; sizes ${opts.matmulSizes.join(', ')}`);
  const suite = await runSuite([ours, tfjs], opts);
  const report: BenchReport = {
    backend: 'browser',
    timestamp: new Date().toISOString(),
    machine: {
      userAgent: navigator.userAgent,
      hardwareConcurrency: navigator.hardwareConcurrency,
      deviceMemoryGiB: (navigator as { deviceMemory?: number }).deviceMemory ?? null,
      adapter,
      crossOriginIsolated: globalThis.crossOriginIsolated ?? false,
    },
    argv,
    notes: [
      'Both libraries in one page, each on its own GPUDevice from navigator.gpu. Wall time per op (performance.now()), GPU-synced (wgsl-nn: rt.sync(); TF.js: submit + queue.onSubmittedWorkDone()), amortized over a calibrated number of ops per repeat.',
    ],
    suite,
  };
  const table = formatSuite(suite);
  log(`\n${table}`);
  window.__bench = { state: 'done', report, table };
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
  log(`ERROR ${msg}`);
  window.__bench = { state: 'error', error: msg };
});
