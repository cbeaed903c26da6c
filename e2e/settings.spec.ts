/**
 * A setting the user typed and the page did not accept blocks Run, in Single and in Bulk: the header
 * says which field to fix, and neither a click nor Ctrl+Enter sends a call with the last accepted value.
 */
import type { Page } from '@playwright/test';
import { buildFixturesZip, expect, facePath, test } from './fixtures.ts';
import { loadZip, openBulk, runButton } from './helpers/app.ts';

test.use({ serverOptions: { engine: 'instant' } });

/** Counts the calls the page sends to the face-match endpoint. */
function countCalls(page: Page): () => number {
  let calls = 0;
  page.on('request', (req) => { if (new URL(req.url()).pathname === '/facematch') calls++; });
  return () => calls;
}

test('Single: Timeout 0.3 makes Run aria-disabled with "Fix Timeout (s): …", and nothing is sent', async ({ page }) => {
  const calls = countCalls(page);
  await page.goto('/');
  await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
  await page.getByLabel('Choose image2').setInputFiles(facePath('obama-2.jpg'));
  await expect(runButton(page)).toBeEnabled();

  const timeout = page.getByLabel('Timeout (s)', { exact: true });
  await timeout.fill('0.3');
  await expect(timeout).toHaveAttribute('aria-invalid', 'true');
  await expect(runButton(page)).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByRole('banner')).toContainText('Fix Timeout (s): enter a number from 1 to 600.');
  // It stays focusable (aria-disabled): Enter on it and Ctrl+Enter anywhere both do nothing.
  await runButton(page).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('verdict')).toHaveCount(0);
  expect(calls()).toBe(0);

  await timeout.fill('5');
  await expect(runButton(page)).toBeEnabled();
  await runButton(page).click();
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');
  expect(calls()).toBe(1);
});

test('Bulk: Max requests per second 2.5 blocks Run with the reason; empty (no limit) is accepted', async ({ page }) => {
  const calls = countCalls(page);
  await openBulk(page, '/');
  await loadZip(page, 'pairs.zip', await buildFixturesZip({ count: 2 }), 2);

  const rate = page.getByLabel('Max requests per second', { exact: true });
  await rate.fill('2.5');
  await expect(runButton(page)).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByRole('banner')).toContainText('Fix Max requests per second: enter a whole number from 1 to 1000, or leave it empty.');
  // It stays focusable (aria-disabled): Enter on it and Ctrl+Enter anywhere both do nothing.
  await runButton(page).focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByRole('progressbar', { name: 'Pairs processed' })).toHaveCount(0);
  expect(calls()).toBe(0);

  await rate.fill('');
  await expect(runButton(page)).toBeEnabled();
});
