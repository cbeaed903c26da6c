import type { Locator, Page } from '@playwright/test';
import { test, expect, facePath } from './fixtures.ts';

test.use({ serverOptions: { engine: 'instant' } });

/** Presses Tab (or Shift+Tab) until `target` has focus; fails after `max` presses. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab', max = 60) {
  await expect(target).toBeAttached();
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`Could not reach ${target.toString()} with ${key} in ${max} presses.`);
}

async function chooseWithKeyboard(page: Page, input: Locator, file: string) {
  await tabTo(page, input);
  // The focused slot shows a focus ring on its drop zone.
  const zone = page.locator(`label[for="${await input.getAttribute('id')}"]`);
  await expect(zone).toHaveCSS('outline-style', 'solid');
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Space');
  await (await chooser).setFiles(facePath(file));
}

test('the whole Single flow works without a mouse', async ({ page, context, server }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.goto('/');
  await page.locator('body').focus();

  await chooseWithKeyboard(page, page.getByLabel('Choose image1'), 'obama-1.jpg');
  await expect(page.getByText('obama-1.jpg', { exact: true })).toBeVisible();
  await chooseWithKeyboard(page, page.getByLabel('Choose image2'), 'obama-2.jpg');
  await expect(page.getByText('obama-2.jpg', { exact: true })).toBeVisible();

  const run = page.locator('#submit-btn');
  await tabTo(page, run, 'Shift+Tab');
  await expect(run).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');
  await expect(page.getByRole('status').filter({ hasText: 'Result: match.' })).toBeAttached();

  // The result's controls are reachable too.
  const copyJson = page.getByRole('button', { name: 'Copy JSON' });
  await tabTo(page, copyJson);
  await page.keyboard.press('Enter');
  await expect(page.getByText('Copied', { exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('"facematch_result": "True"');
});

test('settings are keyboard operable: provider, Show token, Remember', async ({ page }) => {
  await page.goto('/');
  await page.locator('body').focus();
  const show = page.getByRole('button', { name: 'Show Bearer token' });
  await tabTo(page, show);
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Bearer token', { exact: true })).toHaveAttribute('type', 'text');
  const remember = page.getByLabel('Remember on this device');
  await tabTo(page, remember);
  await page.keyboard.press('Space');
  await expect(remember).toBeChecked();
  const provider = page.getByLabel('Provider');
  await tabTo(page, provider, 'Shift+Tab');
  // Type-ahead picks Deepvue among the grouped presets, as a keyboard user would.
  await page.keyboard.type('Deepvue');
  await expect(provider).toHaveValue('deepvue');
  await expect(page.getByLabel('Choose file_a')).toBeAttached();
});
