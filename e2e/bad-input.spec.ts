/**
 * The bad-input corpus (test/corpus.ts) through the real UI, one test per case:
 *  - the user sees a sentence naming the file (the ZipError alert, the skipped-files list, the slot warning);
 *  - the page keeps working: after each bad file, a good fixture ZIP still loads as "3 pair(s) loaded"
 *    (Single: a good pair still gets a verdict);
 *  - for the cases with pairs, Run downloads an archive with exactly one record per loaded pair, each
 *    saying what went wrong.
 * Everything runs against the in-process reference server; the instant engine unless the face decision matters.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import JSZip from 'jszip';
import { startServer, type RunningServer } from '../server/main.ts';
import { singleCases, zipCases, type BuiltFile, type SingleCase, type ZipCase } from '../test/corpus.ts';
import { buildFixturesZip, expect, REPO_ROOT, test } from './fixtures.ts';
import { openBulk, runAndDownload } from './helpers/app.ts';
import { downloadBytes } from './helpers/archive.ts';

test.describe.configure({ mode: 'parallel' });

let goodZip: Promise<Buffer> | undefined;
/** A small good ZIP (three fixture pairs): what a user loads next to see the page still works. */
const fixturesZip = () => (goodZip ??= buildFixturesZip({ count: 3 }));

interface ResultJson {
  pair_id: string;
  success: boolean;
  http_status: number | null;
  error?: { type: string; message: string };
}

const loadedStatus = (page: Page) => page.getByRole('status').filter({ hasText: 'pair(s) loaded' });

async function chooseZip(page: Page, file: BuiltFile): Promise<void> {
  await page.getByLabel('Choose ZIP').setInputFiles({ name: file.name, mimeType: file.mimeType, buffer: file.bytes });
}

/** The page still works: the good fixture ZIP loads, the error is gone and Run is enabled. */
async function goodZipStillLoads(page: Page): Promise<void> {
  await chooseZip(page, { name: 'faces.zip', mimeType: 'application/zip', bytes: await fixturesZip() });
  await expect(loadedStatus(page)).toHaveText('3 pair(s) loaded', { timeout: 30_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.locator('#submit-btn')).toBeEnabled();
}

async function runAndReadResults(page: Page): Promise<ResultJson[]> {
  const zip = await JSZip.loadAsync(await downloadBytes(await runAndDownload(page, 120_000)));
  expect(zip.file('summary.xlsx'), 'summary.xlsx in the archive').not.toBeNull();
  const files = Object.values(zip.files).filter((f) => !f.dir);
  for (const f of files) expect(['summary.xlsx', 'report.html', 'run.json'].includes(f.name) || /^results\/[^/\\]+\.json$/.test(f.name), f.name).toBe(true);
  return Promise.all(files.filter((f) => f.name.startsWith('results/')).map(async (f) => JSON.parse(await f.async('string')) as ResultJson));
}

/** `origin`: the server to open the app on (the worker's instant-engine server by default). */
async function zipCaseTest(page: Page, c: ZipCase, origin = '/'): Promise<void> {
  const file = await c.build();
  const e = c.expect;
  await openBulk(page, origin);
  await chooseZip(page, file);

  if (e.zipError) {
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(file.name, { timeout: 30_000 });
    for (const pattern of e.zipError) await expect(alert).toHaveText(pattern);
    await expect(loadedStatus(page)).toHaveCount(0);
    await expect(page.locator('#submit-btn')).toBeDisabled();
    await goodZipStillLoads(page);
    return;
  }

  const pairCount = e.pairIds?.length ?? 0;
  // Parsing is over once either the pair count or an alert is shown.
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' }).or(page.getByRole('alert')).first()).toBeVisible({ timeout: 60_000 });
  if (pairCount === 0) {
    // No pair: a sentence naming the file, Run stays disabled, the skipped files say why.
    await expect(page.getByRole('alert')).toContainText(file.name, { timeout: 30_000 });
    await expect(page.locator('#submit-btn')).toBeDisabled();
  } else {
    await expect(loadedStatus(page)).toHaveText(`${pairCount} pair(s) loaded`, { timeout: 5_000 });
  }
  if (e.skippedCount) {
    const skipped = page.locator('details').filter({ hasText: 'file(s) skipped' });
    await expect(skipped.locator('summary')).toHaveText(`${e.skippedCount} file(s) skipped`);
    for (const s of e.skipped ?? []) {
      const item = skipped.locator('li').filter({ hasText: s.path }).first();
      await expect(item).toContainText(s.reason);
    }
  }
  if (e.flagged?.length) {
    await expect(page.locator('details').filter({ hasText: 'pair(s) flagged' }).locator('summary')).toHaveText(`${e.flagged.length} pair(s) flagged`);
  }

  if (pairCount > 0) {
    const results = await runAndReadResults(page);
    expect(results.length, 'one record per loaded pair').toBe(pairCount);
    expect(results.map((r) => r.pair_id).sort()).toEqual([...(e.pairIds ?? [])].sort());
    for (const r of results) {
      const want = e.records?.[r.pair_id] ?? { success: true, status: 200 };
      const detail = JSON.stringify(r.error ?? { status: r.http_status });
      expect(r.success, `${r.pair_id} success (${detail})`).toBe(want.success);
      if (want.status !== undefined) expect(r.http_status, `${r.pair_id} status (${detail})`).toBe(want.status);
      if (want.errorType) expect(r.error?.type).toBe(want.errorType);
      if (want.message) expect(r.error?.message ?? '').toMatch(want.message);
    }
    const failed = results.filter((r) => !r.success).length;
    const summary = page.getByRole('region', { name: 'Bulk run result' });
    await expect(summary.getByText('Succeeded', { exact: true }).locator('..')).toContainText(String(pairCount - failed));
  }
  await goodZipStillLoads(page);
}

async function singleCaseTest(page: Page, c: SingleCase): Promise<void> {
  const files = await c.build();
  const e = c.expect;
  await page.goto('/');
  await page.getByRole('button', { name: 'Single', exact: true }).click();
  const run = page.locator('#submit-btn');
  for (const slot of ['image1', 'image2'] as const) {
    const f = files[slot];
    if (f) await page.getByLabel(`Choose ${slot}`).setInputFiles({ name: f.name, mimeType: f.mimeType, buffer: f.bytes });
  }
  for (const slot of ['image1', 'image2'] as const) {
    const f = files[slot];
    if (f) await expect(page.getByText(f.name, { exact: true }).first()).toBeVisible();
  }
  if (e.warning) {
    const input = page.getByLabel(`Choose ${e.warning.slot}`);
    const warnId = e.warning.slot === 'image1' ? 'slot-0-warning' : 'slot-1-warning';
    await expect(page.locator(`#${warnId}`)).toHaveText(e.warning.pattern);
    await expect(input).toHaveAttribute('aria-describedby', new RegExp(warnId));
  }
  if (e.missing) {
    await expect(run).toBeDisabled();
    await expect(page.getByText(`Choose ${e.missing}`, { exact: true })).toBeVisible();
  }
  if (e.alert) {
    await expect(run).toBeEnabled();
    await run.click();
    const alert = page.getByRole('alert');
    await expect(alert).toHaveText(e.alert, { timeout: 30_000 });
    if (e.status) await expect(page.getByText('HTTP status', { exact: true }).locator('..')).toContainText(String(e.status));
  }
  // The page keeps working: good photos in both slots get a verdict.
  const good = await zipCases.find((z) => z.id === 'mixed-extensions-ok')!.build();
  const zip = await JSZip.loadAsync(good.bytes);
  const img1 = Buffer.from(await zip.file('customer01_image1.jpg')!.async('uint8array'));
  const img2 = Buffer.from(await zip.file('customer01_image2.png')!.async('uint8array'));
  await page.getByLabel('Choose image1').setInputFiles({ name: 'good1.jpg', mimeType: 'image/jpeg', buffer: img1 });
  await page.getByLabel('Choose image2').setInputFiles({ name: 'good2.png', mimeType: 'image/png', buffer: img2 });
  await expect(page.locator('#slot-0-warning')).toHaveCount(0);
  await expect(page.locator('#slot-1-warning')).toHaveCount(0);
  await expect(run).toBeEnabled();
  await run.click();
  await expect(page.getByTestId('verdict')).toBeVisible({ timeout: 30_000 });
}

const instantZip = zipCases.filter((c) => c.expect.engine !== 'real');
const realZip = zipCases.filter((c) => c.expect.engine === 'real');

// The worker's server runs the instant engine; the few cases whose outcome depends on finding a face
// open the app on a second server with the real engine, started on first use in that worker.
test.use({ serverOptions: { engine: 'instant' } });

let realServer: Promise<RunningServer> | undefined;
function realEngineServer(): Promise<RunningServer> {
  realServer ??= startServer({ port: 0, engine: 'real', staticDir: path.join(REPO_ROOT, 'dist') }).then(async (s) => {
    await s.engine.ready();
    return s;
  });
  return realServer;
}
test.afterAll(async () => {
  if (realServer) await (await realServer).close();
});

test.describe('bad ZIP files (instant engine)', () => {
  for (const c of instantZip) {
    test(`${c.id}: ${c.title}`, async ({ page }) => {
      if (c.expect.knownBug) test.fail(true, c.expect.knownBug);
      test.setTimeout(c.slow ? 180_000 : 90_000);
      await zipCaseTest(page, c);
    });
  }
});

test.describe('bad ZIP files (real engine)', () => {
  for (const c of realZip) {
    test(`${c.id}: ${c.title}`, async ({ page }) => {
      test.setTimeout(180_000);
      const real = await realEngineServer();
      await zipCaseTest(page, c, real.url);
    });
  }
});

test.describe('bad Single inputs (instant engine)', () => {
  for (const c of singleCases) {
    test(`${c.id}: ${c.title}`, async ({ page }) => {
      test.setTimeout(90_000);
      await singleCaseTest(page, c);
    });
  }
});
