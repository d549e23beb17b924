// `npm run train`: LeNet-5 (or --model) on Fashion-MNIST in headless Chromium (scripts/train-browser.ts) or
// in a Node child on dawn.node (scripts/train-node.ts, --node); scripts/train-main.ts does the rest.
import { trainInBrowser } from './train-browser.js';
import { readReportAssets, runTraining } from './train-main.js';
import { trainInNode } from './train-node.js';

export function main(argv: string[], { root, buildDir }: { root: string; buildDir: string }): Promise<number> {
  return runTraining(argv, {
    root,
    command: 'npm run train --',
    reportAssets: readReportAssets(buildDir),
    runner: {
      describe: (cli) => (cli.node ? 'Node + dawn.node' : 'headless Chromium'),
      run: (cli, request, io) => (cli.node ? trainInNode(root, buildDir, request, io) : trainInBrowser(root, request, io)),
    },
  });
}
