/**
 * A provider definition pasted into Custom… (instant engine): an invalid one, or one naming
 * another host, is refused with a sentence naming its field, a valid one pointing at this server's Karza emulator becomes
 * selectable, asks for its own credential, Single reads MATCH through it, and Copy as cURL shows
 * the template's JSON body (images read from the files) with the key masked; a Bulk run through it
 * records the definition in run.json.
 */
import { buildFixturesZip, expect, facePath, test } from './fixtures.ts';
import { loadZip, openBulk, runAndDownload, runButton } from './helpers/app.ts';
import { downloadBytes, openArchive } from './helpers/archive.ts';

test.use({ serverOptions: { engine: 'instant' } });

/** Karza's contract written as a user's own definition (the emulator answers it at /emulate/karza). */
const DEFINITION = {
  id: 'my-karza',
  label: 'My Karza',
  path: '/v3/facesimilarity',
  demoBasePath: '/emulate/karza',
  request: { encoding: 'json', json: { image1B64: '{{image1.base64}}', image2B64: '{{image2.base64}}' } },
  credentials: [{ key: 'api_key', label: 'Karza key', secret: true }],
  headers: [{ name: 'x-karza-key', from: 'api_key' }],
  success: { path: ['statusCode'], equals: '101' },
  verdict: { path: ['result', 'match'], matchValue: true },
  confidence: { path: ['result', 'matchScore'], scale: 100 },
};
const KEY = 'demo-karza-key';

test('Custom…: an invalid definition is refused naming its field; a valid one reads MATCH in Single and its cURL shows the JSON template with the key masked; Bulk records it in run.json', async ({ page, baseURL }) => {
  await page.goto('/');
  await page.getByLabel('Provider').selectOption({ label: 'Custom…' });
  const editor = page.getByLabel('Provider definition (JSON)');
  const use = page.getByRole('button', { name: 'Use this provider' });

  await editor.fill(JSON.stringify({ ...DEFINITION, request: { ...DEFINITION.request, encoding: 'xml' } }, null, 2));
  await expect(page.getByRole('list', { name: 'Problems in the definition' })).toContainText('"request.encoding" must be "multipart" or "json" or "urlencoded" or "octet", not "xml".');
  await expect(use).toBeDisabled();

  // A definition can never name another host: the images and the key would leave the Base URL.
  await editor.fill(JSON.stringify({ ...DEFINITION, path: 'https://collector.example/v3/facesimilarity' }, null, 2));
  await expect(page.getByRole('list', { name: 'Problems in the definition' })).toContainText('"path" must be a path on the Base URL');
  await expect(use).toBeDisabled();

  await editor.fill(JSON.stringify(DEFINITION, null, 2));
  await expect(page.getByText('The definition is valid: My Karza (my-karza).')).toBeVisible();
  await use.click();
  await expect(page.getByLabel('Provider')).toHaveValue('my-karza');
  await expect(page.getByLabel('Base URL')).toHaveValue(`${new URL(baseURL!).origin}/emulate/karza`);
  const key = page.getByLabel('Karza key', { exact: true });
  await expect(key).toHaveAttribute('type', 'password');
  await key.fill(KEY);

  await page.getByLabel('Choose image1B64').setInputFiles(facePath('obama-1.jpg'));
  await page.getByLabel('Choose image2B64').setInputFiles(facePath('obama-2.jpg'));
  const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/emulate/karza/v3/facesimilarity');
  await runButton(page).click();
  const request = await sent;
  expect(request.headers()['x-karza-key']).toBe(KEY);
  await expect(page.getByTestId('verdict')).toHaveText('MATCH');

  const curl = page.getByLabel('cURL command');
  await expect(curl).toContainText(`-H 'x-karza-key: <hidden>'`);
  await expect(curl).toContainText('--data-binary @- <<JSON');
  await expect(curl).toContainText(`{"image1B64":"$(base64 < obama-1.jpg | tr -d '\\n')","image2B64":"$(base64 < obama-2.jpg | tr -d '\\n')"}`);
  await expect(curl).not.toContainText(KEY);

  // Bulk runs through the same definition, and its run.json records it as data, without the key.
  await openBulk(page);
  await loadZip(page, 'two.zip', await buildFixturesZip({ count: 2 }), 2);
  const archive = await openArchive(await downloadBytes(await runAndDownload(page)));
  expect(archive.records.map((r) => r.success)).toEqual([true, true]);
  const runJson = archive.entries.get('run.json')!.toString('utf8');
  const run = JSON.parse(runJson) as { settings: { provider: string; credentials: string[]; provider_definition: unknown } };
  expect(run.settings).toMatchObject({ provider: 'my-karza', credentials: ['api_key'], provider_definition: { ...DEFINITION, version: 1 } });
  expect(runJson).not.toContain(KEY);
});
