/**
 * `npm run screenshot`: the README's pictures, at 1280 px wide in the light theme, with the real
 * engine: docs/single-mode.png (Single with a MATCH verdict) and docs/bulk-finished.png (a Bulk run
 * of the 16 fixture pairs, finished, with its results table). Written as palette PNGs so the
 * repository stays small.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { test, expect, facePath, buildFixturesZip, REPO_ROOT } from './fixtures.ts';
import { FINISHED_TEXT, loadZip, openBulk, runButton } from './helpers/app.ts';

test.use({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });

/** Saves the page (or its full height) as a small palette PNG under docs/. */
async function saveShot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  await page.mouse.move(0, 0);
  const png = await page.screenshot({ fullPage: options.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  await sharp(png).png({ palette: true, colours: 128, compressionLevel: 9, effort: 10 }).toFile(path.join(REPO_ROOT, 'docs', name));
}

test.beforeEach(async ({ request, server }) => {
  // Wait for the real engine's models so the pictures show warm round trips.
  await expect.poll(async () => {
    const health = (await (await request.get(`${server.url}/health`)).json()) as { engine?: { state?: string } };
    return health.engine?.state;
  }, { timeout: 120_000 }).toBe('ready');
});

test('Single mode with a MATCH verdict', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('unique_id').fill('kyc-demo-001');
  await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
  await page.getByLabel('Choose image2').setInputFiles(facePath('obama-2.jpg'));
  await page.locator('#submit-btn').click();
  await expect(page.getByTestId('verdict')).toHaveText('MATCH', { timeout: 90_000 });
  await saveShot(page, 'single-mode.png');
});

test('Bulk finished with its results table', async ({ page }) => {
  // Taller, so the progress, the finished panel and the table's first rows fit in one picture.
  await page.setViewportSize({ width: 1280, height: 1400 });
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  const download = page.waitForEvent('download', { timeout: 150_000 });
  await runButton(page).click();
  await download;
  await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();
  await expect(page.getByRole('grid', { name: 'Finished pairs' })).toBeVisible();
  // The table from its first row, and the page from the run's progress down (below the sticky header).
  await page.getByRole('rowgroup', { name: 'Finished pairs, scrollable' }).evaluate((el) => { el.scrollTop = 0; });
  await page.getByRole('region', { name: 'Bulk run progress' }).evaluate((el) => {
    const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
    window.scrollTo(0, window.scrollY + el.getBoundingClientRect().top - header - 16);
  });
  await saveShot(page, 'bulk-finished.png');
});
