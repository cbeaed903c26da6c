/**
 * Labelled evaluation in the browser: a fixture ZIP with a labels.csv built at test time is
 * loaded and run; the card counts the labels, and the downloaded archive holds the Evaluation
 * sheet (numeric cells), expected/outcome on each record, and a report.html that opens in
 * Chromium with no network request and shows the charts. The finished panel's Evaluation section
 * shows the confusion matrix, the threshold what-if changes it and Download writes the chosen
 * threshold into the report; a reopened archive shows the section again; a labels CSV chosen
 * beside the ZIP wins over the ZIP's labels.csv.
 */
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { buildFixturesZip, expect, expectedVerdicts } from './fixtures.ts';
import { finishedPanel, openBulk, runAndDownload } from './helpers/app.ts';
import { downloadBytes } from './helpers/archive.ts';
import { archiveRecords, countsOf, test } from './helpers/evaluation.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('a labelled run writes the Evaluation sheet and a self-contained report.html', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const expected = expectedVerdicts();
  const same = [...expected.values()].filter(Boolean).length;
  // BOM, CRLF, `;` and mixed spellings, as a spreadsheet export would write them; one unknown id.
  const csv = `\ufeffpair_id;expected\r\n${[...expected].map(([id, s], k) => `${id};${s ? (k % 2 ? 'SAME' : '1') : (k % 2 ? 'different' : 'no_match')}`).join('\r\n')}\r\nnobody;same\r\n`;
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': csv } }) });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' }))
    .toHaveText(`16 pair(s) loaded · 16 labelled (${same} same, ${16 - same} different)`);
  await expect(page.getByText('labels.csv in faces.zip line 18: nobody is not a pair in the ZIP', { exact: false })).toBeVisible();

  const downloadPromise = page.waitForEvent('download', { timeout: 90_000 });
  await page.locator('#submit-btn').click();
  const zip = await JSZip.loadAsync(await downloadBytes(await downloadPromise));

  const wb = XLSX.read(await zip.file('summary.xlsx')!.async('uint8array'), { type: 'array' });
  expect(wb.SheetNames).toContain('Evaluation');
  const sheet = wb.Sheets.Evaluation!;
  const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(sheet);
  const byMetric = new Map(rows.map((r, k) => [r.metric, { row: r, line: k + 2 }]));
  let decided = 0;
  for (const m of ['TP', 'TN', 'FP', 'FN', 'errors']) {
    const cell = sheet[`B${byMetric.get(m)!.line}`];
    expect(cell?.t, `${m} is a number cell`).toBe('n');
    if (m !== 'errors') decided += cell!.v as number;
  }
  expect(decided + (byMetric.get('errors')!.row.value as number)).toBe(16);
  expect(sheet[`B${byMetric.get('FMR')!.line}`]?.t).toBe('n');

  // Every record carries expected and outcome, consistent with its verdict.
  const results = Object.values(zip.files).filter((f) => /^results\/.+\.json$/.test(f.name));
  expect(results).toHaveLength(16);
  for (const f of results) {
    const rec = JSON.parse(await f.async('string')) as { pair_id: string; body?: { facematch_result?: string }; expected: string; outcome: string };
    expect(rec.expected).toBe(expected.get(rec.pair_id) ? 'same' : 'different');
    const match = rec.body?.facematch_result === 'True';
    expect(rec.outcome, rec.pair_id).toBe(rec.expected === 'same' ? (match ? 'TP' : 'FN') : (match ? 'FP' : 'TN'));
  }

  // report.html opens with no request at all and shows the charts.
  const html = await zip.file('report.html')!.async('string');
  const context = await browser.newContext();
  const report = await context.newPage();
  const requests: string[] = [];
  report.on('request', (r) => { if (!r.url().startsWith('data:')) requests.push(r.url()); });
  await report.route('**/*', (route) => (route.request().url() === 'http://report.invalid/' ? route.fulfill({ contentType: 'text/html', body: html }) : route.abort()));
  await report.goto('http://report.invalid/');
  await expect(report.getByRole('heading', { name: 'Evaluation' })).toBeVisible();
  for (const name of ['ROC curve', 'DET curve', 'Confidence by expected label', 'Response time']) {
    await expect(report.getByRole('img', { name })).toBeVisible();
  }
  expect(requests).toEqual(['http://report.invalid/']);
  await context.close();
});

/** A labels.csv for the fixture pairs (pair_id,expected). */
function labelsCsv(): string {
  return `pair_id,expected\n${[...expectedVerdicts()].map(([id, same]) => `${id},${same ? 'same' : 'different'}`).join('\n')}\n`;
}

test('the Evaluation section shows the confusion matrix, the threshold what-if changes it, and Download writes the chosen threshold', async ({ page, evaluation }) => {
  test.setTimeout(120_000);
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': labelsCsv() } }) });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
  const first = await archiveRecords(await downloadBytes(await runAndDownload(page)));
  const records = [...first.values()];

  // At the API's decision: the counts the archive's records give.
  await evaluation.expectMatrix("At the API's decision", countsOf(records));
  await expect(evaluation.region.getByText('FMR', { exact: true }).first()).toBeVisible();
  await expect(evaluation.thresholdValue()).toHaveText("the API's decision");
  for (const name of ['ROC curve', 'DET curve', 'Confidence by expected label', 'Response time']) {
    await expect(evaluation.region.getByRole('img', { name }).locator('svg')).toBeVisible();
  }

  // Moving the slider adds the matrix at that threshold, recomputed from the confidences.
  await evaluation.setThreshold('0.25');
  await evaluation.expectMatrix('At threshold 0.25', countsOf(records, 0.25));
  await evaluation.setThreshold('0');
  const same = [...expectedVerdicts().values()].filter(Boolean).length;
  await evaluation.expectMatrix('At threshold 0', { tp: same, fn: 0, fp: 16 - same, tn: 0, errors: 0 });
  await expect(evaluation.matrix('At threshold 0.25')).toHaveCount(0);

  // Use EER threshold puts the slider at the EER's threshold, as the EER figure states it.
  await evaluation.region.getByRole('button', { name: /^Use EER threshold/ }).click();
  const eer = await evaluation.region.getByText(/at threshold [\d.]+$/).first().textContent();
  await expect(evaluation.thresholdValue()).toHaveText(/^[\d.]+$/);
  expect(eer).toContain(`at threshold ${await evaluation.thresholdValue().textContent()}`);

  // Download writes the chosen threshold into the report and the Evaluation sheet.
  await evaluation.setThreshold('0.25');
  const bytes = await evaluation.download();
  const zip = await JSZip.loadAsync(bytes);
  expect(await zip.file('report.html')!.async('string')).toContain('Confusion matrix at threshold 0.25');
  const wb = XLSX.read(await zip.file('summary.xlsx')!.async('uint8array'), { type: 'array' });
  const rows = XLSX.utils.sheet_to_json<{ metric: string; value?: unknown }>(wb.Sheets.Evaluation!);
  expect(rows.find((r) => r.metric === 'threshold used')?.value).toBe(0.25);

  // The rebuilt archive, reopened, shows the Evaluation section again from its records.
  await page.getByLabel('Open results').setInputFiles({ name: 'facematch-bulk-1.zip', mimeType: 'application/zip', buffer: bytes });
  await expect(finishedPanel(page).getByText('Reopened facematch-bulk-1.zip', { exact: false })).toBeVisible();
  await evaluation.expectMatrix("At the API's decision", countsOf(records));
});

test('labels with a capture column: a table per capture, the threshold for a target FMR of 1 %, and the same groups when the archive is reopened', async ({ page, evaluation }) => {
  test.setTimeout(120_000);
  const ids = [...expectedVerdicts()];
  const captureOf = (k: number) => (k < 6 ? 'selfie' : 'id_card');
  const csv = `pair_id,expected,capture\n${ids.map(([id, same], k) => `${id},${same ? 'same' : 'different'},${captureOf(k)}`).join('\n')}\n`;
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': csv } }) });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
  const bytes = await downloadBytes(await runAndDownload(page));
  const records = [...(await archiveRecords(bytes)).values()];
  const capture = new Map(ids.map(([id], k) => [id, captureOf(k)]));

  // Per capture: its pairs, and FNMR as "k of n" from the archive's own records.
  const expectGroups = async () => {
    const table = evaluation.region.getByRole('table', { name: 'By capture' });
    for (const [value, pairs] of [['id_card', 10], ['selfie', 6]] as const) {
      const c = countsOf(records.filter((r) => capture.get(r.pair_id as string) === value));
      const cells = table.getByRole('row', { name: new RegExp(`^${value}\\b`) }).getByRole('cell');
      await expect(cells.nth(0)).toHaveText(String(pairs));
      await expect(cells.nth(3)).toHaveText(c.fn + c.tp ? new RegExp(`^${c.fn} of ${c.fn + c.tp}\\b`) : 'no same-person pairs were decided');
    }
  };
  await expectGroups();

  // Target FMR 1 %: with so few different-person pairs no false match is allowed, so the threshold
  // is the lowest confidence above every different-person pair's.
  await evaluation.region.getByLabel('Target FMR').fill('1 %');
  const scored = records.map((r) => ({ same: r.expected === 'same', score: (r.body as { confidence_score: number }).confidence_score }));
  const top = Math.max(...scored.filter((r) => !r.same).map((r) => r.score));
  const above = scored.map((r) => r.score).filter((x) => x > top).sort((x, y) => x - y)[0];
  const row = evaluation.region.getByRole('table', { name: 'Lowest threshold meeting each target FMR on these pairs' }).getByRole('row', { name: /^1 %/ }).getByRole('cell');
  await expect(row.nth(0)).toHaveText(above === undefined ? '—' : String(Math.round(above * 10000) / 10000));
  const genuine = scored.filter((r) => r.same);
  const missed = above === undefined ? genuine.length : genuine.filter((r) => r.score < above).length;
  await expect(row.nth(2)).toHaveText(new RegExp(`^${missed} of ${genuine.length}\\b`));
  await expect(evaluation.region.getByText(/were decided: fewer than 300 \(3 ÷ 1 %\) cannot show an FMR of 1 %/)).toBeVisible();

  // The archive reopened from its results/*.json shows the same groups.
  await page.getByLabel('Open results').setInputFiles({ name: 'facematch-bulk-2.zip', mimeType: 'application/zip', buffer: bytes });
  await expect(finishedPanel(page).getByText('Reopened facematch-bulk-2.zip', { exact: false })).toBeVisible();
  await expectGroups();
});

test('a labels CSV chosen beside the ZIP wins over its labels.csv, and its problems name the line', async ({ page }) => {
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': labelsCsv() } }) });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
  const chosen = 'pair_id,expected\npair01,same\npair02,different\nstranger,same\n';
  await page.getByLabel('Choose labels CSV').setInputFiles({ name: 'my-labels.csv', mimeType: 'text/csv', buffer: Buffer.from(chosen) });
  await expect(page.getByText('Labels: my-labels.csv, chosen beside the ZIP, is used; labels.csv in faces.zip is ignored.')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toHaveText('16 pair(s) loaded · 2 labelled (1 same, 1 different)');
  await expect(page.getByText('my-labels.csv line 4: stranger', { exact: false })).toBeVisible();
  await page.getByRole('button', { name: 'Remove my-labels.csv' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
});
