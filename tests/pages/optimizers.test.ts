// The optimizer playground driven in Chromium as a person would: play the race on Rosenbrock, switch to the saddle,
// type a bad and then a good expression, drag the start point; the map and chart must show paths.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { canvasColours, screenshot, startApp, type AppSession } from '../helpers/pages.js';

let app: AppSession;
beforeAll(async () => { app = await startApp(); });
afterAll(async () => { await app?.close(); });

const stepOf = async (page: import('playwright').Page) => Number((await page.locator('#status').textContent())!.replace(/\D+/g, '') || 0);

test('optimizer playground: every optimizer races on Rosenbrock, the saddle, and a typed surface', async () => {
  const page = await app.open('optimizers/');
  await page.waitForSelector('[data-value="adam"]', { state: 'attached' });
  expect(await page.locator('.racer').count()).toBe(7);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#status')!.textContent!.replace(/\D+/g, '')) >= 150, null, { timeout: 90_000 });
  await page.click('#play'); // pause
  // Every optimizer reports a value of f below the start's 12.5 (the page's defaults lower f).
  for (const id of ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw']) {
    const text = await page.locator(`[data-value="${id}"]`).textContent();
    expect(text, id).toMatch(/^f = /);
    expect(Number(text!.slice(4)), id).toBeLessThan(12.5);
  }
  expect(await canvasColours(page, '#map')).toBeGreaterThan(20);
  expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
  await screenshot(page, 'optimizers-rosenbrock');

  // The saddle, with noise: the URL records the choice.
  await page.selectOption('#surface', 'saddle');
  await page.locator('#noise').fill('1');
  await page.locator('#noise').dispatchEvent('input');
  expect(page.url()).toContain('surface=saddle');
  expect(page.url()).toContain('noise=1');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#status')!.textContent!.replace(/\D+/g, '')) >= 120, null, { timeout: 90_000 });
  await page.click('#play');
  await screenshot(page, 'optimizers-saddle-noise');

  // A typed expression: a bad one names the position, a good one races.
  await page.selectOption('#surface', 'custom');
  await page.fill('#expr', 'x^2 + * y');
  await page.locator('#expr').dispatchEvent('change');
  await expect.poll(() => page.locator('#expr-error').textContent()).toContain("unexpected '*' at position 7");
  await page.fill('#expr', 'x^2 + 3*y^2 + tanh(x*y)');
  await page.locator('#expr').dispatchEvent('change');
  expect(await page.locator('#expr-error').isHidden()).toBe(true);
  // Drag the start point to the upper left of the map.
  const box = (await page.locator('#map').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.2, { steps: 4 });
  await page.mouse.up();
  // The custom map spans [−3, 3]²: 15 % across and 20 % down is (−2.1, 1.8).
  const [sx, sy] = (await page.locator('#start-text').textContent())!.split(',').map(Number);
  expect(sx).toBeCloseTo(-2.1, 1);
  expect(sy).toBeCloseTo(1.8, 1);
  expect(page.url()).toMatch(/x0=-2\.\d+/);
  await page.click('#step');
  await expect.poll(() => stepOf(page), { timeout: 60_000 }).toBe(1);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#status')!.textContent!.replace(/\D+/g, '')) >= 60, null, { timeout: 90_000 });
  await page.click('#play');
  await screenshot(page, 'optimizers-custom');
  expect(page.errors).toEqual([]);
  await page.close();
});

test('optimizer playground: state comes from the URL and hide= hides controls', async () => {
  const page = await app.open('optimizers/?surface=bowl&sgd=0&adam_lr=0.1&hide=noise,racer-adamw');
  await page.waitForSelector('[data-value="adam"]', { state: 'attached' });
  expect(await page.locator('#surface').inputValue()).toBe('bowl');
  expect(await page.locator('#on-sgd').isChecked()).toBe(false);
  expect(await page.locator('[data-slider="adam_lr"] + output').textContent()).toBe('0.1');
  expect(await page.locator('[data-control="noise"]').isHidden()).toBe(true);
  expect(await page.locator('[data-control="racer-adamw"]').isHidden()).toBe(true);
  expect(page.errors).toEqual([]);
  await page.close();
});
