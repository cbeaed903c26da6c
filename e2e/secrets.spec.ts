/**
 * Secrets stay secret: with a distinctive KwikID token and Deepvue client secret, a Single call and a
 * Bulk run leave neither (nor the issued Deepvue token) in the downloaded archive — raw bytes, every
 * entry, every part of summary.xlsx — nor in the URL, the console or local storage (unless the user
 * opts in), and Copy as cURL masks them by default. The page sends a CSP, loads nothing from other
 * hosts, talks only to the configured API origin, and revokes image preview object URLs.
 */
import { readFileSync } from 'node:fs';
import type { ConsoleMessage, Page, Request } from '@playwright/test';
import { buildFixturesZip, expect, facePath, test } from './fixtures.ts';
import { downloadBytes, openArchive, placesHolding } from './helpers/archive.ts';
import { loadZip, openBulk, runAndDownload, runButton, selectProvider } from './helpers/app.ts';
import { DEFAULT_TOKEN } from '../src/core/contracts/defaults.ts';

const TOKEN = 'tok-SECRET-4c1d';
const CLIENT_ID = 'client-7f3e';
const CLIENT_SECRET = 'dv-SECRET-90ab';
const STORAGE_KEY = 'facematch-playground:settings';

test.use({
  serverOptions: {
    engine: 'instant',
    token: TOKEN,
    deepvue: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenTtlSeconds: 3600, jwtSecret: 'e2e-signing-key-0123456789abcdef' },
  },
});

/** Everything the page said or did that a secret must not reach. */
interface Watch {
  console: string[];
  requests: Request[];
}

function watch(page: Page): Watch {
  const w: Watch = { console: [], requests: [] };
  page.on('console', (m: ConsoleMessage) => w.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => w.console.push(`pageerror: ${e.message}`));
  page.on('request', (r) => w.requests.push(r));
  return w;
}

async function storageDump(page: Page): Promise<string> {
  return page.evaluate(() => {
    const dump = (s: Storage) => Array.from({ length: s.length }, (_, i) => {
      const k = s.key(i)!;
      return `${k}=${s.getItem(k) ?? ''}`;
    }).join('\n');
    return `${dump(localStorage)}\n${dump(sessionStorage)}\n${document.cookie}`;
  });
}

async function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Clicks "Copy as cURL" and returns what reached the clipboard. */
async function copyCurl(page: Page): Promise<string> {
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await page.getByRole('button', { name: 'Copy as cURL' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Copied$/ })).toBeVisible();
  return readClipboard(page);
}

async function runSingle(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Single', exact: true }).click();
  const [a, b] = (await page.getByLabel(/^Choose (image1|file_a|image2|file_b)$/).all());
  await a!.setInputFiles(facePath('obama-1.jpg'));
  await b!.setInputFiles(facePath('obama-2.jpg'));
  await runButton(page).click();
  await expect(page.getByTestId('verdict')).toHaveText(/^(MATCH|NO MATCH)$/);
}

function expectNowhere(secret: string, where: Record<string, string>): void {
  for (const [name, text] of Object.entries(where)) expect(text.includes(secret), `${secret} in ${name}`).toBe(false);
}

test('the served page sends a CSP and loads nothing from another host', async ({ page, baseURL }) => {
  const w = watch(page);
  const response = await page.goto('/');
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toBeDefined();
  const directives = new Map(csp!.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v]));
  expect(directives.get('default-src')).toEqual(["'self'"]);
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(directives.get('object-src')).toEqual(["'none'"]);
  expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  await expect(page.getByRole('heading', { name: 'Facematch Playground' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  const origin = new URL(baseURL).origin;
  expect(w.requests.length).toBeGreaterThan(1);
  expect(w.requests.map((r) => r.url()).filter((u) => new URL(u).origin !== origin && !/^(data|blob):/.test(u))).toEqual([]);
  // The app's own code ran without CSP violations.
  expect(w.console.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
});

test('KwikID: the token reaches no archive, URL, console message, storage or default cURL; bulk calls go to the API origin only', async ({ page, context, baseURL }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const w = watch(page);
  await page.goto('/');
  await page.getByLabel('Bearer token', { exact: true }).fill(TOKEN);
  await expect(page.getByLabel('Remember on this device')).not.toBeChecked();

  await runSingle(page);
  // Copy as cURL masks the token by default…
  const masked = await copyCurl(page);
  expect(masked).toContain("-H 'Authorization: Bearer <hidden>'");
  expect(masked).toContain(`${baseURL}/facematch`);
  expect(masked).not.toContain(TOKEN);
  await expect(page.getByLabel('cURL command')).not.toContainText(TOKEN);
  // …and includes it only when asked.
  // The preview shows what is copied: the token, once the user opts in.
  await page.getByLabel('Include secrets').check();
  const withSecrets = await copyCurl(page);
  expect(withSecrets).toContain(`Authorization: Bearer ${TOKEN}`);
  await expect(page.getByLabel('cURL command')).toHaveText(withSecrets);
  await page.getByLabel('Include secrets').uncheck();
  await expect(page.getByLabel('cURL command')).not.toContainText(TOKEN);

  await openBulk(page);
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  const firstRunRequest = w.requests.length;
  const download = await runAndDownload(page);
  const runRequests = w.requests.slice(firstRunRequest);
  const archive = await openArchive(await downloadBytes(download));
  expect(archive.records).toHaveLength(16);
  expect(archive.records.every((r) => r.success)).toBe(true);

  // The scan does look inside: a pair id is found in its JSON and in the workbook's XML.
  expect(placesHolding(archive, 'pair07')).toEqual(expect.arrayContaining(['results/pair07.json', expect.stringMatching(/^summary\.xlsx!xl\//)]));
  expect(placesHolding(archive, TOKEN)).toEqual([]);
  expectNowhere(TOKEN, { 'page URL': page.url(), console: w.console.join('\n'), storage: await storageDump(page) });
  expect(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY)).toBeNull();

  // During the run, every request the page made went to the configured API origin.
  const origin = new URL(baseURL).origin;
  const calls = runRequests.filter((r) => r.url().startsWith('http'));
  expect(calls.filter((r) => r.url() === `${origin}/facematch`).length).toBeGreaterThanOrEqual(16);
  expect(calls.map((r) => r.url()).filter((u) => new URL(u).origin !== origin)).toEqual([]);
  expect(runRequests.map((r) => r.url()).filter((u) => !u.startsWith(origin) && !u.startsWith('blob:'))).toEqual([]);
});

test('Deepvue: the client secret and the issued token reach no archive, URL, console message, storage or default cURL', async ({ page, context, baseURL }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const w = watch(page);
  await page.goto('/');
  await selectProvider(page, 'Deepvue');
  await page.getByLabel('Client ID', { exact: true }).fill(CLIENT_ID);
  await page.getByLabel('Client secret', { exact: true }).fill(CLIENT_SECRET);
  await page.getByRole('button', { name: 'Get token' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Token received' })).toBeVisible();
  const jwt = await page.getByLabel('Bearer token', { exact: true }).inputValue();
  expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

  await runSingle(page);
  const masked = await copyCurl(page);
  expect(masked).toContain("-H 'Authorization: Bearer <hidden>'");
  expect(masked).toContain("-H 'x-api-key: <hidden>'");
  expect(masked).toContain('file_a=@obama-1.jpg');
  expectNowhere(CLIENT_SECRET, { cURL: masked });
  expectNowhere(jwt, { cURL: masked });

  await openBulk(page);
  await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
  const archive = await openArchive(await downloadBytes(await runAndDownload(page)));
  expect(archive.records.every((r) => r.success)).toBe(true);

  for (const secret of [CLIENT_SECRET, jwt]) {
    expect(placesHolding(archive, secret), `places holding ${secret.slice(0, 12)}…`).toEqual([]);
    expectNowhere(secret, { 'page URL': page.url(), console: w.console.join('\n'), storage: await storageDump(page) });
  }
  // The JWT's signature part alone would be just as bad.
  expect(placesHolding(archive, jwt.split('.')[2]!)).toEqual([]);
  // The token request carried the secret in its body, never in the URL.
  const authorize = w.requests.filter((r) => new URL(r.url()).pathname === '/v1/authorize');
  expect(authorize).toHaveLength(1);
  expect(authorize[0]!.url()).toBe(`${baseURL}/v1/authorize`);
  for (const r of w.requests) expectNowhere(CLIENT_SECRET, { [`URL ${r.url()}`]: r.url() });
});

test('"Remember on this device" stores the token only when turned on, and turning it off removes it', async ({ page }) => {
  await page.goto('/');
  const token = page.getByLabel('Bearer token', { exact: true });
  const remember = page.getByLabel('Remember on this device');
  await token.fill(TOKEN);
  await expect(remember).not.toBeChecked();
  expectNowhere(TOKEN, { storage: await storageDump(page) });

  await remember.check();
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY)).toContain(TOKEN);
  await page.reload();
  await expect(token).toHaveValue(TOKEN);
  await expect(remember).toBeChecked();

  await remember.uncheck();
  await expect.poll(() => page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY)).toBeNull();
  await page.reload();
  await expect(token).not.toHaveValue(TOKEN);
  expectNowhere(TOKEN, { storage: await storageDump(page) });
});

test('a preview object URL is revoked when its slot is replaced or cleared', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __created: string[]; __revoked: string[] };
    w.__created = [];
    w.__revoked = [];
    const create = URL.createObjectURL.bind(URL);
    const revoke = URL.revokeObjectURL.bind(URL);
    URL.createObjectURL = (obj: Blob | MediaSource) => {
      const url = create(obj);
      w.__created.push(url);
      return url;
    };
    URL.revokeObjectURL = (url: string) => {
      w.__revoked.push(url);
      revoke(url);
    };
  });
  const log = () => page.evaluate(() => {
    const w = window as unknown as { __created: string[]; __revoked: string[] };
    return { created: [...w.__created], revoked: [...w.__revoked] };
  });
  await page.goto('/');
  const input = page.getByLabel('Choose image1');

  await input.setInputFiles(facePath('obama-1.jpg'));
  const first = page.getByRole('img', { name: 'Preview of obama-1.jpg' });
  await expect(first).toHaveAttribute('src', /^blob:/);
  const firstUrl = (await first.getAttribute('src'))!;
  expect((await log()).created).toContain(firstUrl);
  expect((await log()).revoked).not.toContain(firstUrl);

  // Replaced: the old preview's URL is revoked, the new one shown.
  await input.setInputFiles(facePath('biden-1.jpg'));
  const second = page.getByRole('img', { name: 'Preview of biden-1.jpg' });
  await expect(second).toHaveAttribute('src', /^blob:/);
  const secondUrl = (await second.getAttribute('src'))!;
  expect(secondUrl).not.toBe(firstUrl);
  await expect.poll(async () => (await log()).revoked).toContain(firstUrl);
  expect((await log()).revoked).not.toContain(secondUrl);

  // Replaced by a file with the same name: still a fresh URL, the old one revoked.
  await input.setInputFiles({ name: 'biden-1.jpg', mimeType: 'image/jpeg', buffer: readFileSync(facePath('biden-2.jpg')) });
  await expect.poll(async () => (await log()).revoked).toContain(secondUrl);
  await expect(second).toHaveAttribute('src', /^blob:/);
  expect(await second.getAttribute('src')).not.toBe(secondUrl);

  // Cleared: every preview URL made for the slot is revoked and none is shown.
  await page.getByRole('button', { name: 'Clear image1' }).click();
  await expect(page.getByRole('img', { name: /^Preview of / })).toHaveCount(0);
  const { created, revoked } = await log();
  expect(created.length).toBeGreaterThanOrEqual(3);
  expect(created.filter((u) => !revoked.includes(u))).toEqual([]);
});

test('a Base URL with a user name and password is refused in the settings and never repeated by a message or cURL', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const w = watch(page);
  await page.goto('/');
  const url = new URL(baseURL);
  const withUser = `${url.protocol}//qa-user:PW-9d2e@${url.host}`;
  await page.getByLabel('Base URL').fill(withUser);
  await expect(page.getByText('Base URL: remove the user name and password from the address. Put credentials in the token fields, not in the URL.')).toBeVisible();
  await expect(page.getByLabel('Base URL')).toHaveAttribute('aria-invalid', 'true');

  // A custom Base URL does not get the demo token: type it, so only the URL can stop the call.
  await page.getByLabel('Bearer token', { exact: true }).fill(DEFAULT_TOKEN);
  await page.getByRole('button', { name: 'Single', exact: true }).click();
  const [a, b] = (await page.getByLabel(/^Choose (image1|image2)$/).all());
  await a!.setInputFiles(facePath('obama-1.jpg'));
  await b!.setInputFiles(facePath('obama-2.jpg'));
  await runButton(page).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Not sent.' });
  await expect(alert).toContainText('Put credentials in the token fields, not in the URL.');
  await page.getByLabel('Include secrets').check();
  const curl = await copyCurl(page);
  expect(curl).toContain(`${baseURL}/facematch`);
  expectNowhere('PW-9d2e', { curl, alert: await alert.innerText(), console: w.console.join('\n'), 'page URL': page.url() });
  // Nothing was sent with the password.
  expect(w.requests.map((r) => r.url()).filter((u) => u.includes('PW-9d2e'))).toEqual([]);

  await page.getByLabel('Base URL').fill(`${baseURL}/?api_key=K3Y-77`);
  await expect(page.getByText(/^Base URL: remove a query string \("\?…"\); the playground adds the API path to the Base URL/)).toBeVisible();
});
