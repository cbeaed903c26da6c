/**
 * At 390 px wide (a phone) nothing makes the page scroll sideways: the bulk table scrolls inside
 * its card, and Run with the mode toggle stays in reach in the sticky header.
 */
import type { Page } from '@playwright/test';
import { buildFixturesZip, expect, facePath, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload, runButton } from './helpers/app.ts';

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
