/**
 * Page steps shared by the deepvue / faults / auth-pause / secrets specs, written the way a user
 * works the UI (role and label locators), plus a describe-level reference server for tests that
 * need other server options than the worker's.
 */
import path from 'node:path';
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { startServer, type RunningServer, type ServerOverrides } from '../../server/main.ts';
import { REPO_ROOT } from '../../test/faces.ts';
import { test } from '../fixtures.ts';

export const FINISHED_TEXT = 'Bulk run finished. The ZIP was downloaded automatically; you can download it again below.';
/** A stopped run is not finished (issue #13): this is what the result panel says instead. */
export const STOPPED_TEXT = 'Bulk run stopped before every pair was sent. The ZIP of what was done was downloaded automatically; you can download it again below.';

/**
 * Starts a reference server with these options for the describe it is called in (worker-scoped
 * `serverOptions` cannot change per describe); returns a getter for its URL.
 */
export function ownServer(options: ServerOverrides): () => string {
  let running: RunningServer | undefined;
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    running = await startServer({ port: 0, staticDir: path.join(REPO_ROOT, 'dist'), ...options });
    await running.engine.ready();
  });
  test.afterAll(async () => {
    await running?.close();
  });
  return () => {
    if (!running) throw new Error('The describe-level server did not start.');
    return running.url;
  };
}

/** Waits until GET /health reports the face engine ready (the real engine loads in the background). */
export async function waitForEngine(page: Page, origin: string): Promise<void> {
  await expect.poll(async () => {
    const res = await page.request.get(`${origin}/health`);
    const body = (await res.json()) as { engine?: { state?: string } };
    return body.engine?.state;
  }, { timeout: 120_000, intervals: [500, 1000] }).toBe('ready');
}

export const runButton = (page: Page): Locator => page.locator('#submit-btn');
export const progressBar = (page: Page): Locator => page.getByRole('progressbar', { name: 'Pairs processed' });
export const finishedPanel = (page: Page): Locator => page.getByRole('region', { name: 'Bulk run result' });

export async function selectProvider(page: Page, label: 'KwikID' | 'Deepvue'): Promise<void> {
  await page.getByLabel('Provider').selectOption({ label });
}

/** Sets a number field (Timeout (s), Retries) the way a user types into it. */
export async function setNumber(page: Page, label: string, value: number): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  await input.fill(String(value));
  await expect(input).toHaveValue(String(value));
}

/** Switches to Bulk; with `url`, opens the app there first. */
export async function openBulk(page: Page, url?: string): Promise<void> {
  if (url !== undefined) await page.goto(url);
  await page.getByRole('button', { name: 'Bulk', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Bulk testing (ZIP)' })).toBeVisible();
}

/** Chooses the ZIP and waits for "N pair(s) loaded". */
export async function loadZip(page: Page, name: string, buffer: Buffer, pairs: number): Promise<void> {
  await page.getByLabel('Choose ZIP').setInputFiles({ name, mimeType: 'application/zip', buffer });
  await expect(page.getByRole('status').filter({ hasText: 'pair(s) loaded' })).toHaveText(`${pairs} pair(s) loaded`);
  await expect(runButton(page)).toBeEnabled();
}

/** Clicks Run and returns the automatic download once the run has finished. */
export async function runAndDownload(page: Page, timeout = 110_000): Promise<Download> {
  const downloadPromise = page.waitForEvent('download', { timeout });
  await runButton(page).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^facematch-bulk-\d+\.zip$/);
  await expect(page.getByText(FINISHED_TEXT, { exact: true })).toBeVisible();
  return download;
}

/** A figure of the finished panel's run summary ("Succeeded", "Not run", …). */
export function summaryFigure(page: Page, label: string): Locator {
  return finishedPanel(page).getByText(label, { exact: true }).locator('xpath=following-sibling::dd');
}
