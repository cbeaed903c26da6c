/**
 * Bulk mode against the real reference server: load a ZIP built at test time, run it, check the
 * downloaded archive (summary.xlsx + results/*.json), download it again, Stop, the leave guard,
 * the 401 pause, and the messages for bad input.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { buildFixturesZip, expect, expectedVerdicts, facePath, test } from './fixtures.ts';
import { FINISHED_TEXT, STOPPED_TEXT, openBulk, ownServer } from './helpers/app.ts';
import { downloadBytes } from './helpers/archive.ts';

// The worker's own server (the `page` fixture's baseURL) answers instantly. Worker-scoped options
// cannot change per describe, so the describes that need another engine start their own server.
test.use({ serverOptions: { engine: 'instant' } });

const ZIP_MIME = 'application/zip';

async function chooseZip(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.getByLabel('Choose ZIP').setInputFiles({ name, mimeType: ZIP_MIME, buffer });
}

async function loadFixtures(page: Page, origin?: string): Promise<void> {
  await openBulk(page, origin ? `${origin}/` : '/');
  await chooseZip(page, 'faces.zip', await buildFixturesZip());
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toHaveText('16 pair(s) loaded');
  await expect(page.locator('#submit-btn')).toBeEnabled();
}

interface ResultJson {
  pair_id: string;
  success: boolean;
  http_status: number | null;
  body?: { facematch_result?: string };
  error?: { type: string; message: string };
}

async function readResults(zip: JSZip): Promise<ResultJson[]> {
  const files = Object.values(zip.files).filter((f) => !f.dir && /^results\/[^/]+\.json$/.test(f.name));
  return Promise.all(files.map(async (f) => JSON.parse(await f.async('string')) as ResultJson));
}

const progress = (page: Page) => page.getByRole('progressbar', { name: 'Pairs processed' });

test.describe('bulk run with the real engine', () => {
  const origin = ownServer({ engine: 'real' });

  test('16 labelled pairs: the archive holds summary.xlsx and 16 results whose verdicts match the labels', async ({ page }) => {
    test.setTimeout(240_000);
    await loadFixtures(page, origin());

    const downloadPromise = page.waitForEvent('download', { timeout: 200_000 });
    await page.locator('#submit-btn').click();
    // The mode toggle is locked while the run is in flight.
    await expect(page.getByRole('button', { name: 'Single', exact: true })).toBeDisabled();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/^facematch-bulk-\d+\.zip$/);
    const bytes = await downloadBytes(download);

    await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();
    await expect(progress(page)).toHaveAttribute('aria-valuenow', '16');
    await expect(page.getByRole('button', { name: 'Single', exact: true })).toBeEnabled();
    // The run summary.
    const result = page.getByRole('region', { name: 'Bulk run result' });
    await expect(result.getByText('Succeeded', { exact: true }).locator('..')).toContainText('16');
    await expect(result.getByText('p95', { exact: true })).toBeVisible();
    // The live table shows finished pairs.
    await expect(page.getByRole('grid', { name: 'Finished pairs' }).getByRole('row').nth(1)).toContainText(/MATCH/);

    const zip = await JSZip.loadAsync(bytes);
    expect(zip.file('summary.xlsx')).not.toBeNull();
    const results = await readResults(zip);
    expect(results).toHaveLength(16);
    const expected = expectedVerdicts();
    for (const r of results) {
      expect(r.success, `${r.pair_id} succeeded`).toBe(true);
      expect(r.http_status).toBe(200);
      const match = r.body?.facematch_result === 'True';
      expect(match, `verdict of ${r.pair_id}`).toBe(expected.get(r.pair_id));
    }
    // No secret in the archive.
    for (const f of Object.values(zip.files)) {
      if (f.dir) continue;
      const text = Buffer.from(await f.async('uint8array')).toString('latin1');
      expect(text, `${f.name} holds no token`).not.toContain('demo-token');
    }

    const wb = XLSX.read(await zip.file('summary.xlsx')!.async('uint8array'), { type: 'array' });
    expect(wb.SheetNames).toEqual(['Summary', 'Run', 'Notices', 'Skipped files']);
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets.Summary!);
    expect(rows).toHaveLength(16);
    expect(rows.map((r) => r.input_order)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    // The Run sheet states what the run was.
    const run = new Map(XLSX.utils.sheet_to_json<{ field: string; value?: unknown }>(wb.Sheets.Run!).map((r) => [r.field, r.value]));
    expect(run.get('input ZIP')).toBe('faces.zip');
    expect(run.get('input ZIP size (bytes)')).toBeGreaterThan(1000);
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(run.get('app version')).toBe(pkg.version);
    expect(run.get('timeout (s)')).toBeGreaterThan(0);
    expect(typeof run.get('retries')).toBe('number');
    expect(run.get('total credits consumed')).toBe(rows.reduce((n, r) => n + Number(r.credits_consumed), 0));

    // "Download again" saves the very same bytes.
    const againPromise = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Download facematch-bulk-\d+\.zip$/ }).click();
    const again = await againPromise;
    expect(again.suggestedFilename()).toBe(download.suggestedFilename());
    expect((await downloadBytes(again)).equals(bytes)).toBe(true);
  });
});

test.describe('bulk run against a slow server', () => {
  const origin = ownServer({ engine: 'instant', latencyMs: 300 });

  test('Stop aborts the call in flight; unsent pairs are not_run and every pair has a record', async ({ page }) => {
    await loadFixtures(page, origin());
    await page.locator('#submit-btn').click();
    await expect(progress(page)).toHaveAttribute('aria-valuenow', /^[2-9]$/);
    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const download = await downloadPromise;
    await expect(page.getByText(STOPPED_TEXT, { exact: true })).toBeVisible();

    const zip = await JSZip.loadAsync(await downloadBytes(download));
    const results = await readResults(zip);
    expect(results).toHaveLength(16);
    const notRun = results.filter((r) => !r.success && r.error?.type === 'not_run');
    const sent = results.filter((r) => r.success || r.error?.type !== 'not_run');
    expect(notRun.length).toBeGreaterThan(0);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(notRun.length + sent.length).toBe(16);
    // The pairs after the stop are the not_run ones.
    const order = results.map((r) => r.pair_id).sort();
    const firstNotRun = order.findIndex((id) => notRun.some((r) => r.pair_id === id));
    for (const id of order.slice(firstNotRun)) expect(notRun.map((r) => r.pair_id)).toContain(id);
    await expect(page.getByRole('region', { name: 'Bulk run result' })).toContainText(`Not run${notRun.length}`);
  });

  test('leaving mid-run asks for confirmation; after the run, leaving does not', async ({ page }) => {
    await loadFixtures(page, origin());
    await page.locator('#submit-btn').click();
    await expect(progress(page)).toHaveAttribute('aria-valuenow', /^[1-9]\d*$/);

    const dialogPromise = page.waitForEvent('dialog');
    await page.close({ runBeforeUnload: true });
    const dialog = await dialogPromise;
    expect(dialog.type()).toBe('beforeunload');
    await dialog.dismiss();
    expect(page.isClosed()).toBe(false);

    // The run carries on and finishes.
    await page.waitForEvent('download');
    await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();

    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.type()); void d.dismiss(); });
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
    expect(dialogs).toEqual([]);
  });
});

test.describe('bulk input and credential problems', () => {
  test('a text file named .zip shows a sentence naming it and Run stays inactive', async ({ page }) => {
    await openBulk(page, '/');
    await chooseZip(page, 'notes.zip', Buffer.from('these are my notes, not an archive\n'));
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('notes.zip is not a ZIP archive');
    await expect(alert).not.toContainText(/Error:|at \w+ \(/);
    await expect(page.locator('#submit-btn')).toBeDisabled();
  });

  test('a ZIP without a valid pair says so, lists the skipped files and Run stays inactive', async ({ page }) => {
    const zip = new JSZip();
    zip.file('customer01_image1.jpg', await readFile(facePath('obama-1.jpg')));
    zip.file('readme.txt', 'hello');
    await openBulk(page, '/');
    await chooseZip(page, 'orphans.zip', await zip.generateAsync({ type: 'nodebuffer' }));
    await expect(page.getByRole('alert')).toContainText('No image pair was found in orphans.zip');
    const skipped = page.getByRole('group').filter({ hasText: '2 file(s) skipped' });
    await expect(skipped).toBeVisible();
    await expect(skipped.getByText('customer01_image1.jpg', { exact: true })).toBeVisible();
    await expect(skipped.getByText('readme.txt', { exact: true })).toBeVisible();
    await expect(page.locator('#submit-btn')).toBeDisabled();

    // Choosing a valid ZIP replaces it.
    await chooseZip(page, 'faces.zip', await buildFixturesZip());
    await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toHaveText('16 pair(s) loaded');
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.locator('#submit-btn')).toBeEnabled();
  });

  test('a 401 with a token endpoint (Deepvue) fetches a new token and carries on', async ({ page }) => {
    await openBulk(page, '/');
    await page.getByLabel('Provider').selectOption({ label: 'Deepvue' });
    const token = page.getByLabel('Bearer token', { exact: true });
    await token.fill('expired-token');
    await chooseZip(page, 'faces.zip', await buildFixturesZip());
    await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toHaveText('16 pair(s) loaded');
    const downloadPromise = page.waitForEvent('download');
    await page.locator('#submit-btn').click();
    const download = await downloadPromise;
    await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();
    await expect(token).not.toHaveValue('expired-token');
    await expect(token).not.toHaveValue('');
    const refreshed = await token.inputValue();
    const zip = await JSZip.loadAsync(await downloadBytes(download));
    const results = await readResults(zip);
    expect(results).toHaveLength(16);
    expect(results.every((r) => r.success && r.http_status === 200)).toBe(true);
    for (const f of Object.values(zip.files)) {
      if (f.dir) continue;
      const text = Buffer.from(await f.async('uint8array')).toString('latin1');
      expect(text, `${f.name} holds no secret`).not.toContain(refreshed);
      expect(text, `${f.name} holds no secret`).not.toContain('demo-secret');
    }
  });

  test('a 401 without a token endpoint pauses the run until the token is fixed and Resume is pressed', async ({ page }) => {
    await loadFixtures(page);
    const token = page.getByLabel('Bearer token', { exact: true });
    await token.fill('wrong-token');
    await page.locator('#submit-btn').click();
    const banner = page.getByRole('alert').filter({ hasText: 'HTTP 401' });
    await expect(banner).toContainText('The API rejected the token (HTTP 401) at pair 1 of 16.');
    await token.fill('demo-token');
    const downloadPromise = page.waitForEvent('download');
    await banner.getByRole('button', { name: 'Resume' }).click();
    const download = await downloadPromise;
    const results = await readResults(await JSZip.loadAsync(await downloadBytes(download)));
    expect(results).toHaveLength(16);
    expect(results.every((r) => r.success)).toBe(true);
  });
});
