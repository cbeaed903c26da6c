/**
 * KwikID has no token endpoint, so a 401 mid-run cannot be fixed automatically: the run pauses with a
 * banner until the user fixes the token and presses Resume (the rejected pair is sent again, not
 * lost), or presses Stop (the archive holds the 401 record and the unsent pairs as not_run).
 */
import type { Page } from '@playwright/test';
import { buildFixturesZip, expect, test } from './fixtures.ts';
import { downloadBytes, openArchive } from './helpers/archive.ts';
import { FINISHED_TEXT, STOPPED_TEXT, loadZip, openBulk, progressBar, runButton, summaryFigure } from './helpers/app.ts';

test.use({ serverOptions: { engine: 'instant', latencyMs: 150 } });

const RIGHT = 'demo-token';

const tokenField = (page: Page) => page.getByLabel('Bearer token', { exact: true });
const banner = (page: Page) => page.getByRole('alert').filter({ hasText: 'The API rejected the token (HTTP 401)' });
const pairCalls = (page: Page) => {
  const calls: number[] = [];
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && new URL(res.url()).pathname === '/facematch') calls.push(res.status());
  });
  return calls;
};

/**
 * The API revokes the token after `okCalls` calls: later calls with it get 401, and a call with
 * ROTATED (the token the user is given next) is let through as the server's valid one.
 * Settings are a snapshot taken at Run, so a mid-run 401 comes from the API, as in real life.
 */
const ROTATED = 'rotated-token';
async function revokeTokenAfter(page: Page, okCalls: number): Promise<void> {
  let count = 0;
  await page.route((url) => url.pathname === '/facematch', async (route) => {
    const headers = route.request().headers();
    if (headers.authorization === `Bearer ${ROTATED}`) return route.continue({ headers: { ...headers, authorization: `Bearer ${RIGHT}` } });
    if (++count > okCalls) return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ msg: 'Invalid token.' }) });
    return route.continue();
  });
}

async function ready(page: Page): Promise<void> {
  await page.goto('/');
  await expect(tokenField(page)).toHaveValue(RIGHT);
  await openBulk(page);
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
}

test('a wrong token pauses the run at pair 1; fixing it and pressing Resume finishes the run with every pair a success', async ({ page }) => {
  const calls = pairCalls(page);
  await ready(page);
  await tokenField(page).fill('wrong-token');
  const downloadPromise = page.waitForEvent('download');
  await runButton(page).click();

  await expect(banner(page)).toContainText('at pair 1 of 16');
  await expect(page.getByRole('status').filter({ hasText: 'Paused' })).toHaveText('Paused: the API rejected the token.');
  // Paused: no pair counts as done while the banner waits (the call list at the end shows that
  // nothing was sent during the pause: any call with the wrong token would be a second 401).
  await expect(progressBar(page)).toHaveAttribute('aria-valuenow', '0');
  expect(calls).toEqual([401]);

  await tokenField(page).fill(RIGHT);
  await banner(page).getByRole('button', { name: 'Resume' }).click();
  await expect(banner(page)).toHaveCount(0);
  const archive = await openArchive(await downloadBytes(await downloadPromise));
  await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();

  expect(archive.records).toHaveLength(16);
  for (const r of archive.records) {
    expect(r.success, `${r.pair_id}: ${r.error?.message ?? ''}`).toBe(true);
    expect(r.http_status).toBe(200);
  }
  // The paused pair was sent again after Resume: its record counts both attempts.
  expect(archive.byPair.get('pair01')!.attempts).toBe(2);
  expect(archive.records.filter((r) => r.pair_id !== 'pair01').every((r) => r.attempts === 1)).toBe(true);
  expect(calls).toEqual([401, ...Array<number>(16).fill(200)]);
  expect(archive.run.get('succeeded')).toBe(16);
  expect(archive.run.get('stop reason')).toBeUndefined();
  await expect(summaryFigure(page, 'Succeeded')).toHaveText('16');
});

test('a token revoked mid-run pauses at the next pair; Resume with a new token loses no pair', async ({ page }) => {
  const calls = pairCalls(page);
  await ready(page);
  await revokeTokenAfter(page, 4);
  const downloadPromise = page.waitForEvent('download');
  await runButton(page).click();

  await expect(banner(page)).toContainText('at pair 5 of 16');
  const pausedAt = 5;
  await expect(progressBar(page)).toHaveAttribute('aria-valuenow', String(pausedAt - 1));

  await tokenField(page).fill(ROTATED);
  await banner(page).getByRole('button', { name: 'Resume' }).click();
  const archive = await openArchive(await downloadBytes(await downloadPromise));

  expect(archive.records).toHaveLength(16);
  expect(archive.records.every((r) => r.success)).toBe(true);
  const paused = `pair${String(pausedAt).padStart(2, '0')}`;
  expect(archive.byPair.get(paused)!.attempts).toBe(2);
  expect(calls.filter((s) => s === 401)).toHaveLength(1);
  expect(calls.filter((s) => s === 200)).toHaveLength(16);
});

test('Stop on the pause banner: the archive has the 401 pair as an http 401 record and the rest not_run', async ({ page }) => {
  const calls = pairCalls(page);
  await ready(page);
  await revokeTokenAfter(page, 3);
  const downloadPromise = page.waitForEvent('download');
  await runButton(page).click();
  await expect(banner(page)).toBeVisible();
  const pausedAt = Number(/at pair (\d+) of 16/.exec(await banner(page).innerText())![1]);

  await banner(page).getByRole('button', { name: 'Stop' }).click();
  const archive = await openArchive(await downloadBytes(await downloadPromise));
  await expect(page.getByText(STOPPED_TEXT, { exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Bulk run result' }))
    .toContainText(`The run was stopped after the API rejected the token (HTTP 401) at pair ${pausedAt} of 16.`);

  expect(archive.records).toHaveLength(16);
  const ids = archive.records.map((r) => r.pair_id).sort();
  expect(ids).toEqual(Array.from({ length: 16 }, (_, i) => `pair${String(i + 1).padStart(2, '0')}`));
  for (const id of ids.slice(0, pausedAt - 1)) expect(archive.byPair.get(id)!.success, id).toBe(true);
  const rejected = archive.byPair.get(ids[pausedAt - 1]!)!;
  expect(rejected).toMatchObject({
    success: false,
    http_status: 401,
    error: { type: 'http', message: expect.stringContaining('HTTP 401') },
    error_body: { msg: 'Invalid token.' },
    attempts: 1,
  });
  const notRun = ids.slice(pausedAt).map((id) => archive.byPair.get(id)!);
  expect(notRun).toHaveLength(16 - pausedAt);
  for (const r of notRun) {
    expect(r).toMatchObject({ success: false, http_status: null, error: { type: 'not_run' }, attempts: 0 });
  }
  // Nothing was sent after the rejected call.
  expect(calls).toEqual([...Array<number>(pausedAt - 1).fill(200), 401]);
  expect(archive.run.get('succeeded')).toBe(pausedAt - 1);
  expect(archive.run.get('failed')).toBe(1);
  expect(archive.run.get('not run')).toBe(16 - pausedAt);
  await expect(summaryFigure(page, 'Not run')).toHaveText(String(16 - pausedAt));
});

test('Stop right away on a wrong token: pair 1 is the 401 record and the other 15 are not_run', async ({ page }) => {
  await ready(page);
  await tokenField(page).fill('wrong-token');
  const downloadPromise = page.waitForEvent('download');
  await runButton(page).click();
  await banner(page).getByRole('button', { name: 'Stop' }).click();
  const archive = await openArchive(await downloadBytes(await downloadPromise));
  expect(archive.records).toHaveLength(16);
  expect(archive.byPair.get('pair01')).toMatchObject({ success: false, http_status: 401, error: { type: 'http' } });
  expect(archive.records.filter((r) => r.error?.type === 'not_run')).toHaveLength(15);
  // The token never reaches the archive.
  for (const [name, data] of archive.entries) expect(data.includes('wrong-token'), name).toBe(false);
});
