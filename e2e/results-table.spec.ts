/**
 * The Bulk results table as a QA engineer works in it after a run: verdicts in words, filters,
 * sorting, a row's detail panel opened with the keyboard, and with labels the Expected and
 * Outcome columns, the pair-id search and the label in the row detail; the keyboard model of the
 * grid (one Tab stop, arrow keys) on a 10,000-row table.
 */
import { buildFixturesZip, expect } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload } from './helpers/app.ts';
import { resultsArchive, test } from './helpers/results-table.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('filters, sort and the row detail panel (keyboard) after a run with a failure', async ({ page }) => {
  // 16 good pairs plus one whose image1 is a text file named .jpg: the API answers 400.
  const zip = await buildFixturesZip({ extra: { 'zz_image1.jpg': Buffer.from('not an image\n'), 'zz_image2.jpg': Buffer.from('also text\n') } });
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', zip, 17);
  await runAndDownload(page);

  const table = page.getByRole('grid', { name: 'Finished pairs' });
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
  const shown = (await rows.locator('[role="gridcell"]:nth-child(3)').allTextContents()).filter((t) => t !== '—').map((t) => parseFloat(t));
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

test('with labels: Expected and Outcome columns, a pair-id search, and the label in the row detail', async ({ page, results }) => {
  test.setTimeout(240_000);
  // pair01..pair15 labelled (odd: same, even: different), pair16 unlabelled; zz fails (text files) and is labelled same.
  const labelOf = (i: number) => (i % 2 ? 'same' : 'different');
  const csv = `pair_id,expected\n${Array.from({ length: 15 }, (_, i) => `pair${String(i + 1).padStart(2, '0')},${labelOf(i + 1)}`).join('\n')}\nzz,same\n`;
  const zip = await buildFixturesZip({ extra: { 'labels.csv': csv, 'zz_image1.jpg': Buffer.from('not an image\n'), 'zz_image2.jpg': Buffer.from('also text\n') } });
  await openBulk(page, '/');
  await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: zip });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('17 pair(s) loaded · 16 labelled');
  await runAndDownload(page);

  await results.expectRowCount(17);
  expect(await results.columns()).toEqual(['Pair', 'Verdict', 'Confidence', 'Expected', 'Outcome', 'HTTP', 'ms']);
  const shown = await results.cellsByColumn();
  expect(shown).toHaveLength(17);
  for (const r of shown) {
    const n = /^pair(\d+)$/.exec(r.Pair!)?.[1];
    const expected = r.Pair === 'zz' ? 'same' : Number(n) <= 15 ? labelOf(Number(n)) : '—';
    expect(r.Expected, r.Pair).toBe(expected);
    // What the verdict and the label say, in the evaluation's words.
    const outcome = expected === '—' ? '—'
      : r.Verdict === 'MATCH' ? (expected === 'same' ? 'TP' : 'FP')
        : r.Verdict === 'NO MATCH' ? (expected === 'same' ? 'FN' : 'TN') : 'error';
    expect(r.Outcome, r.Pair).toBe(outcome);
  }
  expect(shown.find((r) => r.Pair === 'zz')).toMatchObject({ Verdict: 'HTTP 400: bad request', Expected: 'same', Outcome: 'error' });
  expect(shown.find((r) => r.Pair === 'pair16')).toMatchObject({ Expected: '—', Outcome: '—' });

  // The search narrows the rows to pair ids that contain the text, whatever its case.
  await results.search.fill('PAIR1');
  await expect.poll(() => results.shownPairs()).toEqual(['pair10', 'pair11', 'pair12', 'pair13', 'pair14', 'pair15', 'pair16']);
  await results.filters.getByRole('button', { name: /^Failed/ }).click();
  await expect(page.getByText('No pair id contains “PAIR1” in this filter.')).toBeVisible();
  await results.filters.getByRole('button', { name: /^All/ }).click();
  await results.search.fill('zz');
  await expect.poll(() => results.shownPairs()).toEqual(['zz']);

  // The row detail says the label and the outcome.
  await results.row('zz').focus();
  await page.keyboard.press('Enter');
  await expect(results.detail).toBeVisible();
  await expect(results.detailFigure('Expected')).toHaveText('same');
  await expect(results.detailFigure('Outcome')).toHaveText('error');
  await page.keyboard.press('Escape');
  await results.search.fill('pair02');
  const two = shown.find((r) => r.Pair === 'pair02')!;
  await results.row('pair02').click();
  await expect(results.detailFigure('Expected')).toHaveText('different');
  await expect(results.detailFigure('Outcome')).toHaveText(two.Outcome === 'FP' ? 'FP (false match)' : two.Outcome!);
  await results.detail.getByRole('button', { name: 'Close' }).click();
  await results.search.fill('');
  await results.expectRowCount(17);
});

test('the table is a grid with one Tab stop: arrow keys, Page keys and Home/End move between rows of a 10,000-row table', async ({ page, results }) => {
  test.setTimeout(180_000);
  await openBulk(page, '/');
  await page.getByLabel('Open results').setInputFiles({ name: 'big.zip', mimeType: 'application/zip', buffer: await resultsArchive(10_000) });
  await expect(results.table).toHaveAttribute('aria-rowcount', '10001');
  const row = (n: number) => results.row(`p${String(n).padStart(5, '0')}`);

  // Tab from the search box enters the grid on its first row; the next Tab leaves the grid.
  await results.search.focus();
  await page.keyboard.press('Tab');
  await expect(row(1)).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(results.table.locator(':focus')).toHaveCount(0);
  await page.keyboard.press('Shift+Tab');
  await expect(row(1)).toBeFocused();

  // Up/Down move one row; Up on the first row stays there.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(row(3)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(row(2)).toBeFocused();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowUp');
  await expect(row(1)).toBeFocused();

  // PageDown moves by what the box shows and keeps the row in view.
  await page.keyboard.press('PageDown');
  const paged = results.rows.and(page.locator(':focus'));
  await expect(paged).toBeInViewport();
  const pagedId = await paged.getByRole('gridcell').first().textContent();
  expect(Number(pagedId!.slice(1))).toBeGreaterThan(5);
  await page.keyboard.press('PageUp');
  await expect(row(1)).toBeFocused();

  // End goes to the 10,000th row, scrolled into view; it keeps focus while the rows around it are re-rendered.
  await page.keyboard.press('End');
  await expect(row(10_000)).toBeFocused();
  await expect(row(10_000)).toBeInViewport();
  await results.body.hover();
  await page.mouse.wheel(0, -3000);
  await expect(row(10_000)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(row(9_999)).toBeFocused();
  await expect(row(9_999)).toBeInViewport();

  // Enter opens the row detail; Escape brings focus back to the row. Tab order still holds one row.
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: /p09999: MATCH|p09999: NO MATCH/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(row(9_999)).toBeFocused();
  // The detail is gone before Tab is pressed (a closing dialog's buttons would otherwise take the Tab).
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.keyboard.press('Tab');
  await expect(results.table.locator(':focus')).toHaveCount(0);
  await page.keyboard.press('Shift+Tab');
  await expect(row(9_999)).toBeFocused();
});

test('Right/Left move between the cells of the focused row, Up/Down keep the column, and that cell is the one Tab stop', async ({ page, results }) => {
  await openBulk(page, '/');
  await page.getByLabel('Open results').setInputFiles({ name: 'small.zip', mimeType: 'application/zip', buffer: await resultsArchive(3) });
  const row = (n: number) => results.row(`p${String(n).padStart(5, '0')}`);
  const cell = (n: number, c: number) => row(n).getByRole('gridcell').nth(c);

  await results.search.focus();
  await page.keyboard.press('Tab');
  await expect(row(1)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(cell(1, 0)).toBeFocused();
  await expect(cell(1, 0)).toHaveText('p00001');
  await page.keyboard.press('ArrowRight');
  await expect(cell(1, 1)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(cell(2, 1)).toBeFocused();
  // Tab leaves the grid and Shift+Tab comes back to the same cell: it is the grid's one Tab stop.
  await page.keyboard.press('Tab');
  await expect(results.table.locator(':focus')).toHaveCount(0);
  await page.keyboard.press('Shift+Tab');
  await expect(cell(2, 1)).toBeFocused();
  // Right stops at the last cell; Left from the first cell goes back to the row.
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
  await expect(cell(2, 4)).toBeFocused();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');
  await expect(row(2)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: /p00002/ })).toBeVisible();
});
