/**
 * "Compare with a previous run": the previous facematch-bulk-*.zip is crafted at test time from
 * this run's own archive with one pair's verdict flipped; the panel lists that flip, says with
 * McNemar's test whether the difference in errors is real (the run is labelled), and the archive
 * downloaded afterwards carries the comparison (Compare sheet, report.html section).
 */
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { buildFixturesZip, expect, expectedVerdicts } from './fixtures.ts';
import { openBulk, runAndDownload } from './helpers/app.ts';
import { downloadBytes } from './helpers/archive.ts';
import { test } from './helpers/evaluation.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('comparing with a previous archive lists the verdict flip the test planted, says whether the difference is significant, and Download includes the comparison', async ({ page, evaluation }) => {
  test.setTimeout(120_000);
  await openBulk(page, '/');
  const labels = `pair_id,expected\n${[...expectedVerdicts()].map(([id, same]) => `${id},${same ? 'same' : 'different'}`).join('\n')}\n`;
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': labels } }) });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
  const download = await runAndDownload(page);
  const archive = await JSZip.loadAsync(await downloadBytes(download));
  // This run's errors on the 15 pairs both runs will have (pair16 is left out of the previous one).
  const wrong = async (name: string) => {
    const r = JSON.parse(await archive.file(name)!.async('string')) as { outcome: string };
    return r.outcome !== 'TP' && r.outcome !== 'TN';
  };
  let errors = 0;
  for (let i = 1; i <= 15; i++) if (await wrong(`results/pair${String(i).padStart(2, '0')}.json`)) errors++;
  const plantedWasRight = !(await wrong('results/pair03.json'));

  // The "previous run": the same archive with pair03's verdict turned around and pair16 left out.
  const planted = 'results/pair03.json';
  const rec = JSON.parse(await archive.file(planted)!.async('string')) as { body: { facematch_result: string } };
  const before = rec.body.facematch_result === 'True' ? 'False' : 'True';
  rec.body.facematch_result = before;
  archive.file(planted, `${JSON.stringify(rec, null, 2)}\n`);
  archive.remove('results/pair16.json');
  archive.remove('run.json');
  const previous = await archive.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });

  await evaluation.compare.getByLabel('Compare with a previous run').setInputFiles({ name: 'facematch-bulk-1000.zip', mimeType: 'application/zip', buffer: previous });
  const flips = evaluation.compare.getByRole('table', { name: 'Verdict flips (1)' });
  await expect(flips.getByRole('row', { name: /pair03/ }).getByRole('cell').nth(1))
    .toHaveText(before === 'True' ? 'match → no match' : 'no match → match');
  await expect(evaluation.compare.getByText('Only in this run: pair16')).toBeVisible();
  await expect(evaluation.compare.getByRole('table', { name: 'Response time' })).toBeVisible();

  // One discordant pair (pair03): whichever run has it right makes one error fewer, and McNemar's p is 1.
  const [fewer, more] = plantedWasRight ? [download.suggestedFilename(), 'facematch-bulk-1000.zip'] : ['facematch-bulk-1000.zip', download.suggestedFilename()];
  const [few, many] = plantedWasRight ? [errors, errors + 1] : [errors - 1, errors];
  await expect(evaluation.compare.getByText(`${fewer} makes fewer errors than ${more} (${few} vs ${many} of 15 labelled pair(s)); the difference is not statistically significant at 5 %`, { exact: false })).toBeVisible();
  await expect(evaluation.compare.getByText("McNemar's exact p = 1:", { exact: false })).toBeVisible();
  await expect(evaluation.compare.getByRole('img', { name: 'DET curves of both runs' })).toBeAttached();

  const zip = await JSZip.loadAsync(await evaluation.download());
  const html = await zip.file('report.html')!.async('string');
  expect(html).toContain('Comparison with a previous run');
  expect(html).toMatch(/Verdict flips \(1\)[\s\S]*pair03/);
  const wb = XLSX.read(await zip.file('summary.xlsx')!.async('uint8array'), { type: 'array' });
  expect(wb.SheetNames).toContain('Compare');
  const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets.Compare!);
  expect(rows.find((r) => r.pair_id === 'pair03')).toMatchObject({ change: 'flip' });
});
