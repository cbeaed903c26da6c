import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import JSZip from 'jszip';
import { test, expect, facePath, buildFixturesZip, expectedVerdicts } from './fixtures.ts';
import { FINISHED_TEXT, loadZip, openBulk, runAndDownload, runButton } from './helpers/app.ts';
import { tinyJpeg } from './helpers/images.ts';
import { holdCalls } from './helpers/run-view.ts';

test.use({ serverOptions: { engine: 'instant' } });

type Violation = { theme: string; id: string; impact: string | null | undefined; help: string; targets: string[] };

/**
 * The serious and critical violations on the page as it is now, in the light theme (every rule)
 * and the dark theme (the rules that depend on colour; the others see the same page either way).
 */
async function seriousViolations(page: Page): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    const axe = new AxeBuilder({ page });
    if (theme === 'dark') axe.withRules(['color-contrast', 'link-in-text-block']);
    const results = await axe.analyze();
    found.push(...results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ theme, id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

test.describe('light and dark theme', () => {
  test('Single mode idle has no serious or critical violations', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByLabel('Choose image1')).toBeAttached();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('Single mode with a result and with an error has no serious or critical violations', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
    await page.getByLabel('Choose image2').setInputFiles(facePath('obama-2.jpg'));
    await page.locator('#submit-btn').click();
    await expect(page.getByTestId('verdict')).toHaveText('MATCH');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Bearer token', { exact: true }).fill('wrong');
    await page.getByLabel('Choose image2').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('notes') });
    await page.locator('#submit-btn').click();
    await expect(page.getByRole('alert')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    // The stale result and an inactive Run with its reason.
    await page.getByRole('button', { name: 'Clear image1' }).click();
    await expect(page.getByText('Inputs changed: run again', { exact: false })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('Bulk before the run: the pre-flight list with a flagged pair and the exclude checkbox have no serious or critical violations', async ({ page }) => {
    const zip = new JSZip();
    zip.file('set/a_image1.jpg', await tinyJpeg(1));
    zip.file('set/a_image2.jpg', await tinyJpeg(2));
    zip.file('set/b_image1.jpg', await tinyJpeg(3));
    zip.file('set/b_image2.jpg', 'a note, not a photo');
    await openBulk(page, '/');
    await loadZip(page, 'mixed.zip', await zip.generateAsync({ type: 'nodebuffer' }), 2);
    await expect(page.getByRole('table', { name: 'Pairs to send' }).getByRole('row').filter({ hasText: 'is a text file' })).toHaveCount(1);
    await page.getByRole('checkbox', { name: /Exclude flagged pairs/ }).check();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('Bulk finished: the results table with its filters, and a row detail panel, have no serious or critical violations', async ({ page }) => {
    await openBulk(page, '/');
    await loadZip(page, 'faces.zip', await buildFixturesZip({ count: 4 }), 4);
    await runAndDownload(page);
    await expect(page.getByRole('grid', { name: 'Finished pairs' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('rowgroup', { name: 'Finished pairs, scrollable' }).getByRole('row').first().click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await expect(page.getByRole('dialog').getByRole('img')).toHaveCount(2);
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('Bulk Evaluation section with a threshold and its charts has no serious or critical violations', async ({ page }) => {
    const labels = `pair_id,expected\n${[...expectedVerdicts()].map(([id, same]) => `${id},${same ? 'same' : 'different'}`).join('\n')}\n`;
    await openBulk(page, '/');
    await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': labels } }) });
    await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
    await runAndDownload(page);
    const section = page.getByRole('region', { name: 'Evaluation' });
    await section.getByRole('slider', { name: 'Threshold (what-if)' }).fill('0.4');
    await expect(section.getByRole('table', { name: 'At threshold 0.4' })).toBeVisible();
    await expect(section.getByRole('img', { name: 'ROC curve' }).locator('svg')).toBeVisible();
    await section.getByText('Outcome of each labelled pair', { exact: false }).click();
    await expect(section.getByRole('columnheader', { name: 'At 0.4' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test('Bulk in flight (live counts, the pair in flight, Follow new rows) and labelled filters have no serious or critical violations', async ({ page }) => {
    const calls = await holdCalls(page, (stem) => stem === 'pair14');
    const csv = `pair_id,expected\n${Array.from({ length: 16 }, (_, i) => `pair${String(i + 1).padStart(2, '0')},${i % 2 ? 'same' : 'different'}`).join('\n')}\n`;
    await openBulk(page, '/');
    await page.getByLabel('Choose ZIP').setInputFiles({ name: 'faces.zip', mimeType: 'application/zip', buffer: await buildFixturesZip({ extra: { 'labels.csv': csv } }) });
    await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toContainText('16 labelled');
    const downloadPromise = page.waitForEvent('download');
    await runButton(page).click();
    await calls.arrived('pair14');
    await expect(page.getByRole('region', { name: 'Bulk run progress' })).toContainText('Sending pair14');
    await expect(page.getByRole('checkbox', { name: 'Follow new rows' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    calls.releaseAll();
    await downloadPromise;
    await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();
    await page.getByRole('group', { name: 'Show' }).getByRole('button', { name: /^Wrong \(/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
  });
});
