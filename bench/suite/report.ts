// Text tables (Markdown-compatible) of a suite result.
import { fmtMs } from './suite.js';
import type { CaseResult, LibResult, SuiteResult } from './types.js';

const OURS = 'wgsl-nn', TF = 'tfjs-webgpu';

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  return [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const time = (r?: LibResult) => (r?.timing ? fmtMs(r.timing.msPerOp) : r?.skipped ? 'n/a' : '-');
/** Median and (in parentheses) the fastest repeat: on a loaded machine the minimum is the steadier estimate of CPU cost. */
const timeMin = (r?: LibResult) => (r?.timing ? `${fmtMs(r.timing.msPerOp)} (${fmtMs(r.timing.minMsPerOp)})` : time(r));
const minSpeed = (c: CaseResult) => {
  const a = c.results[OURS]?.timing, b = c.results[TF]?.timing;
  return a && b ? `${(b.minMsPerOp / a.minMsPerOp).toFixed(2)}×` : '-';
};
const gflops = (r?: LibResult) => (r?.gflops !== undefined ? r.gflops.toFixed(r.gflops < 10 ? 3 : 1) : r?.skipped ? 'n/a' : '-');
const speed = (c: CaseResult) => (c.speedup !== undefined ? `${c.speedup.toFixed(2)}×` : '-');
const num = (x: number | undefined) => (x === undefined ? '?' : Number.isInteger(x) ? String(x) : x.toFixed(x < 0.1 ? 3 : 2));
/** dispatches / submits / pipelines created / bind groups created, per op in the timed loop. */
const counts = (r?: LibResult) => {
  const d = r?.timing?.devicePerOp;
  return d ? `${num(d.dispatches)} / ${num(d.submits)} / ${num(d.pipelinesCreated)} / ${num(d.bindGroupsCreated)}` : '-';
};

/** Per step in the timed loop: dispatches / submits / bind groups / pipelines / buffers created. */
const stepCounts = (r?: LibResult) => {
  const d = r?.timing?.devicePerOp;
  return d ? `${num(d.dispatches)} / ${num(d.submits)} / ${num(d.bindGroupsCreated)} / ${num(d.pipelinesCreated)} / ${num(d.buffersCreated)}` : '-';
};
const err = (c: CaseResult) => {
  const a = c.results[OURS]?.checkError, b = c.results[TF]?.checkError;
  if (a === undefined && b === undefined) return '-';
  if (c.group === 'train') return `${(a ?? b)!.toExponential(1)}`;
  return `${a?.toExponential(1) ?? '-'} / ${b?.toExponential(1) ?? '-'}`;
};

export function formatSuite(s: SuiteResult): string {
  const out: string[] = [];
  const over = s.cases.filter((c) => c.group === 'overhead');
  if (over.length) {
    if (out.length) out.push('');
    out.push('Per-op time: median of repeats (fastest repeat); speedup = TF.js time / wgsl-nn time (> 1: wgsl-nn faster), of medians (of minima)');
    out.push(table(
      ['case', 'wgsl-nn /op', 'TF.js /op', 'speedup', 'wgsl-nn disp/sub/pipe/bg per op', 'TF.js disp/sub/pipe/bg per op'],
      over.map((c) => [c.name, timeMin(c.results[OURS]), timeMin(c.results[TF]), `${speed(c)} (${minSpeed(c)})`, counts(c.results[OURS]), counts(c.results[TF])]),
    ));
  }
  const mm = s.cases.filter((c) => c.group === 'matmul');
  if (mm.length) {
    if (out.length) out.push('');
    out.push('matmul, square f32 (GFLOP/s = 2n³ / median time per op; speedup = wgsl-nn GFLOP/s / TF.js GFLOP/s)');
    out.push(table(
      ['n', 'wgsl-nn GFLOP/s', 'wgsl-nn /op', 'TF.js GFLOP/s', 'TF.js /op', 'speedup', 'max rel. err (ours / TF.js)'],
      mm.map((c) => [String(c.size), gflops(c.results[OURS]), time(c.results[OURS]), gflops(c.results[TF]), time(c.results[TF]), speed(c),
        `${c.results[OURS]?.checkError?.toExponential(1) ?? '-'} / ${c.results[TF]?.checkError?.toExponential(1) ?? '-'}`]),
    ));
  }
  const sweep = s.cases.filter((c) => c.group === 'tiles');
  if (sweep.length) {
    if (out.length) out.push('');
    out.push('wgsl-nn matmul tile sweep, square f32 (GFLOP/s from the median wall time per op, and from the GPU timestamps of one product)');
    out.push(table(
      ['n', 'tile', 'GFLOP/s', '/op', 'GFLOP/s (GPU time)', 'max rel. err'],
      sweep.map((c) => {
        const r = c.results[OURS], g = r?.gpuProfile;
        return [String(c.size), c.tile ?? '-', gflops(r), time(r), g && c.flops && g.stepMs > 0 ? gflops({ ok: true, gflops: c.flops / (g.stepMs * 1e6) }) : '-',
          r?.checkError?.toExponential(1) ?? (r?.skipped ? r.skipped.split('\n')[0]! : '-')];
      }),
    ));
  }
  const tr = s.cases.filter((c) => c.group === 'train');
  if (tr.length) {
    if (out.length) out.push('');
    out.push('Training step (median ms/step (fastest repeat); TF.js/wgsl-nn = TF.js time / wgsl-nn time, > 1: wgsl-nn faster; '
      + 'counts per step: dispatches / submits / bind groups / pipelines / buffers created; check = relative difference of 3 losses between the libraries)');
    out.push(table(
      ['model', 'batch', 'wgsl-nn /step', 'TF.js /step', 'TF.js/wgsl-nn', 'wgsl-nn d/s/bg/p/buf', 'TF.js d/s/bg/p/buf', 'check'],
      tr.map((c) => [c.model ?? c.name, String(c.batch ?? ''), timeMin(c.results[OURS]), timeMin(c.results[TF]), `${speed(c)} (${minSpeed(c)})`,
        stepCounts(c.results[OURS]), stepCounts(c.results[TF]), err(c)]),
    ));
  }
  const layer = s.cases.filter((c) => c.group === 'conv' || c.group === 'bn');
  if (layer.length) {
    if (out.length) out.push('');
    out.push('Layers, forward + backward (median (fastest repeat); GFLOP/s of conv = 3·2·N·C_out·HW_out·C_in·k² / median; '
      + 'check = max rel. error vs float64, ours / TF.js)');
    out.push(table(
      ['case', 'wgsl-nn', 'TF.js', 'TF.js/wgsl-nn', 'GFLOP/s ours / TF.js', 'wgsl-nn d/s/bg/p/buf', 'TF.js d/s/bg/p/buf', 'check'],
      layer.map((c) => [c.name, timeMin(c.results[OURS]), timeMin(c.results[TF]), `${speed(c)} (${minSpeed(c)})`,
        c.flops !== undefined ? `${gflops(c.results[OURS])} / ${gflops(c.results[TF])}` : '-',
        stepCounts(c.results[OURS]), stepCounts(c.results[TF]), err(c)]),
    ));
  }
  const profiled = s.cases.filter((c) => c.results[OURS]?.gpuProfile || c.results[TF]?.gpuProfile);
  if (profiled.length) {
    if (out.length) out.push('');
    out.push('GPU time per step from timestamp queries (no CPU time; wgsl-nn: the step as replayed, eager cases compiled for this; '
      + 'TF.js: tf.time() kernel sum; TF.js/wgsl-nn > 1: wgsl-nn faster), and wgsl-nn\'s largest kernels');
    out.push(table(
      ['case', 'wgsl-nn GPU', 'TF.js GPU', 'TF.js/wgsl-nn', 'wgsl-nn kernels (largest first)'],
      profiled.map((c) => {
        const a = c.results[OURS]?.gpuProfile, b = c.results[TF]?.gpuProfile;
        return [c.name, a ? fmtMs(a.stepMs) : '-', b ? fmtMs(b.stepMs) : '-', a && b && a.stepMs > 0 ? `${(b.stepMs / a.stepMs).toFixed(2)}×` : '-',
          a ? a.top.slice(0, 3).map((g) => `${g.name} ${(100 * g.ms / a.kernelSumMs).toFixed(0)}%`).join(', ') : '-'];
      }),
    ));
  }
  const skipped = s.cases.flatMap((c) => Object.entries(c.results).filter(([, r]) => !r.ok).map(([lib, r]) => `  ${c.name} / ${lib}: ${r.skipped?.split('\n')[0]}`));
  if (skipped.length) out.push('', 'not measured:', ...skipped);
  return out.join('\n');
}
