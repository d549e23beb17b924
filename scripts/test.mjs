#!/usr/bin/env node
// `npm test`: the whole suite as two Vitest runs side by side. Vitest runs files that must run one at a time
// and alone in a process (projects dawn-own and pages) in a last group of their own, after everything else;
// the pages there keep only about 1.3 of 2 cores busy (Vite, Chromium and a worker waiting on one another), so
// started next to the rest they take time the machine would otherwise leave idle (8.1 → 7.6 min on 2 cores).
// With arguments (`npm test -- tests/dawn/fit.test.ts`, `--project node`), it is plain `vitest run ARGS`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LAST_GROUP, PROJECTS } from './test-projects.mjs';

const vitest = new URL('../node_modules/vitest/vitest.mjs', import.meta.url).pathname;
const args = process.argv.slice(2);

/** Starts `vitest run` with these arguments; resolves with its exit code. `prefix` marks its lines when two runs share the terminal. */
function run(runArgs, prefix = '') {
  const child = spawn(process.execPath, [vitest, 'run', ...runArgs], { stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  children.push(child);
  if (prefix) {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
  }
  return new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const children = [];
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { for (const c of children) c.kill(sig); });

if (args.length) process.exit(await run(args));

const REST = PROJECTS.filter((p) => !LAST_GROUP.includes(p));
const codes = await Promise.all([
  run(REST.flatMap((p) => ['--project', p]), '[main]  '),
  run(LAST_GROUP.flatMap((p) => ['--project', p]), '[last]  '),
]);
console.log(`\nnpm test: projects ${REST.join(', ')} ${codes[0] ? 'FAILED' : 'passed'}; ${LAST_GROUP.join(', ')} ${codes[1] ? 'FAILED' : 'passed'}`);
process.exit(codes[0] || codes[1]);
