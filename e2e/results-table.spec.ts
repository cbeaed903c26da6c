/**
 * The Bulk results table as a QA engineer works in it after a run: verdicts in words, filters,
 * sorting, and a row's detail panel opened with the keyboard.
 */
import { buildFixturesZip, expect, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload } from './helpers/app.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('filters, sort and the row detail panel (keyboard) after a run with a failure', async ({ page }) => {
  // 16 good pairs plus one whose image1 is a text file named .jpg: the API answers 400.
  const zip = await buildFixturesZip({ extra: { 'zz_image1.jpg': Buffer.from('not an image\n'), 'zz_image2.jpg': Buffer.from('also text\n') } });
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', zip, 17);
  await runAndDownload(page);

  const table = page.getByRole('table', { name: 'Finished pairs' });
  const rows = table.getByRole('rowgroup', { name: 'Finished pairs, scrollable' }).getByRole('row');
  await expect(rows.filter({ hasText: 'MATCH' }).first()).toBeVisible();
  const failed = rows.filter({ hasText: 'zz' });
  await expect(failed).toContainText('HTTP 400: bad request');

  // Filters.
  const show = page.getByRole('group', { name: 'Show' });
  await show.getByRole('button', { name: /^Failed/ }).click();
  await expect(show.getByRole('button', { name: /^Failed/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('zz');
  await show.getByRole('button', { name: /^Succeeded \(16\)/ }).click();
  await expect(rows).toHaveCount(16);
  await expect(rows.filter({ hasText: 'zz' })).toHaveCount(0);
  await show.getByRole('button', { name: /^Not run \(0\)/ }).click();
  await expect(page.getByText('No pair matches this filter.')).toBeVisible();
  await show.getByRole('button', { name: /^All \(17\)/ }).click();
  await expect(rows).toHaveCount(17);

  // Sort by confidence, highest first: the confidences shown never increase.
  await page.getByLabel('Sort by').selectOption({ label: 'Confidence, highest first' });
  const shown = (await rows.locator('[role="cell"]:nth-child(3)').allTextContents()).filter((t) => t !== '—').map((t) => parseFloat(t));
  expect(shown.length).toBe(16);
  expect([...shown].sort((a, b) => b - a)).toEqual(shown);
  // The failed pair (no confidence) goes last.
  await expect(rows.last()).toContainText('zz');

  // The row detail panel, opened with Enter, closed with Escape, focus back on the row.
  await failed.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: /zz: HTTP 400: bad request/ });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('POST ');
  await expect(dialog).toContainText('/facematch');
  await expect(dialog).toContainText('zz_image1.jpg');
  await expect(dialog).toContainText('The API rejected the request as invalid (HTTP 400).');
  await expect(dialog.getByText('Error body')).toBeVisible();
  await expect(dialog).not.toContainText('demo-token');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(failed).toBeFocused();

  // A successful pair shows both thumbnails from the ZIP and the response JSON.
  const good = rows.filter({ hasText: /^.*MATCH/ }).first();
  await good.click();
  const detail = page.getByRole('dialog');
  await expect(detail.getByRole('img')).toHaveCount(2);
  await expect(detail.getByText('Response JSON')).toBeVisible();
  await expect(detail.locator('pre')).toContainText('"facematch_result"');
  await detail.getByRole('button', { name: 'Close' }).click();
  await expect(detail).toBeHidden();
});
