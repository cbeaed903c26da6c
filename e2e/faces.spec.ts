/** Face boxes in Single previews, from the reference server's POST /faces on the page's own origin. */
import { test, expect, facePath } from './fixtures.ts';

/** The real engine may still be loading its models on the first call. */
const ENGINE_TIMEOUT = 90_000;

test.describe('Single previews: faces found by the reference engine', () => {
  test('two-people.jpg: both faces boxed, the larger marked as compared, and the sentence before Run', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Choose image1').setInputFiles(facePath('obama-1.jpg'));
    await page.getByLabel('Choose image2').setInputFiles(facePath('two-people.jpg'));

    const boxes2 = page.getByRole('img', { name: /^2 faces found in image2; face \d from the left, the largest, is compared$/ });
    await expect(boxes2).toBeVisible({ timeout: ENGINE_TIMEOUT });
    await expect(boxes2.locator('rect')).toHaveCount(2);
    await expect(boxes2.locator('[data-used] rect')).toHaveCount(1);
    await expect(boxes2).toContainText('compared');
    await expect(page.getByRole('img', { name: '1 face found in image1, the one compared' })).toBeVisible();

    await expect(page.getByRole('status').filter({ hasText: 'faces found' }))
      .toHaveText('2 faces found in image2: the reference engine compares the larger; a vendor may pick another.');

    // One face in both: the sentence goes.
    await page.getByLabel('Choose image2').setInputFiles(facePath('obama-2.jpg'));
    await expect(page.getByRole('img', { name: '1 face found in image2, the one compared' })).toBeVisible({ timeout: ENGINE_TIMEOUT });
    await expect(page.getByText(/faces found in image2/)).toHaveCount(0);
  });
});
