import { describe, expect, it } from 'vitest';
import { exampleChecks, exampleNames, runExample } from '../helpers/examples.js';

// Every examples/*.ts file (the README's code blocks) run as printed in Chromium, except the Node setup one
// and the search, which reads Fashion-MNIST from Debian's folder (a page passes loadFashionMNIST a baseUrl).
const NODE_ONLY = ['node', 'search'];

describe('examples/ in the browser', () => {
  it('has a check for every example', () => {
    expect(exampleNames).toEqual(Object.keys(exampleChecks).sort());
  });

  for (const name of exampleNames.filter((n) => !NODE_ONLY.includes(n))) {
    it(name, async () => {
      exampleChecks[name]!(await runExample(name));
    }, 600_000);
  }
});
