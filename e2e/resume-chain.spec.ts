/**
 * Stop, then Run remaining, then a reload in the middle of it, then Resume: the run a user gets at
 * the end has every pair sent, none left not_run, and keeps the labels of the ZIP's labels.csv
 * (Evaluation sheet, expected/outcome). Calls are held by the test at chosen pairs, so nothing
 * here depends on timing. Instant engine.
 */
import JSZip from 'jszip';
import { demoCredentials } from '../src/core/providers/credentials.ts';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { expect, test } from './fixtures.ts';
import { FINISHED_TEXT, finishedPanel, openBulk, runButton } from './helpers/app.ts';
import { downloadBytes, openArchive } from './helpers/archive.ts';
import { buildPairsZip } from './helpers/images.ts';
import { holdCalls } from './helpers/run-view.ts';

test.use({ serverOptions: { engine: 'instant' } });

const N = 24;

test('Stop -> Run remaining -> reload -> Resume: every pair done, none not_run, the labels kept', async ({ page }) => {
  test.setTimeout(180_000);
  const { buffer: pairsZip, stems } = await buildPairsZip(N);
  const zip = await JSZip.loadAsync(pairsZip);
  zip.file('labels.csv', `pair_id,expected\n${stems.map((s, i) => `${s},${i % 2 ? 'same' : 'different'}`).join('\n')}\n`);
  const buffer = await zip.generateAsync({ type: 'nodebuffer' });
  // The 6th pair holds the first run (Stop is pressed while it is in flight); the 16th, the re-run (reloaded then).
  const calls = await holdCalls(page, (stem) => stem === stems[5] || stem === stems[15]);

  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'chain.zip', mimeType: 'application/zip', buffer });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText(`${N} labelled`);

  const stopped = page.waitForEvent('download');
  await runButton(page).click();
  await calls.arrived(stems[5]!);
  await page.getByRole('button', { name: 'Stop' }).click();
  calls.release(stems[5]!);
  await stopped;
  const status = page.getByRole('status').filter({ hasText: /^Stopped at \d+ of 24 · \d+ not run$/ });
  await expect(status).toBeVisible();
  const k = Number(/Stopped at (\d+)/.exec((await status.textContent())!)![1]);

  await finishedPanel(page).getByRole('button', { name: `Run remaining (${N - k})` }).click();
  await calls.arrived(stems[15]!);
  page.once('dialog', (d) => void d.accept()); // the leave-page prompt: confirm
  await page.reload();
  calls.releaseAll();

  // The banner counts only the pairs that have an answer: a not_run pair is not done.
  const banner = page.getByRole('region', { name: 'Unfinished run' });
  await expect(banner).toContainText(/^Unfinished run of chain\.zip: \d+ of 24 pairs done\./);
  const done = Number(/(\d+) of 24 pairs done/.exec((await banner.textContent())!)![1]);
  expect(done).toBeLessThan(N);
  await banner.getByRole('button', { name: 'Resume' }).click();
  await page.getByLabel('Choose chain.zip to resume').setInputFiles({ name: 'chain.zip', mimeType: 'application/zip', buffer });
  const region = page.getByRole('region', { name: 'Resume run' });
  const token = region.getByLabel('Bearer token');
  if (await token.count() && !(await token.inputValue())) await token.fill(demoCredentials(kwikid).token!);
  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Resume run' }).click();
  const archive = await openArchive(await downloadBytes(await downloadPromise));
  await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();

  expect(archive.records.map((r) => r.pair_id)).toEqual(stems);
  expect(archive.records.filter((r) => !r.success).map((r) => [r.pair_id, (r as { error?: { type: string } }).error?.type])).toEqual([]);
  const manifest = JSON.parse(archive.entries.get('run.json')!.toString('utf8')) as { stopped: boolean; counts: { not_run: number } };
  expect(manifest).toMatchObject({ stopped: false, counts: { not_run: 0 } });
  expect(archive.sheetNames).toContain('Evaluation');
  expect(archive.summary.every((row) => row.expected === 'same' || row.expected === 'different')).toBe(true);
  expect(archive.summary.every((row) => typeof row.outcome === 'string')).toBe(true);
});
