/**
 * Bulk "Check faces": the reference server's detector (POST /faces on this origin) over every
 * image of a loaded ZIP, before anything is sent. A pair with no face is flagged, excluded, and
 * its record is not_run with the reason; no call reaches /facematch during the check.
 */
import { readFile } from 'node:fs/promises';
import JSZip from 'jszip';
import { expect, facePath, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload, waitForEngine } from './helpers/app.ts';
import { downloadBytes, openArchive } from './helpers/archive.ts';
import { gradientJpeg } from '../test/corpus.ts';

// The worker's server runs the real engine (the default), so its face detector is at this origin.

const NO_FACE = 'No face found in wall_image1.jpg.';

test('Check faces flags the pair without a face; excluded, its record is not_run with the reason', async ({ page, server }) => {
  test.setTimeout(180_000);
  await waitForEngine(page, server.url);
  const zip = new JSZip();
  zip.file('ok_image1.jpg', await readFile(facePath('obama-1.jpg')));
  zip.file('ok_image2.jpg', await readFile(facePath('obama-2.jpg')));
  zip.file('wall_image1.jpg', await gradientJpeg());
  zip.file('wall_image2.jpg', await readFile(facePath('obama-2.jpg')));
  const facematchCalls: string[] = [];
  page.on('request', (req) => { if (new URL(req.url()).pathname.endsWith('/facematch')) facematchCalls.push(req.url()); });

  await openBulk(page, '/');
  await loadZip(page, 'no-face.zip', await zip.generateAsync({ type: 'nodebuffer' }), 2);
  const before = page.getByRole('region', { name: 'Before the run' });
  await before.getByRole('button', { name: 'Check faces' }).click();

  await expect(before.getByRole('status').filter({ hasText: 'Check faces' }))
    .toHaveText('Check faces looked at 2 pairs. 1 pair flagged: an image with no face or with several.', { timeout: 90_000 });
  const list = before.getByRole('table', { name: 'Pairs to send' });
  await expect(list.getByRole('row').filter({ hasText: 'wall_image1.jpg' })).toContainText(`flagged${NO_FACE}`);
  await expect(list.getByRole('row').filter({ hasText: 'ok_image1.jpg' })).not.toContainText('flagged');
  // Nothing went to the API during the check.
  expect(facematchCalls).toEqual([]);

  await before.getByRole('checkbox', { name: 'Exclude flagged pairs (1)' }).check();
  const archive = await openArchive(await downloadBytes(await runAndDownload(page, 150_000)));
  expect(archive.names).toContain('results/wall.json');
  expect(archive.byPair.get('wall')).toMatchObject({
    success: false,
    http_status: null,
    error: { type: 'not_run', message: `Not sent: excluded before the run (Exclude flagged pairs). ${NO_FACE}` },
  });
  expect(archive.byPair.get('ok')!.success).toBe(true);
  // Only the pair that was not excluded was sent.
  expect(facematchCalls).toHaveLength(1);
});

test('Check faces shows its progress and can be stopped; the flags found so far stay', async ({ page, server }) => {
  test.setTimeout(180_000);
  await waitForEngine(page, server.url);
  // Hold every /faces call after the first pair's two, so the check is caught in flight.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let calls = 0;
  await page.route('**/faces', async (route) => {
    calls++;
    if (calls <= 2) return route.continue();
    await held;
    return route.abort().catch(() => undefined);
  });
  const zip = new JSZip();
  zip.file('wall_image1.jpg', await gradientJpeg());
  zip.file('wall_image2.jpg', await readFile(facePath('obama-2.jpg')));
  for (const stem of ['x1', 'x2', 'x3']) {
    zip.file(`${stem}_image1.jpg`, await readFile(facePath('obama-1.jpg')));
    zip.file(`${stem}_image2.jpg`, await readFile(facePath('obama-2.jpg')));
  }
  await openBulk(page, '/');
  await loadZip(page, 'four.zip', await zip.generateAsync({ type: 'nodebuffer' }), 4);
  const before = page.getByRole('region', { name: 'Before the run' });
  await before.getByRole('button', { name: 'Check faces' }).click();

  const progress = before.getByRole('progressbar', { name: 'Faces checked' });
  await expect(progress).toHaveAttribute('aria-valuetext', '1 of 4 pairs', { timeout: 90_000 });
  // Run waits for the check.
  await expect(page.locator('#submit-btn')).toHaveAttribute('aria-disabled', 'true');
  await before.getByRole('button', { name: 'Stop' }).click();
  await expect(progress).toBeHidden();
  await expect(before.getByRole('status').filter({ hasText: 'Check faces' }))
    .toHaveText(/^Check faces stopped after 1 pair of 4; the flags found so far are kept\. 1 pair flagged/);
  await expect(before.getByRole('checkbox', { name: 'Exclude flagged pairs (1)' })).toBeVisible();
  await expect(page.locator('#submit-btn')).not.toHaveAttribute('aria-disabled', 'true');
  release();
  await page.unrouteAll({ behavior: 'ignoreErrors' });
});
