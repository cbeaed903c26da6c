import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { readVerdict, kwikid } from '../src/core/contracts/contracts.ts';
import { startServer } from '../server/main.ts';
import { test, expect, facePath, FACES_DIR, REPO_ROOT } from './fixtures.ts';

const exec = promisify(execFile);

/** The real engine may still be loading its models on the first call. */
const VERDICT_TIMEOUT = 90_000;

async function choose(page: Page, a: string, b: string) {
  await page.getByLabel('Choose image1').setInputFiles(facePath(a));
  await page.getByLabel('Choose image2').setInputFiles(facePath(b));
  await expect(page.getByText(a, { exact: true })).toBeVisible();
  await expect(page.getByText(b, { exact: true })).toBeVisible();
}

test.describe('Single mode against the reference server', () => {
  test('same person → MATCH with confidence, status, timing and the raw JSON', async ({ page }) => {
    await page.goto('/');
    const run = page.locator('#submit-btn');
    await expect(run).toBeDisabled();
    await choose(page, 'obama-1.jpg', 'obama-2.jpg');
    await expect(page.getByText(/JPEG image/).first()).toBeVisible();
    await expect(page.getByRole('img', { name: 'Preview of obama-1.jpg' })).toBeVisible();
    await page.getByLabel('unique_id').fill('case-42');
    await expect(run).toBeEnabled();
    await run.click();
    await expect(page.getByTestId('verdict')).toHaveText('MATCH', { timeout: VERDICT_TIMEOUT });
    await expect(page.getByText(/^0\.\d{4} \(\d+\.\d %\)$/)).toBeVisible();
    const facts = page.locator('dl');
    await expect(facts).toContainText('HTTP status200');
    await expect(facts).toContainText('unique_idcase-42');
    await expect(facts).toContainText(/Round trip\d+ ms/);
    await expect(page.getByRole('region', { name: 'Result' }).getByLabel('Raw JSON response')).toContainText('"facematch_result": "True"');
  });

  test('different people → NO MATCH', async ({ page }) => {
    await page.goto('/');
    await choose(page, 'obama-1.jpg', 'biden-1.jpg');
    await page.locator('#submit-btn').click();
    await expect(page.getByTestId('verdict')).toHaveText('NO MATCH', { timeout: VERDICT_TIMEOUT });
  });

  test('a wrong token → the 401 explanation', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Bearer token', { exact: true }).fill('not-the-token');
    await choose(page, 'obama-1.jpg', 'obama-2.jpg');
    await page.locator('#submit-btn').click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The bearer token was rejected (HTTP 401)', { timeout: VERDICT_TIMEOUT });
    await expect(alert).toContainText('Update it in the connection settings');
    await expect(page.getByLabel('Raw error body')).toBeVisible();
  });

  test('a text file in a slot → a warning, then the server\'s 400 after Run', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
    await page.getByLabel('Choose image2').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just some notes\n') });
    await expect(page.getByText('image2: notes.png is a text file, not a JPEG or PNG. The API will probably reject it; run anyway to see its answer.')).toBeVisible();
    await page.locator('#submit-btn').click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('HTTP 400', { timeout: VERDICT_TIMEOUT });
    await expect(alert).toContainText('The server said:');
  });

  test('Clear empties a slot and disables Run again', async ({ page }) => {
    await page.goto('/');
    await choose(page, 'obama-1.jpg', 'obama-2.jpg');
    await expect(page.locator('#submit-btn')).toBeEnabled();
    await page.getByRole('button', { name: 'Clear image2' }).click();
    await expect(page.getByText('obama-2.jpg', { exact: true })).toBeHidden();
    await expect(page.locator('#submit-btn')).toBeDisabled();
  });

  test('previews use object URLs that are revoked when replaced, cleared or unmounted', async ({ page }) => {
    await page.addInitScript(() => {
      const live = new Set<string>();
      (window as unknown as { liveUrls: Set<string> }).liveUrls = live;
      const create = URL.createObjectURL.bind(URL);
      const revoke = URL.revokeObjectURL.bind(URL);
      URL.createObjectURL = (obj: Blob | MediaSource) => { const u = create(obj); live.add(u); return u; };
      URL.revokeObjectURL = (u: string) => { live.delete(u); revoke(u); };
    });
    const liveCount = () => page.evaluate(() => (window as unknown as { liveUrls: Set<string> }).liveUrls.size);
    await page.goto('/');
    await choose(page, 'obama-1.jpg', 'obama-2.jpg');
    await expect.poll(liveCount).toBe(2);
    await page.getByLabel('Choose image1').setInputFiles(facePath('biden-1.jpg'));
    await expect(page.getByRole('img', { name: 'Preview of biden-1.jpg' })).toBeVisible();
    await expect.poll(liveCount).toBe(2);
    await page.getByRole('button', { name: 'Clear image2' }).click();
    await expect.poll(liveCount).toBe(1);
    await page.getByRole('button', { name: 'Bulk', exact: true }).click();
    await expect.poll(liveCount).toBe(0);
    await page.getByRole('button', { name: 'Single', exact: true }).click();
    await expect(page.getByRole('img', { name: 'Preview of biden-1.jpg' })).toBeVisible();
    await expect.poll(liveCount).toBe(1);
  });

  test('Copy as cURL gives a command that curl runs to the same verdict', async ({ page, context, server }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto('/');
    await choose(page, 'obama-1.jpg', 'obama-3.jpg');
    // Masked by default: the preview and a copy without secrets never show the token.
    await expect(page.getByLabel('cURL command')).toContainText('Authorization: Bearer <hidden>');
    await page.getByRole('button', { name: 'Copy as cURL' }).click();
    await expect(page.getByText('Copied', { exact: true })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('<hidden>');

    await expect(page.getByLabel('cURL command')).toHaveText(await page.evaluate(() => navigator.clipboard.readText()));

    // With "Include secrets" on, the preview shows exactly what is copied: the token.
    await page.getByLabel('Include secrets').check();
    await expect(page.getByLabel('cURL command')).toContainText(`Authorization: Bearer ${server.config.token}`);
    await page.getByRole('button', { name: 'Copy as cURL' }).click();
    const command = await page.evaluate(() => navigator.clipboard.readText());
    await expect(page.getByLabel('cURL command')).toHaveText(command);
    expect(command).toMatch(/^curl /);
    expect(command).toContain(`${server.url}/facematch`);
    expect(command).toContain('image1=@obama-1.jpg');
    expect(command).toContain(`Bearer ${server.config.token}`);

    await page.locator('#submit-btn').click();
    await expect(page.getByTestId('verdict')).toHaveText(/MATCH/, { timeout: VERDICT_TIMEOUT });
    const uiVerdict = await page.getByTestId('verdict').textContent();

    const { stdout } = await exec('bash', ['-c', command], { cwd: FACES_DIR, timeout: 90_000 });
    const verdict = readVerdict(kwikid, JSON.parse(stdout));
    expect(verdict).not.toBeNull();
    expect(verdict!.match ? 'MATCH' : 'NO MATCH').toBe(uiVerdict);
  });

  test('Deepvue: Get token fills the token and the call reads data.match', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Provider').selectOption({ label: 'Deepvue' });
    await expect(page.getByLabel('Choose file_a')).toBeAttached();
    await expect(page.getByLabel('Client ID')).toHaveValue('demo-client');
    await page.getByRole('button', { name: 'Get token' }).click();
    await expect(page.getByText(/Token received and filled in/)).toBeVisible();
    await expect(page.getByLabel('Bearer token', { exact: true })).not.toHaveValue('');
    await page.getByLabel('Choose file_a').setInputFiles(facePath('obama-1.jpg'));
    await page.getByLabel('Choose file_b').setInputFiles(facePath('obama-2.jpg'));
    await page.locator('#submit-btn').click();
    await expect(page.getByTestId('verdict')).toHaveText('MATCH', { timeout: VERDICT_TIMEOUT });
    await expect(page.getByText(/^\d+(\.\d)? \/ 100 \(\d+\.\d %\)$/)).toBeVisible();
  });

  test('Show / Hide reveals the masked token', async ({ page }) => {
    await page.goto('/');
    const token = page.getByLabel('Bearer token', { exact: true });
    await expect(token).toHaveAttribute('type', 'password');
    await page.getByRole('button', { name: 'Show Bearer token' }).click();
    await expect(token).toHaveAttribute('type', 'text');
    await page.getByRole('button', { name: 'Hide Bearer token' }).click();
    await expect(token).toHaveAttribute('type', 'password');
  });
});

test.describe('a slow server', () => {
  // A worker-scoped option cannot change inside a file, so this test starts its own slow server.
  let slow: Awaited<ReturnType<typeof startServer>>;
  test.beforeAll(async () => {
    slow = await startServer({ port: 0, staticDir: path.join(REPO_ROOT, 'dist'), latencyMs: 3000, engine: 'instant' });
  });
  test.afterAll(async () => {
    await slow?.close();
  });

  test('Cancel aborts the call in flight', async ({ page }) => {
    await page.goto(slow.url);
    await choose(page, 'obama-1.jpg', 'obama-2.jpg');
    await page.locator('#submit-btn').click();
    await expect(page.getByRole('progressbar', { name: 'Calling the API' })).toBeVisible();
    await expect(page.getByText(/Waiting for the API… \d+\.\d s/)).toBeVisible();
    await expect(page.locator('#submit-btn')).toBeDisabled();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText('The call was cancelled before an answer arrived.')).toBeVisible();
    await expect(page.getByRole('progressbar')).toBeHidden();
    await expect(page.getByTestId('verdict')).toBeHidden();
    await expect(page.locator('#submit-btn')).toBeEnabled();
  });
});
