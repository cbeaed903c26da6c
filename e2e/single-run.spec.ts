/**
 * Single mode as a QA engineer works it: the result names what it belongs to and dims when the
 * inputs change, Run explains why it is inactive and stays reachable, Ctrl+Enter runs, focus
 * lands on the result, and Deepvue fetches its own token.
 */
import type { Page } from '@playwright/test';
import { test, expect, facePath } from './fixtures.ts';
import { selectProvider } from './helpers/app.ts';

test.use({ serverOptions: { engine: 'instant' } });

const run = (page: Page) => page.locator('#submit-btn');

/** How green a computed CSS colour is: minus CIELAB's a* (green is a* < 0). Chromium reports Tailwind's colours as lab(). */
function greenness(color: string): number {
  const n = (color.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
  if (color.startsWith('lab(')) return -n[1]!;
  if (color.startsWith('rgb')) return n[1]! - Math.max(n[0]!, n[2]!);
  throw new Error(`Unexpected colour format: ${color}`);
}

async function choose(page: Page, a: string, b: string) {
  await page.getByLabel('Choose image1').setInputFiles(facePath(a));
  await page.getByLabel('Choose image2').setInputFiles(facePath(b));
  await expect(page.getByText(b, { exact: true })).toBeVisible();
}

test('the result names both files and the endpoint, takes focus, and dims with "Inputs changed: run again"', async ({ page, baseURL }) => {
  await page.goto('/');
  await choose(page, 'obama-1.jpg', 'obama-2.jpg');
  await run(page).click();
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');
  // Focus moves to the result's heading, so a screen reader reads it next.
  await expect(page.getByRole('heading', { name: 'Result' })).toBeFocused();
  const provenance = page.getByTestId('result-provenance');
  await expect(provenance).toHaveText(`image1 obama-1.jpg and image2 obama-2.jpg sent to POST ${baseURL}/facematch.`);
  const stale = page.getByText('Inputs changed: run again', { exact: false });
  await expect(stale).toBeHidden();

  // Swapping image2 leaves the old MATCH visibly stale.
  await page.getByLabel('Choose image2').setInputFiles(facePath('biden-1.jpg'));
  await expect(stale).toBeVisible();
  // Dimmed to grey (the verdict's colour is gone) while staying readable.
  await expect(page.locator('[data-stale="true"]')).toHaveCSS('filter', 'grayscale(1)');
  await expect(provenance).toContainText('obama-2.jpg');

  // Running again clears it and names the new file.
  await run(page).click();
  await expect(page.getByTestId('verdict')).toHaveText('NO MATCH');
  await expect(stale).toBeHidden();
  await expect(provenance).toContainText('image2 biden-1.jpg');

  // Clearing an image makes it stale too.
  await page.getByRole('button', { name: 'Clear image1' }).click();
  await expect(stale).toBeVisible();
});

test('an inactive Run stays in the tab order, says why, and Ctrl+Enter runs once it can', async ({ page }) => {
  await page.goto('/');
  await page.locator('body').focus();
  await page.keyboard.press('Tab');
  const button = run(page);
  await expect(button).toBeFocused();
  await expect(button).toHaveAttribute('aria-disabled', 'true');
  await expect(button).toHaveAccessibleDescription('Choose image1 and image2 first.');
  await expect(page.getByText('Choose image1 and image2 first.')).toBeVisible();
  // Pressing it does nothing.
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: /Result|Call failed/ })).toHaveCount(0);

  await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
  await expect(button).toHaveAccessibleDescription('Choose image2 first.');
  await page.getByLabel('Choose image2').setInputFiles(facePath('obama-2.jpg'));
  await expect(button).not.toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByText('Choose image2 first.')).toBeHidden();

  // Ctrl+Enter from anywhere on the page (here: the unique_id field) runs.
  await page.getByLabel('unique_id').focus();
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');
  await expect(page.getByRole('heading', { name: 'Result' })).toBeFocused();
});

test('the mode toggle keeps focus when pressed with the keyboard', async ({ page }) => {
  await page.goto('/');
  const bulk = page.getByRole('button', { name: 'Bulk', exact: true });
  await bulk.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Bulk testing (ZIP)' })).toBeVisible();
  await expect(bulk).toBeFocused();
  const single = page.getByRole('button', { name: 'Single', exact: true });
  await page.keyboard.press('Shift+Tab');
  await expect(single).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Choose image1')).toBeAttached();
  await expect(single).toBeFocused();
});

test('Deepvue with no token fetches one on Run; with no client credentials Run says what to enter', async ({ page, baseURL }) => {
  await page.goto('/');
  await selectProvider(page, 'Deepvue');
  const token = page.getByLabel('Bearer token', { exact: true });
  await expect(token).toHaveValue('');
  await page.getByLabel('Choose file_a').setInputFiles(facePath('obama-1.jpg'));
  await page.getByLabel('Choose file_b').setInputFiles(facePath('obama-2.jpg'));
  await expect(run(page)).not.toHaveAttribute('aria-disabled', 'true');
  await run(page).click();
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');
  await expect(page.getByTestId('result-provenance'))
    .toHaveText(`file_a obama-1.jpg and file_b obama-2.jpg sent to POST ${baseURL}/v1/facematch with a bearer token fetched for this call.`);
  // The fetched token is kept in the settings for the next call.
  await expect(token).not.toHaveValue('');

  await token.fill('');
  await page.getByLabel('Client ID', { exact: true }).fill('');
  await page.getByLabel('Client secret', { exact: true }).fill('');
  const why = 'Enter the client ID and client secret in the connection settings: Deepvue issues the bearer token from them.';
  await expect(run(page)).toHaveAttribute('aria-disabled', 'true');
  await expect(run(page)).toHaveAccessibleDescription(why);
  await expect(page.getByText(why)).toBeVisible();
});

test.describe('dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('an inactive Run looks inactive', async ({ page }) => {
    await page.goto('/');
    const inactive = await run(page).evaluate((el) => getComputedStyle(el).backgroundColor);
    await choose(page, 'obama-1.jpg', 'obama-2.jpg');
    await expect(run(page)).not.toHaveAttribute('aria-disabled', 'true');
    const active = await run(page).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(inactive).not.toBe(active);
    // Active is the green Run; inactive is a grey, not a paler green.
    expect(greenness(active), active).toBeGreaterThan(25);
    expect(greenness(inactive), inactive).toBeLessThan(5);
  });
});
