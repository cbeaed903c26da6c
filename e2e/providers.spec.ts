/**
 * A vendor preset other than KwikID, end to end in the browser against this server's emulator
 * (instant engine): Face++ chosen in Settings follows the Server to /emulate/facepp with its demo
 * credentials, Single reads Face++'s score-against-threshold verdict, and a Bulk run's run.json
 * names the provider.
 */
import { buildFixturesZip, expect, facePath, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload, runButton } from './helpers/app.ts';
import { downloadBytes, openArchive } from './helpers/archive.ts';

test.use({ serverOptions: { engine: 'instant' } });

test('Face++: Single against the emulator reads MATCH; a Bulk run names facepp in run.json', async ({ page, baseURL }) => {
  await page.goto('/');
  await page.getByLabel('Provider').selectOption({ label: 'Face++ Compare' });
  await expect(page.getByLabel('Base URL')).toHaveValue(`${new URL(baseURL).origin}/emulate/facepp`);
  await expect(page.getByLabel('API key', { exact: true })).toHaveValue('demo-facepp-key');

  await page.getByLabel('Choose image_file1').setInputFiles(facePath('obama-1.jpg'));
  await page.getByLabel('Choose image_file2').setInputFiles(facePath('obama-2.jpg'));
  const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/emulate/facepp/facepp/v3/compare');
  await runButton(page).click();
  await sent;
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');

  await openBulk(page);
  await loadZip(page, 'two.zip', await buildFixturesZip({ count: 2 }), 2);
  const archive = await openArchive(await downloadBytes(await runAndDownload(page)));
  expect(archive.records.map((r) => r.success)).toEqual([true, true]);
  const run = JSON.parse(archive.entries.get('run.json')!.toString('utf8')) as { settings: { provider: string; provider_label: string; credentials: string[] } };
  expect(run.settings).toMatchObject({ provider: 'facepp', provider_label: 'Face++ Compare' });
  // The credentials are named, never their values.
  expect(archive.entries.get('run.json')!.toString('utf8')).not.toContain('demo-facepp-secret');
});
