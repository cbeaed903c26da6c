/**
 * Bulk, before the run: the list of the pairs loaded (stem and both paths), a text file named
 * .jpg flagged by its content, "Exclude flagged pairs" → its record is not_run with the reason,
 * folder entries not reported as skipped, and a 10,000-pair list that renders only what is in view.
 */
import JSZip from 'jszip';
import { expect, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload } from './helpers/app.ts';
import { downloadBytes, openArchive } from './helpers/archive.ts';
import { buildPairsZip, tinyJpeg } from './helpers/images.ts';

// The instant engine: no face detector at this origin, so Check faces is not offered here.
test.use({ serverOptions: { engine: 'instant' } });

const TEXT_AS_JPEG = 'batch/p2_image2.jpg is a text file, not a JPEG or PNG.';

/** Three pairs in batch/ (with explicit folder entries); p2's image2 is a text file named .jpg. */
async function zipWithTextAsJpeg(): Promise<Buffer> {
  const zip = new JSZip();
  zip.folder('batch');
  zip.folder('batch/empty');
  for (const [i, stem] of ['p1', 'p2', 'p3'].entries()) {
    zip.file(`batch/${stem}_image1.jpg`, await tinyJpeg(i * 2 + 1));
    zip.file(`batch/${stem}_image2.jpg`, stem === 'p2' ? 'Dear customer, this is a note, not a photo.\n' : await tinyJpeg(i * 2 + 2));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

test.describe('Bulk before the run', () => {
  test('a text file named .jpg is flagged in the pre-flight list; excluded, its record is not_run with the reason', async ({ page }) => {
    await openBulk(page, '/');
    await loadZip(page, 'mixed.zip', await zipWithTextAsJpeg(), 3);

    // Folder entries are searched, not reported as skipped files.
    await expect(page.getByText(/file\(s\) skipped/)).toHaveCount(0);

    const before = page.getByRole('region', { name: 'Before the run' });
    const list = before.getByRole('table', { name: 'Pairs to send' });
    await expect(list.getByRole('row')).toHaveCount(4); // the header and three pairs
    const p1 = list.getByRole('row').filter({ hasText: 'batch/p1_image1.jpg' });
    await expect(p1).toContainText('batch/p1_image2.jpg');
    await expect(p1).toContainText('JPEG/PNG');
    const p2 = list.getByRole('row').filter({ hasText: 'batch/p2_image1.jpg' });
    await expect(p2).toContainText(`flagged${TEXT_AS_JPEG}`);
    await expect(before.getByRole('status').filter({ hasText: 'flagged' })).toHaveText(/^1 pair of 3 is flagged\. Flagged pairs are sent anyway unless you exclude them/);
    // Check faces is offered only when the reference detector is at this origin (not the instant engine).
    await expect(before.getByRole('button', { name: /Check faces/ })).toHaveCount(0);

    // Only the flagged pairs, then all again.
    await before.getByRole('button', { name: 'Flagged (1)' }).click();
    await expect(list.getByRole('row')).toHaveCount(2);
    await before.getByRole('button', { name: 'All pairs (3)' }).click();
    await expect(list.getByRole('row')).toHaveCount(4);

    const exclude = before.getByRole('checkbox', { name: 'Exclude flagged pairs (1)' });
    await expect(exclude).not.toBeChecked();
    await exclude.check();

    const archive = await openArchive(await downloadBytes(await runAndDownload(page)));
    expect(archive.records.map((r) => r.pair_id).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(archive.names).toContain('results/p2.json');
    const p2Record = archive.byPair.get('p2')!;
    expect(p2Record.success).toBe(false);
    expect(p2Record.http_status).toBeNull();
    expect(p2Record.error).toEqual({ type: 'not_run', message: `Not sent: excluded before the run (Exclude flagged pairs). ${TEXT_AS_JPEG}` });
    expect(archive.byPair.get('p1')!.success).toBe(true);
    expect(archive.byPair.get('p3')!.success).toBe(true);
  });

  test('flagged pairs are sent when "Exclude flagged pairs" is not ticked', async ({ page }) => {
    await openBulk(page, '/');
    await loadZip(page, 'mixed.zip', await zipWithTextAsJpeg(), 3);
    await expect(page.getByRole('table', { name: 'Pairs to send' }).getByRole('row').filter({ hasText: TEXT_AS_JPEG })).toHaveCount(1);
    const archive = await openArchive(await downloadBytes(await runAndDownload(page)));
    expect(archive.byPair.get('p2')!.error?.type).not.toBe('not_run');
    expect(archive.byPair.get('p2')!.http_status).not.toBeNull();
  });

  test('10,000 pairs: the list renders only the rows in view and scrolls to the last pair', async ({ page }) => {
    test.setTimeout(180_000);
    const { buffer, stems } = await buildPairsZip(10_000);
    await openBulk(page, '/');
    await loadZip(page, 'big.zip', buffer, 10_000);
    const list = page.getByRole('table', { name: 'Pairs to send' });
    await expect(list).toHaveAttribute('aria-rowcount', '10001');
    await expect(page.getByRole('region', { name: 'Before the run' }).getByRole('status').first())
      .toHaveText('Every image\'s content was checked: all 10,000 pairs have JPEG or PNG images.', { timeout: 60_000 });
    expect(await list.getByRole('row').count()).toBeLessThan(100);
    const last = stems.at(-1)!;
    await page.getByRole('rowgroup', { name: 'Pairs to send, scrollable' }).evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await expect(list.getByRole('row').filter({ hasText: `batch/${last}_image2.jpg` })).toBeVisible();
    expect(await list.getByRole('row').count()).toBeLessThan(100);
  });
});
