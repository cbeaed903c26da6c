/**
 * The Bulk run view while a run is in flight and when it ends: live counts and the pair in flight,
 * "Follow new rows" (off when the user scrolls up, on again with its checkbox), focus on the
 * finished panel's heading, Correct / Wrong filters with a labels.csv in the ZIP, and a row's
 * detail showing the request as the run sent it. Calls are held by the test (not slowed down by a
 * delay), so nothing here depends on timing.
 */
import JSZip from 'jszip';
import { buildFixturesZip, expect, pairStem, test as base } from './fixtures.ts';
import { downloadBytes } from './helpers/archive.ts';
import { FINISHED_TEXT, loadZip, openBulk, runAndDownload, runButton, setNumber } from './helpers/app.ts';
import { holdCalls, RunView } from './helpers/run-view.ts';

const test = base.extend<{ runView: RunView }>({
  runView: async ({ page }, use) => use(new RunView(page)),
});

test.use({ serverOptions: { engine: 'instant' } });

/** pair00 (a text file named .jpg: the API answers 400), then pair01 … pair16. */
const withBadFirst = () => buildFixturesZip({ leading: { 'pair00_image1.jpg': 'not an image\n', 'pair00_image2.jpg': 'also text\n' } });
const stemNumber = (stem: string) => Number(/^pair(\d+)$/.exec(stem)?.[1] ?? -1);

test('during a run: live counts, the pair in flight, and Follow new rows off on scrolling up; focus on the finished heading', async ({ page, runView }) => {
  const calls = await holdCalls(page, (stem) => stemNumber(stem) >= 14);
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', await withBadFirst(), 17);
  const downloadPromise = page.waitForEvent('download');
  await runButton(page).click();

  // pair00 … pair13 are answered, pair14 is held: 13 succeeded, pair00 failed.
  await calls.arrived('pair14');
  await expect(runView.progress.getByText('14 of 17')).toBeVisible();
  await runView.expectCounts({ Succeeded: 13, Failed: 1 });
  const matches = Number(await runView.count('Matches').textContent());
  const nonMatches = Number(await runView.count('Non-matches').textContent());
  expect(matches + nonMatches).toBe(13);
  await expect(runView.progress).toContainText('Sending pair14');
  // Nothing on the page animates for the length of a run (the progress bar moves with the answers):
  // an endless animation makes the browser draw every frame, taking CPU from the run.
  await expect.poll(() => page.evaluate(() => document.getAnimations().filter((a) => a.playState === 'running').length)).toBe(0);

  // Following is on: the newest row is in view, the first one scrolled out.
  await expect(runView.follow).toBeChecked();
  await runView.table.scrollIntoViewIfNeeded();
  await expect(runView.row('pair13')).toBeInViewport();
  await expect(runView.row('pair00')).not.toBeInViewport();

  // Scrolling up turns it off: a new row does not pull the table down.
  await runView.wheelUp();
  await expect(runView.follow).not.toBeChecked();
  await expect(runView.row('pair00')).toBeInViewport();
  calls.release('pair14');
  await calls.arrived('pair15');
  await expect(runView.row('pair14')).toBeAttached();
  await expect(runView.progress).toContainText('Sending pair15');
  await expect(runView.row('pair00')).toBeInViewport();
  await expect(runView.row('pair14')).not.toBeInViewport();

  // Turned on again, it brings the newest row into view.
  await runView.follow.check();
  await expect(runView.row('pair14')).toBeInViewport();

  calls.releaseAll();
  await downloadPromise;
  await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();
  // Focus is on the finished panel's heading; the in-flight line and the checkbox are gone.
  await expect(runView.finished.getByRole('heading', { name: 'Run finished' })).toBeFocused();
  await expect(runView.progress).not.toContainText('Sending');
  await expect(runView.follow).toHaveCount(0);
  // No labels: no Correct / Wrong filters.
  await expect(runView.filter('All')).toHaveText('All (17)');
  await expect(runView.filter('Correct')).toHaveCount(0);
  await expect(runView.filter('Wrong')).toHaveCount(0);
});

test('Concurrency 3: how many calls are in flight, and the one sent first', async ({ page, runView }) => {
  const calls = await holdCalls(page, (stem) => stemNumber(stem) >= 10);
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  await setNumber(page, 'Concurrency', 3);
  const downloadPromise = page.waitForEvent('download');
  await runButton(page).click();
  await Promise.all(['pair10', 'pair11', 'pair12'].map((s) => calls.arrived(s)));
  await expect(runView.progress).toContainText(/3 in flight · oldest pair1[012]/);
  await runView.expectCounts({ Succeeded: 9, Failed: 0 });
  calls.releaseAll();
  await downloadPromise;
  await expect(runView.progress).not.toContainText('in flight');
});

test('Correct / Wrong filters with a labels.csv in the ZIP match the archive\'s outcomes', async ({ page, runView }) => {
  // Every pair labelled "same": the API's matches are correct, its non-matches wrong (FN).
  const csv = `pair_id,expected\n${Array.from({ length: 16 }, (_, i) => `${pairStem(i)},same`).join('\n')}\n`;
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': csv } }) });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toHaveText('16 pair(s) loaded · 16 labelled (16 same, 0 different)');
  const zip = await JSZip.loadAsync(await downloadBytes(await runAndDownload(page)));

  const outcomes = new Map<string, string>();
  for (const f of Object.values(zip.files).filter((e) => /^results\/.+\.json$/.test(e.name))) {
    const rec = JSON.parse(await f.async('string')) as { pair_id: string; outcome: string };
    outcomes.set(rec.pair_id, rec.outcome);
  }
  const correct = [...outcomes].filter(([, o]) => o === 'TP').map(([id]) => id).sort();
  const wrong = [...outcomes].filter(([, o]) => o === 'FN').map(([id]) => id).sort();
  expect(correct.length + wrong.length).toBe(16);

  await expect(runView.filter('Correct')).toHaveText(`Correct (${correct.length})`);
  await expect(runView.filter('Wrong')).toHaveText(`Wrong (${wrong.length})`);
  await runView.filter('Correct').click();
  await expect(runView.filter('Correct')).toHaveAttribute('aria-pressed', 'true');
  await expect(runView.rows).toHaveCount(correct.length);
  expect((await runView.shownPairs()).sort()).toEqual(correct);
  await runView.filter('Wrong').click();
  await expect(runView.rows).toHaveCount(wrong.length);
  expect((await runView.shownPairs()).sort()).toEqual(wrong);
  if (wrong.length > 0) await expect(runView.rows.first()).toContainText('NO MATCH');
});

test('the row detail shows the request the run sent, not the settings changed afterwards', async ({ page, runView }) => {
  await openBulk(page, '/');
  await page.getByLabel('unique_id').fill('run-A-001');
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  await runAndDownload(page);
  await page.getByLabel('unique_id').fill('changed-later');
  await runView.row('pair01').click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('run-A-001');
  await expect(dialog).not.toContainText('changed-later');
  await expect(dialog).toContainText(/POST http:\/\/[^ ]+\/facematch/);
  await expect(dialog).not.toContainText('demo-token');
});
