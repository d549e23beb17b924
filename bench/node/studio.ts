// `npm run bench -- studio [--seconds N] [--query 'model=mlp&…']`: does training in the Studio's worker leave the page
// smooth? Serves demo/ with Vite, opens the Studio in headless Chromium (WebGPU; SwiftShader without a GPU) and
// measures, for the same page idle and then while the worker trains: main-thread long tasks (PerformanceObserver
// 'longtask', tasks over 50 ms) and the frame rate (requestAnimationFrame callbacks per second).
// Goal (issue 11): no main-thread task over 50 ms, training frame rate within 10 % of idle.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.js';
import { machineInfo, outDir } from './common.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const seconds = Number(flag('seconds', '20'));
// LeNet-5 on the built-in sample by default: the page's default model, data that needs no server.
const query = flag('query', 'model=lenet5&data=sample&subset=300&batchSize=32&epochs=1000');
/** --trace: record a Chromium trace while training and print what the main thread's long tasks were made of. */
const trace = argv.includes('--trace');
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'toplevel'];

/** One script that ran in a long animation frame (Chromium's LoAF attribution). */
interface LoafScript { source: string; ms: number }
/** A long animation frame (over 50 ms): its scripts, and its style/layout and rendering time. */
interface LongFrame { at: number; ms: number; blockingMs: number; layoutMs: number; renderMs: number; scripts: LoafScript[] }
interface Window { frames: number; fps: number; longTasks: number; longestTaskMs: number; longTaskMs: number[]; seconds: number; longFrames: LongFrame[]; longAt: string[] }

/** Counts frames, long tasks and long animation frames (with what ran in them) on the page for `s` seconds. */
async function measure(page: Page, s: number): Promise<Window> {
  return page.evaluate(async (ms) => {
    const long: number[] = [], longAt: string[] = [];
    const t0 = performance.now();
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        long.push(e.duration);
        longAt.push(`${Math.round(e.duration)} ms at ${((e.startTime - t0) / 1000).toFixed(2)} s`);
      }
    });
    obs.observe({ type: 'longtask', buffered: false });
    type Loaf = PerformanceEntry & { blockingDuration: number; renderStart: number; styleAndLayoutStart: number; scripts: { invoker: string; sourceURL: string; sourceFunctionName: string; sourceCharPosition: number; duration: number }[] };
    const longFrames: { at: number; ms: number; blockingMs: number; layoutMs: number; renderMs: number; scripts: { source: string; ms: number }[] }[] = [];
    const end = (e: Loaf) => e.startTime + e.duration;
    const loafObs = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as Loaf[]) {
        if (e.duration <= 50) continue;
        longFrames.push({
          at: Number(((e.startTime - t0) / 1000).toFixed(2)), ms: Math.round(e.duration), blockingMs: Math.round(e.blockingDuration),
          layoutMs: Math.round(e.styleAndLayoutStart ? end(e) - e.styleAndLayoutStart : 0),
          renderMs: Math.round(e.renderStart ? end(e) - e.renderStart : 0),
          scripts: e.scripts.map((x) => ({ source: `${x.invoker} ${x.sourceFunctionName || '(anonymous)'} @ ${x.sourceURL.replace(/^.*\/(demo|node_modules)\//, '$1/').replace(/\?.*$/, '')}:${x.sourceCharPosition}`, ms: Math.round(x.duration) })),
        });
      }
    });
    try { loafObs.observe({ type: 'long-animation-frame', buffered: false }); } catch { /* not Chromium 123+: no attribution */ }
    let frames = 0, running = true;
    const tick = () => { frames++; if (running) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    await new Promise((r) => setTimeout(r, ms));
    running = false;
    const elapsed = (performance.now() - t0) / 1000;
    // Entries of the last task arrive after it ends.
    await new Promise((r) => setTimeout(r, 100));
    obs.disconnect();
    loafObs.disconnect();
    return { frames, fps: frames / elapsed, longTasks: long.length, longestTaskMs: long.length ? Math.max(...long) : 0, longTaskMs: long.map((d) => Math.round(d)), seconds: elapsed, longFrames, longAt };
  }, s * 1000);
}

const server = await createServer({
  configFile: path.resolve('vite.studio.config.ts'), logLevel: 'warn', clearScreen: false,
  server: { port: 0, strictPort: false, hmr: false, watch: null },
});
await server.listen();
const url = `${server.resolvedUrls!.local[0]!}studio/?${query}`;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url, { timeout: 120_000 });
  await page.waitForFunction(() => document.body.dataset.state === 'paused', null, { timeout: 180_000 });
  // Idle means idle: the first views (summary, layers, filters, gallery) have come and been drawn.
  await page.waitForFunction(() => document.querySelectorAll('#gallery figure').length > 0 && document.querySelector('#summary pre') !== null, null, { timeout: 180_000 });
  await page.waitForTimeout(2000);
  const adapter = await page.evaluate(() => document.body.dataset.adapter ?? '');
  console.log(`studio: ${url}\nadapter: ${adapter}\nidle for ${seconds} s…`);
  const idle = await measure(page, seconds);
  await page.click('#play');
  // The first steps compile pipelines and trace the step: measure the steady state after them.
  await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 8, null, { timeout: 300_000 });
  const stepsBefore = await page.evaluate(() => Number(document.body.dataset.step));
  console.log(`training for ${seconds} s…`);
  if (trace) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await page.evaluate(() => (window as unknown as { studioDebug: { drawMs(reset: boolean): unknown } }).studioDebug.drawMs(true));
  const training = await measure(page, seconds);
  if (trace) printTrace(await browser.stopTracing());
  const stepsAfter = await page.evaluate(() => Number(document.body.dataset.step));
  // Where the main thread's time went: the longest handling of each kind of worker message (ms).
  const handlerMs = await page.evaluate(() => (window as unknown as { studioDebug: { handlerMs(): Record<string, number> } }).studioDebug.handlerMs());
  console.log('longest main-thread handling per worker message (ms):', Object.entries(handlerMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
  // And of each queued redraw (demo/shared/frame-queue.ts, run in animation frames) while training.
  const drawMs = await page.evaluate(() => (window as unknown as { studioDebug: { drawMs(reset: boolean): Record<string, number> } }).studioDebug.drawMs(false));
  console.log('longest redraw per view while training (ms):', Object.entries(drawMs).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
  await page.click('#pause');
  const stepsPerSec = (stepsAfter - stepsBefore) / training.seconds;
  if (stepsAfter === stepsBefore) console.log('warning: no step finished while measuring: lengthen --seconds or pick a smaller model (--query)');
  const fpsRatio = training.fps / idle.fps;
  const goal = { noTaskOver50ms: training.longTasks === 0, fpsWithin10pc: fpsRatio >= 0.9 };
  console.log('\n| page | frames/s | long tasks (> 50 ms) | longest task |');
  console.log('|---|---|---|---|');
  for (const [name, w] of [['idle', idle], ['training', training]] as const) console.log(`| ${name} | ${w.fps.toFixed(1)} | ${w.longTasks} | ${w.longestTaskMs.toFixed(0)} ms |`);
  console.log(`\ntraining: ${stepsPerSec.toFixed(2)} steps/s; frame rate ${(100 * fpsRatio).toFixed(1)} % of idle; goals: no task over 50 ms ${goal.noTaskOver50ms ? 'met' : 'NOT met'}, frame rate within 10 % ${goal.fpsWithin10pc ? 'met' : 'NOT met'}`);
  for (const [name, w] of [['idle', idle], ['training', training]] as const) {
    if (w.longAt.length) console.log(`${name}: long tasks ${w.longAt.join(', ')}`);
    printLongFrames(name, w.longFrames);
  }
  const dir = outDir(argv);
  mkdirSync(dir, { recursive: true });
  const timestamp = new Date().toISOString();
  const file = path.join(dir, `studio-${timestamp.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ backend: 'studio', timestamp, url: query, adapter, seconds, idle, training, stepsPerSec, fpsRatio, goal, handlerMs, drawMs, machine: machineInfo() }, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await browser.close();
  await server.close();
}

/** The long animation frames' scripts, longest first (where a long task's time went). */
function printLongFrames(name: string, frames: LongFrame[]): void {
  if (!frames.length) return;
  console.log(`\n${name}: ${frames.length} animation frame(s) over 50 ms (longest ${Math.max(...frames.map((f) => f.ms))} ms); their scripts, longest first:`);
  const bySource = new Map<string, { ms: number; count: number; max: number }>();
  for (const f of frames) {
    for (const x of f.scripts) {
      const b = bySource.get(x.source) ?? { ms: 0, count: 0, max: 0 };
      bySource.set(x.source, { ms: b.ms + x.ms, count: b.count + 1, max: Math.max(b.max, x.ms) });
    }
  }
  for (const [source, b] of [...bySource].sort((p, q) => q[1].max - p[1].max).slice(0, 8)) console.log(`  ${b.max} ms max (${b.count}×, ${b.ms} ms in all) ${source}`);
  for (const f of frames.slice(0, 5)) console.log(`  frame at ${f.at} s, ${f.ms} ms: scripts ${f.scripts.reduce((a, x) => a + x.ms, 0)} ms, style+layout→end ${f.layoutMs} ms, render→end ${f.renderMs} ms`);
}

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: { name?: string; data?: { url?: string; functionName?: string } } }

/** The renderer main thread's tasks over 50 ms in a trace, each with its longest inner events (what the task was). */
function printTrace(buffer: Buffer): void {
  const events = (JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) { console.log('trace: no renderer main thread found'); return; }
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined);
  // Outermost tasks only (a RunTask may be nested in another of the same span).
  const runs = onMain.filter((e) => (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && e.dur! > 50_000);
  const tasks = runs.filter((t) => !runs.some((o) => o !== t && o.ts <= t.ts && o.ts + o.dur! >= t.ts + t.dur! && (o.dur! > t.dur! || runs.indexOf(o) < runs.indexOf(t))));
  console.log(`\ntrace: ${tasks.length} main-thread task(s) over 50 ms while training`);
  for (const t of tasks) {
    const inner = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur! && e.dur! > 2_000 && !/RunTask/.test(e.name));
    const top = inner.sort((a, b) => b.dur! - a.dur!).slice(0, 8).map((e) => `${e.name}${e.args?.data?.functionName ? ` ${e.args.data.functionName}` : ''}${e.args?.data?.url ? ` ${e.args.data.url.replace(/^.*\/(demo|node_modules)\//, '$1/').replace(/^https?:\/\/[^/]+\//, '')}` : ''} ${(e.dur! / 1000).toFixed(1)}`);
    console.log(`  ${(t.dur! / 1000).toFixed(0)} ms task: ${top.join(', ') || '(no inner events)'} (ms)`);
  }
}
