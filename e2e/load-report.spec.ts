/** What the Bulk card says about a loaded ZIP: a labels.csv it uses is said to be used, not listed as skipped. */
import { buildFixturesZip, expect, expectedVerdicts, test } from './fixtures.ts';
import { openBulk, setNumber } from './helpers/app.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('the ZIP\'s labels.csv is said to be used as labels and is not among the skipped files', async ({ page }) => {
  const labels = `pair_id,expected\n${[...expectedVerdicts()].map(([id, same]) => `${id},${same ? 'same' : 'different'}`).join('\n')}\n`;
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({
    name: 'labelled.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': labels, 'notes.txt': 'hello' } }),
  });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toHaveText('16 pair(s) loaded · 16 labelled (8 same, 8 different)');
  await expect(page.getByText('Labels: labels.csv in labelled.zip is used as the expected outcome of each pair (pair_id,expected).')).toBeVisible();
  const skipped = page.locator('details').filter({ hasText: 'file(s) skipped' });
  await expect(skipped.locator('summary')).toHaveText('1 file(s) skipped');
  await expect(skipped.getByText('notes.txt', { exact: true })).toBeVisible();
  await expect(skipped).not.toContainText('labels.csv');
});

test('the ZIP card says "one at a time" only with Concurrency 1, and states the concurrency otherwise', async ({ page }) => {
  await openBulk(page, '/');
  const card = page.getByRole('region', { name: 'Bulk testing (ZIP)' });
  await expect(card).toContainText('The pairs are sent one at a time.');
  await setNumber(page, 'Concurrency', 16);
  await expect(card).toContainText('Up to 16 pairs are sent at once (Concurrency 16).');
  await expect(card).not.toContainText('one at a time');
});
