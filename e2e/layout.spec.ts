/**
 * At 390 px wide (a phone) nothing makes the page scroll sideways, and Run with the mode toggle
 * stays in reach in the sticky header. The connection settings fold, so Bulk's card is on the first
 * screen; the results table shows pair, verdict and confidence without sideways scrolling, and the
 * row detail has the rest.
 */
import type { Page } from '@playwright/test';
import { buildFixturesZip, expect, facePath, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload, runButton } from './helpers/app.ts';
import { test as withResults } from './helpers/results-table.ts';

test.use({ serverOptions: { engine: 'instant' }, viewport: { width: 390, height: 844 }, hasTouch: true });

/** How far the page scrolls sideways, and which elements stick out past the viewport. */
async function overflow(page: Page): Promise<{ scroll: number; culprits: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits: string[] = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      // Inside a scroll container that clips it: fine.
      let p = el.parentElement;
      let clipped = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        if ((o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') && p.getBoundingClientRect().right <= width + 1) { clipped = true; break; }
        p = p.parentElement;
      }
      if (!clipped) culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).split(' ').slice(0, 3).join('.')} right=${Math.round(r.right)}`);
    }
    return { scroll: document.documentElement.scrollWidth - width, culprits: culprits.slice(0, 10) };
  });
}

test('Single with a result fits 390 px, and Run stays in the sticky header while scrolling', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
  await page.getByLabel('Choose image2').setInputFiles(facePath('obama-2.jpg'));
  await page.getByLabel('Choose image2').scrollIntoViewIfNeeded();
  await expect(runButton(page)).toBeInViewport();
  await runButton(page).click();
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');
  expect(await overflow(page)).toEqual({ scroll: 0, culprits: [] });
});

test('Bulk finished with its table fits 390 px: the table scrolls inside its card', async ({ page }) => {
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  await runAndDownload(page);
  await expect(page.getByRole('grid', { name: 'Finished pairs' })).toBeVisible();
  expect(await overflow(page)).toEqual({ scroll: 0, culprits: [] });
  await page.getByRole('grid', { name: 'Finished pairs' }).scrollIntoViewIfNeeded();
  await expect(runButton(page)).toBeInViewport();
});

withResults('on a phone, Bulk comes before the settings, and the table keeps pair, verdict and confidence in view with the rest in row detail', async ({ page, results }) => {
  withResults.setTimeout(240_000);
  await openBulk(page, '/');
  // Bulk's card is on the first screen; the settings are a closed fold that opens.
  await expect(page.getByRole('heading', { name: 'Bulk testing (ZIP)' })).toBeInViewport();
  await expect(page.getByLabel('Provider')).toBeHidden();
  const fold = page.getByText('Connection settings', { exact: false }).first();
  await fold.click();
  await expect(page.getByLabel('Provider')).toBeVisible();
  await fold.click();
  await expect(page.getByLabel('Provider')).toBeHidden();

  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  await runAndDownload(page);
  await expect(results.table).toBeVisible();
  await results.table.scrollIntoViewIfNeeded();
  expect(await results.columns()).toEqual(['Pair', 'Verdict', 'Confidence']);
  // A row brought into view shows its three cells whole: not cut by the card's edge, nothing to
  // scroll sideways for.
  const first = results.row('pair01');
  await first.scrollIntoViewIfNeeded();
  for (const cell of await first.getByRole('gridcell').all()) await expect(cell).toBeInViewport({ ratio: 1 });
  await expect(first.getByRole('gridcell').nth(1)).toHaveText(/MATCH/);
  await expect(first.getByRole('gridcell').nth(2)).toHaveText(/%$/);
  expect(await overflow(page)).toEqual({ scroll: 0, culprits: [] });
  expect(await results.table.evaluate((el) => el.parentElement!.scrollWidth - el.parentElement!.clientWidth)).toBe(0);

  // The row detail has the rest: HTTP status and the round trip.
  await first.click();
  await expect(results.detailFigure('HTTP status')).toHaveText('200');
  await expect(results.detailFigure('Round trip')).toHaveText(/\d+ ms/);
  await page.screenshot({ path: withResults.info().outputPath('phone-detail.png') });
  await results.detail.getByRole('button', { name: 'Close' }).click();
  await page.screenshot({ path: withResults.info().outputPath('phone-table.png'), fullPage: true });
});
