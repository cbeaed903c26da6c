import { test, expect } from './fixtures.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('the app shell loads with the Run button and the Single / Bulk toggle', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Facematch Playground' })).toBeVisible();
  const run = page.locator('#submit-btn');
  await expect(run).toBeVisible();
  await expect(run).toHaveAccessibleName('Run');
  await expect(page.getByRole('button', { name: 'Single', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Bulk', exact: true })).toBeVisible();
  // The toggle sits to the right of Run, as in the Playground document.
  const runBox = await run.boundingBox();
  const toggleBox = await page.getByRole('group', { name: 'Mode' }).boundingBox();
  expect(toggleBox!.x).toBeGreaterThan(runBox!.x + runBox!.width - 1);
});
