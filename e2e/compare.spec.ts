/**
 * "Compare with a previous run": the previous facematch-bulk-*.zip is crafted at test time from
 * this run's own archive with one pair's verdict flipped; the panel lists that flip, and the
 * archive downloaded afterwards carries the comparison (Compare sheet, report.html section).
 */
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { buildFixturesZip, expect } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload } from './helpers/app.ts';
import { downloadBytes } from './helpers/archive.ts';
import { test } from './helpers/evaluation.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('comparing with a previous archive lists the verdict flip the test planted, and Download includes the comparison', async ({ page, evaluation }) => {
  test.setTimeout(120_000);
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  const archive = await JSZip.loadAsync(await downloadBytes(await runAndDownload(page)));

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

  const zip = await JSZip.loadAsync(await evaluation.download());
  const html = await zip.file('report.html')!.async('string');
  expect(html).toContain('Comparison with a previous run');
  expect(html).toMatch(/Verdict flips \(1\)[\s\S]*pair03/);
  const wb = XLSX.read(await zip.file('summary.xlsx')!.async('uint8array'), { type: 'array' });
  expect(wb.SheetNames).toContain('Compare');
  const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets.Compare!);
  expect(rows.find((r) => r.pair_id === 'pair03')).toMatchObject({ change: 'flip' });
});
