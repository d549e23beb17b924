// `npm run bench`'s command line: sub-commands, flags, --help texts, and checks with messages that name the
// flag and what it expects (before anything is built or started).

const SUITE_FLAGS = `Suite flags (overhead, browser, gpu):
  --quick              fewer repeats, 100 ms per repeat; on a CPU adapter only n = 256 and one case per kind
  --full               every matmul size, training configuration and conv layer, even on a CPU adapter
  --sizes 256,1024     matmul sizes
  --repeats N          timed repeats per case (median reported)
  --no-overhead, --no-matmul, --no-train, --no-conv, --no-bn   leave a group out
  --no-profile         skip the timestamp-query GPU-time profile of each case
  --train IDS          exactly these training cases (mlp-b128, lenet5-b1, lenet5-b8, lenet5-b32, lenet5-b64, vgg-b16, vgg-b128)
  --conv IDS           exactly these conv layers (lenet-conv1, lenet-conv2, vgg-conv1 … vgg-conv4)
  --bn IDS             exactly these batch-norm shapes (bn-64x64x32x32, bn-128x256x8x8)
  --out DIR            where the JSON report goes (default bench/runs/, ignored by git; $BENCH_OUT also works;
                       --out bench/results to add a run to the committed results)`;

export const HELP = {
  main: `Benchmarks: wgsl-nn next to TF.js 4.22's WebGPU backend in the same run (bench/README.md).

usage: npm run bench -- [overhead] [browser] [gpu] [profile] [playground] [search] [studio] [flags]
       npm run bench -- <command> --help

  (none)     overhead, then browser
  overhead   CPU cost per op and per training step: Node + dawn.node on a null device (executes nothing)
  browser    both libraries in one page in headless Chromium (WebGPU; SwiftShader without a GPU)
  gpu        the suite in Node on dawn.node's default adapter (a GPU, or SwiftShader here)
  profile    GPU time of one compiled training step, kernel by kernel (timestamp queries)
  playground the playgrounds: CPU cost per frame (null device), then frames per second of each page in Chromium
  search     cost per trial-step of K concurrent hyperparameter-search trials against K sequential ones
  studio     the Studio page: main-thread long tasks and frame rate while the worker trains, against the page idle

${SUITE_FLAGS}

Times here (2-core VM, no GPU): overhead about 10 min, browser --quick a few minutes; see bench/RESULTS.md.`,
  overhead: `npm run bench -- overhead [flags]: the per-op and per-step CPU cost of both libraries on dawn.node's
null device (validates every command, executes none), so wall time is the JavaScript and encoding work.

${SUITE_FLAGS}`,
  browser: `npm run bench -- browser [flags]: Vite serves bench/page/, Playwright runs it in headless Chromium with
WebGPU; both libraries in the same page. Environment: CHROMIUM_PATH (default /usr/bin/chromium),
CHROMIUM_ARGS (extra flags), BENCH_TIMEOUT_MS (default 45 min).

${SUITE_FLAGS}`,
  gpu: `npm run bench -- gpu [flags]: builds bench/dist/gpu-bench.mjs and runs the suite on dawn.node's default
adapter (the machine's GPU through its Vulkan driver; SwiftShader when none is found).

  --build-only         only build bench/dist/gpu-bench.mjs (for a GPU machine without npm, see bench/README.md)
  --tiles all|LIST     also time each wgsl-nn matmul tile configuration over the matmul sizes

${SUITE_FLAGS}`,
  profile: `npm run bench -- profile [flags]: GPU time of one compiled training step, kernel by kernel
(step.profile(), timestamp queries), on dawn.node's default adapter; prints a table and writes JSON.

  --model NAME         mlp | lenet5 | vgg (default lenet5)
  --batch N            batch size (default 64)
  --repeats N          profiled replays (default 5)
  --out DIR            where the JSON goes (default bench/runs/, ignored by git)`,
  playground: `npm run bench -- playground [flags]: the optimizer and classification playgrounds. CPU cost per frame on
dawn.node's null device (all optimizers advanced in one compiled step against one step per optimizer; the
classification step and grid evaluation), then frames per second of each page in headless Chromium.

  --out DIR            where the JSON goes (default bench/runs/, ignored by git)`,
  search: `npm run bench -- search [flags]: cost per trial-step of K hyperparameter-search trials trained at once
(one submit per round) against the same K one after another; process CPU time and wall time.

  --device NAME        null (CPU cost alone, default) | swiftshader (the whole step on the CPU-emulated GPU)
  --k LIST             concurrent trial counts (default 1,4,8)
  --models LIST        mlp,lenet5 (default both)
  --batch N            batch size (default 32)
  --steps N            steps per trial and repeat (default 200 on null, 3 on SwiftShader)
  --repeats N          repeats (median reported)
  --out DIR            where the JSON goes (default bench/runs/, ignored by git)`,
  studio: `npm run bench -- studio [flags]: opens the Studio in headless Chromium, records main-thread long tasks
(PerformanceObserver 'longtask') and frames per second with the page idle, then while its worker trains; for animation
frames over 50 ms, the scripts that ran in them (long-animation-frame), and each view's longest redraw.

  --seconds N          length of each window (idle, training)
  --query Q            the Studio URL's setup (e.g. 'model=mlp&hidden=128,64')
  --trace              record a Chromium trace while training and print what each main-thread task over 50 ms was made of
  --out DIR            where the JSON goes (default bench/runs/, ignored by git)`,
};

export const COMMANDS = ['overhead', 'browser', 'gpu', 'profile', 'playground', 'search', 'studio'];

const SUITE = {
  switches: ['--quick', '--full', '--no-overhead', '--no-matmul', '--no-train', '--no-conv', '--no-bn', '--no-profile'],
  values: { '--sizes': 'list', '--repeats': 'count', '--train': 'ids', '--conv': 'ids', '--bn': 'ids', '--out': 'dir' },
};
const FLAGS = {
  overhead: SUITE,
  browser: SUITE,
  gpu: { switches: [...SUITE.switches, '--build-only'], values: { ...SUITE.values, '--tiles': 'ids' } },
  profile: { switches: [], values: { '--model': 'model', '--batch': 'count', '--repeats': 'count', '--out': 'dir' } },
  playground: { switches: [], values: { '--out': 'dir' } },
  studio: { switches: ['--trace'], values: { '--seconds': 'count', '--query': 'query', '--out': 'dir' } },
  search: { switches: [], values: { '--device': 'device', '--k': 'list', '--models': 'searchModels', '--batch': 'count', '--steps': 'count', '--repeats': 'count', '--out': 'dir' } },
};
const EXPECTED = {
  list: 'a comma-separated list of positive integers (e.g. 256,1024)',
  count: 'a positive integer',
  ids: 'a comma-separated list of names',
  dir: 'a folder',
  model: 'one of mlp, lenet5, vgg',
  device: 'null or swiftshader',
  query: 'a URL query (key=value&…)',
  searchModels: 'a comma-separated list of mlp, lenet5',
};
const VALID = {
  list: (v) => v.split(',').every((x) => /^\d+$/.test(x) && Number(x) > 0),
  count: (v) => /^\d+$/.test(v) && Number(v) > 0,
  ids: (v) => v.split(',').filter(Boolean).length > 0 && !v.startsWith('-'),
  dir: (v) => v !== '' && !v.startsWith('-'),
  model: (v) => ['mlp', 'lenet5', 'vgg'].includes(v),
  device: (v) => ['null', 'swiftshader'].includes(v),
  query: (v) => v !== '' && !v.startsWith('--'),
  searchModels: (v) => v.split(',').every((m) => ['mlp', 'lenet5'].includes(m)),
};

export class BenchUsageError extends Error {}

/**
 * `{ commands, rest, help }`: the sub-commands in order (default overhead, browser; gpu with --build-only
 * alone), the flags for them, and the help text to print instead when --help/-h is given. Throws
 * BenchUsageError for an unknown command or flag, a missing or bad value, or a flag the commands do not take.
 */
export function parseBenchArgs(argv) {
  const commands = argv.filter((a) => COMMANDS.includes(a));
  const flags = argv.filter((a) => !COMMANDS.includes(a));
  if (flags.includes('--help') || flags.includes('-h')) {
    return { commands, rest: [], help: commands.length === 1 ? HELP[commands[0]] : HELP.main };
  }
  const chosen = commands.length ? commands : flags.includes('--build-only') ? ['gpu'] : ['overhead', 'browser'];
  const rest = [];
  for (let i = 0; i < flags.length; i++) {
    const [name, inline] = flags[i].startsWith('--') && flags[i].includes('=') ? [flags[i].slice(0, flags[i].indexOf('=')), flags[i].slice(flags[i].indexOf('=') + 1)] : [flags[i], undefined];
    if (!name.startsWith('-')) throw new BenchUsageError(`unknown command ${name}: use ${COMMANDS.join(', ')} (npm run bench -- --help)`);
    const takers = chosen.filter((c) => FLAGS[c].switches.includes(name) || name in FLAGS[c].values);
    if (!takers.length) {
      const anywhere = COMMANDS.filter((c) => FLAGS[c].switches.includes(name) || name in FLAGS[c].values);
      throw new BenchUsageError(anywhere.length
        ? `${name} is a flag of ${anywhere.join(', ')}, not of ${chosen.join(', ')}`
        : `unknown flag ${name} (npm run bench -- ${chosen.length === 1 ? `${chosen[0]} ` : ''}--help lists the flags)`);
    }
    const kind = FLAGS[takers[0]].values[name];
    if (!kind) {
      if (inline !== undefined) throw new BenchUsageError(`${name} takes no value`);
      rest.push(name);
      continue;
    }
    const value = inline ?? flags[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new BenchUsageError(`${name} needs a value: ${EXPECTED[kind]}`);
    if (!VALID[kind](value)) throw new BenchUsageError(`${name} must be ${EXPECTED[kind]}, got ${value}`);
    rest.push(name, value);
  }
  return { commands: chosen, rest, help: undefined };
}
