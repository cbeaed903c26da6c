/**
 * A bulk run uses the settings of the moment Run is pressed: the settings panel is locked while it
 * runs (and says so), and with Concurrency N the API never has more than N calls at once, while
 * the archive holds the same records, in the same order, as a sequential run.
 */
import type { Page } from '@playwright/test';
import { buildFixturesZip, expect, test } from './fixtures.ts';
import { downloadBytes, openArchive, type ArchiveRecord, type OpenedArchive } from './helpers/archive.ts';
import { FINISHED_TEXT, loadZip, openBulk, runAndDownload, runButton, setNumber } from './helpers/app.ts';

test.use({ serverOptions: { engine: 'instant', latencyMs: 150 } });

const lockNote = (page: Page) => page.getByRole('status').filter({ hasText: 'These settings are locked while the bulk run is in flight' });

/** Counts the /facematch calls the API has in flight at once (each answered through the real server). */
async function countInFlight(page: Page): Promise<{ max: () => number; calls: () => number }> {
  let inFlight = 0;
  let max = 0;
  let calls = 0;
  await page.route((url) => url.pathname === '/facematch', async (route) => {
    calls++;
    inFlight++;
    max = Math.max(max, inFlight);
    try {
      const response = await route.fetch();
      await route.fulfill({ response });
    } finally {
      inFlight--;
    }
  });
  return { max: () => max, calls: () => calls };
}

/** What a record says, without its timing (which differs from one run to the next). */
const comparable = (r: ArchiveRecord) => ({ ...r, response_time_ms: null });

async function runOnce(page: Page): Promise<OpenedArchive> {
  return openArchive(await downloadBytes(await runAndDownload(page)));
}

test('the Provider cannot be switched while a run is in flight; the archive states the provider the run used', async ({ page }) => {
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  const downloadPromise = page.waitForEvent('download');
  await runButton(page).click();

  await expect(lockNote(page)).toBeVisible();
  const provider = page.getByLabel('Provider');
  await expect(provider).toBeDisabled();
  await expect(page.getByLabel('Base URL')).toBeDisabled();
  await expect(page.getByLabel('Concurrency')).toBeDisabled();
  await expect(provider).toHaveValue('kwikid');

  const archive = await openArchive(await downloadBytes(await downloadPromise));
  await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();
  await expect(lockNote(page)).toHaveCount(0);
  await expect(provider).toBeEnabled();

  expect(archive.records).toHaveLength(16);
  expect(archive.records.every((r) => r.success)).toBe(true);
  expect(archive.run.get('provider')).toBe('KwikID');
  expect(String(archive.run.get('endpoint'))).toMatch(/\/facematch$/);
  // Every success has a verdict, so matches + non-matches = succeeded.
  expect(Number(archive.run.get('matches')) + Number(archive.run.get('non-matches'))).toBe(16);
  const manifest = JSON.parse(archive.entries.get('run.json')!.toString('utf8')) as { settings: { provider: string; concurrency: number } };
  expect(manifest.settings).toMatchObject({ provider: 'kwikid', concurrency: 1 });
});

test('Concurrency 4: the API never sees 5 calls at once, and the archive equals the sequential run\'s records', async ({ page }) => {
  const counter = await countInFlight(page);
  await openBulk(page, '/');
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  await setNumber(page, 'Concurrency', 4);
  const parallel = await runOnce(page);
  expect(counter.calls()).toBe(16);
  expect(counter.max()).toBeLessThanOrEqual(4);
  // It really ran in parallel: 16 calls of 150 ms each, several at once.
  expect(counter.max()).toBeGreaterThan(1);
  expect(parallel.run.get('concurrency')).toBe(4);

  await setNumber(page, 'Concurrency', 1);
  const sequential = await runOnce(page);
  expect(sequential.run.get('concurrency')).toBe(1);

  expect(parallel.records.map((r) => r.pair_id)).toEqual(sequential.records.map((r) => r.pair_id));
  expect(parallel.records.map(comparable)).toEqual(sequential.records.map(comparable));
  expect(parallel.summary.map((row) => row.pair_id)).toEqual(sequential.summary.map((row) => row.pair_id));
});
