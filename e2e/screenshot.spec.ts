/** `npm run screenshot`: docs/single-mode.png — Single mode with a MATCH verdict at 1280×900. */
import path from 'node:path';
import { test, expect, facePath, REPO_ROOT } from './fixtures.ts';

test.use({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });

test('Single mode with a MATCH verdict', async ({ page, request, server }) => {
  // Wait for the real engine's models so the picture shows a warm round trip.
  await expect.poll(async () => {
    const health = (await (await request.get(`${server.url}/health`)).json()) as { engine?: { state?: string } };
    return health.engine?.state;
  }, { timeout: 120_000 }).toBe('ready');
  await page.goto('/');
  await page.getByLabel('unique_id').fill('kyc-demo-001');
  await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
  await page.getByLabel('Choose image2').setInputFiles(facePath('obama-2.jpg'));
  await page.locator('#submit-btn').click();
  await expect(page.getByTestId('verdict')).toHaveText('MATCH', { timeout: 90_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(REPO_ROOT, 'docs', 'single-mode.png') });
});
