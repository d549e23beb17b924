import { expect, test } from 'vitest';
import { hiddenControls, readUrlState, urlQuery } from '../../demo/shared/url-state.js';

const defaults = { model: 'lenet5', lr: 0.001, bn: false, hidden: [128, 64] };

test('a URL round-trips the state, writing only what differs from the defaults', () => {
  const state = { model: 'mlp', lr: 0.05, bn: true, hidden: [32, 16, 8] };
  const q = urlQuery(state, defaults, ['optimizer']);
  expect(q).toBe('model=mlp&lr=0.05&bn=1&hidden=32,16,8&hide=optimizer');
  expect(readUrlState(defaults, `?${q}`)).toEqual(state);
  expect(hiddenControls(`?${q}`)).toEqual(new Set(['optimizer']));
  expect(urlQuery(defaults, defaults)).toBe('');
});

test('malformed values are reported and the default kept', () => {
  const warnings: string[] = [];
  const s = readUrlState(defaults, '?lr=abc&bn=maybe&hidden=1,x', (m) => warnings.push(m));
  expect(s).toEqual(defaults);
  expect(warnings).toHaveLength(3);
  expect(warnings[0]).toContain('lr=abc');
});
