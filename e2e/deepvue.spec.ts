/**
 * The Deepvue contract end to end: client credentials → Get token → Single and Bulk with the real
 * engine (file_a / file_b, confidence 0–100 shown normalised), a token that expires mid-run and is
 * refreshed, and a 401 that a refresh cannot fix, which stops the run with an archive of what was done.
 */
import type { Page } from '@playwright/test';
import { buildFixturesZip, expect, expectedVerdicts, facePath, test } from './fixtures.ts';
import { downloadBytes, openArchive, type ArchiveRecord } from './helpers/archive.ts';
import {
  FINISHED_TEXT, STOPPED_TEXT, loadZip, openBulk, ownServer, runAndDownload, runButton, selectProvider, summaryFigure, waitForEngine,
} from './helpers/app.ts';

// The worker's own server runs the real face engine; the describes below that need other server
// options start their own (worker-scoped options cannot change per describe).
test.use({ serverOptions: { engine: 'real' } });

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

interface DeepvueBody {
  code: number;
  transaction_id: string;
  data: { match: boolean; confidence: number };
}

/** Selects Deepvue, checks the demo client credentials are pre-filled, presses Get token; returns the token. */
async function connectDeepvue(page: Page): Promise<string> {
  await selectProvider(page, 'Deepvue');
  await expect(page.getByLabel('Client ID', { exact: true })).toHaveValue('demo-client');
  await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('demo-secret');
  const token = page.getByLabel('Bearer token', { exact: true });
  await expect(token).toHaveValue('');
  await page.getByRole('button', { name: 'Get token' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Token received' })).toContainText('Token received and filled in.');
  await expect(token).toHaveValue(JWT);
  return token.inputValue();
}

function deepvueBody(r: ArchiveRecord): DeepvueBody {
  return r.body as DeepvueBody;
}

test.describe('Deepvue with the real engine', () => {
  test.beforeEach(async ({ page, baseURL }) => {
    await waitForEngine(page, baseURL);
  });

  test('Get token fills the bearer token; Single shows MATCH / NO MATCH with the 0–100 confidence normalised', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto('/');
    await connectDeepvue(page);

    // The slots are named after the contract's multipart fields.
    await expect(page.getByRole('heading', { name: 'file_a', exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'file_b', exact: true })).toBeVisible();
    await expect(page.getByText('POST /v1/facematch').first()).toBeVisible();

    await page.getByLabel('Choose file_a').setInputFiles(facePath('obama-1.jpg'));
    await page.getByLabel('Choose file_b').setInputFiles(facePath('obama-2.jpg'));

    const requestPromise = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/facematch'));
    await runButton(page).click();
    const request = await requestPromise;
    const headers = await request.allHeaders();
    expect(headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(headers['x-api-key']).toBe('demo-secret');
    expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);

    const verdict = page.getByTestId('verdict');
    await expect(verdict).toHaveText('MATCH', { timeout: 60_000 });
    const body = JSON.parse(await page.getByLabel('Raw JSON response').innerText()) as DeepvueBody;
    expect(body.code).toBe(200);
    expect(body.transaction_id).toEqual(expect.any(String));
    expect(body.data.match).toBe(true);
    // The raw value is on the 0–100 scale; the percentage shown is the same number, normalised.
    expect(body.data.confidence).toBeGreaterThan(1);
    expect(body.data.confidence).toBeLessThanOrEqual(100);
    const raw = Number.isInteger(body.data.confidence) ? String(body.data.confidence) : body.data.confidence.toFixed(1);
    await expect(page.getByText(`${raw} / 100 (${body.data.confidence.toFixed(1)} %)`, { exact: true })).toBeVisible();

    // Replace file_b with another person.
    await page.getByLabel('Choose file_b').setInputFiles(facePath('biden-1.jpg'));
    await runButton(page).click();
    await expect(verdict).toHaveText('NO MATCH', { timeout: 60_000 });
    const other = JSON.parse(await page.getByLabel('Raw JSON response').innerText()) as DeepvueBody;
    expect(other.data.match).toBe(false);
    expect(other.data.confidence).toBeLessThan(body.data.confidence);
    const pct = `${other.data.confidence.toFixed(1)} %`;
    await expect(page.getByText(`/ 100 (${pct})`)).toBeVisible();
  });

  test('Bulk: 16 records with the Deepvue body, verdicts as labelled, summary.xlsx holds the normalised values', async ({ page }) => {
    test.setTimeout(240_000);
    await page.goto('/');
    await connectDeepvue(page);
    await openBulk(page);
    await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
    const archive = await openArchive(await downloadBytes(await runAndDownload(page, 220_000)));

    expect(archive.records).toHaveLength(16);
    const expected = expectedVerdicts();
    for (const r of archive.records) {
      expect(r.success, `${r.pair_id}: ${r.error?.message ?? ''}`).toBe(true);
      expect(r.http_status).toBe(200);
      const body = deepvueBody(r);
      expect(body).toMatchObject({ code: 200, transaction_id: expect.any(String), data: { match: expect.any(Boolean), confidence: expect.any(Number) } });
      // No KwikID fields: the body is Deepvue's as the API sent it.
      expect(body).not.toHaveProperty('facematch_result');
      expect(body.data.confidence).toBeGreaterThanOrEqual(0);
      expect(body.data.confidence).toBeLessThanOrEqual(100);
      expect(body.data.match, `verdict of ${r.pair_id}`).toBe(expected.get(r.pair_id));
    }
    // Some confidence is above 1, so the 0–100 scale is really in use.
    expect(archive.records.some((r) => deepvueBody(r).data.confidence > 1)).toBe(true);
    expect(new Set(archive.records.map((r) => deepvueBody(r).transaction_id)).size).toBe(16);

    expect(archive.summary).toHaveLength(16);
    for (const row of archive.summary) {
      const rec = archive.byPair.get(String(row.pair_id))!;
      const body = deepvueBody(rec);
      expect(row.facematch_result).toBe(body.data.match);
      expect(typeof row.confidence_score).toBe('number');
      expect(row.confidence_score as number).toBeGreaterThanOrEqual(0);
      expect(row.confidence_score as number).toBeLessThanOrEqual(1);
      expect(row.confidence_score as number).toBeCloseTo(body.data.confidence / 100, 9);
      // The confidence as Deepvue sent it (0–100) and its transaction_id, for a vendor dispute.
      expect(row.confidence).toBe(body.data.confidence);
      expect(row.transaction_id).toBe(body.transaction_id);
    }
    expect(archive.run.get('provider')).toBe('Deepvue');
    expect(String(archive.run.get('endpoint'))).toMatch(/\/v1\/facematch$/);
    const matches = [...expected.values()].filter(Boolean).length;
    expect(archive.run.get('matches')).toBe(matches);
    expect(archive.run.get('non-matches')).toBe(16 - matches);
    await expect(summaryFigure(page, 'Matches')).toHaveText(String(matches));
  });
});

test.describe('Deepvue token expiry mid-run', () => {
  const origin = ownServer({ engine: 'instant', latencyMs: 100 });
  /** Each token works for this many calls, then the API answers as it does for an expired token. */
  const USES_PER_TOKEN = 5;

  test('the run fetches a new token when the old one expires and carries on: every pair succeeds, none is a 401', async ({ page }) => {
    const authorizeCalls: string[] = [];
    page.on('request', (r) => { if (r.url().endsWith('/v1/authorize')) authorizeCalls.push(r.method()); });
    // Expiry by use instead of by the clock, so a busy machine cannot expire a token early: the
    // server's own time-based expiry is covered by server/routes/deepvue.test.ts.
    const uses = new Map<string, number>();
    await page.route('**/v1/facematch', async (route) => {
      const auth = route.request().headers()['authorization'] ?? '';
      const used = uses.get(auth) ?? 0;
      if (used >= USES_PER_TOKEN) {
        await route.fulfill({ status: 401, json: { detail: 'Could not validate credentials' }, headers: { 'WWW-Authenticate': 'Bearer' } });
        return;
      }
      uses.set(auth, used + 1);
      await route.continue();
    });
    await page.goto(`${origin()}/`);
    const first = await connectDeepvue(page);
    await openBulk(page);
    await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
    const archive = await openArchive(await downloadBytes(await runAndDownload(page)));

    expect(archive.records).toHaveLength(16);
    for (const r of archive.records) {
      expect(r.success, `${r.pair_id}: ${r.error?.message ?? ''}`).toBe(true);
      expect(r.http_status).toBe(200);
    }
    // Pairs 6, 11 and 16 met an expired token and were sent again with a new one (the 401 counts as an attempt).
    const inOrder = [...archive.records].sort((a, b) => a.pair_id.localeCompare(b.pair_id));
    expect(inOrder.filter((r) => r.attempts === 2).map((r) => inOrder.indexOf(r) + 1)).toEqual([6, 11, 16]);
    expect(inOrder.filter((r) => r.attempts !== 2).every((r) => r.attempts === 1)).toBe(true);
    // Get token once by hand, then one refresh per expired token; each new token did its share.
    expect(authorizeCalls).toHaveLength(4);
    expect([...uses.values()]).toEqual([5, 5, 5, 1]);
    // The settings now hold the last token.
    const now = await page.getByLabel('Bearer token', { exact: true }).inputValue();
    expect(now).toMatch(JWT);
    expect(now).not.toBe(first);
    expect(uses.get(`Bearer ${now}`)).toBe(1);
    await expect(summaryFigure(page, 'Succeeded')).toHaveText('16');
    await expect(finished(page)).toBeVisible();
  });
});

test.describe('Deepvue 401 that a refresh cannot fix', () => {
  const origin = ownServer({ engine: 'instant', latencyMs: 250 });

  test('a client secret revoked mid-run: the refresh is rejected, the run stops with a clear message and a full archive', async ({ page }) => {
    await page.goto(`${origin()}/`);
    await connectDeepvue(page);
    await openBulk(page);
    await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);
    // The run uses the settings of the moment Run is pressed; the vendor revokes the secret after
    // the third call: the API key and the token request the server sees from then on are wrong.
    let calls = 0;
    await page.route('**/v1/facematch', async (route) => {
      if (++calls <= 3) return route.continue();
      return route.continue({ headers: { ...route.request().headers(), 'x-api-key': 'revoked-key' } });
    });
    await page.route('**/v1/authorize', (route) => route.continue({ postData: (route.request().postData() ?? '').replace(/client_secret=[^&]*/, 'client_secret=revoked') }));
    const downloadPromise = page.waitForEvent('download');
    await runButton(page).click();
    const archive = await openArchive(await downloadBytes(await downloadPromise));

    // A stopped run is not finished (issue #13).
    await expect(page.getByText(STOPPED_TEXT, { exact: true })).toBeVisible();
    const reason = 'The API rejected the token (HTTP 401) and getting a new one failed: The client ID or client secret was rejected (HTTP 401)';
    await expect(page.getByRole('region', { name: 'Bulk run result' })).toContainText(reason);

    expect(archive.records).toHaveLength(16);
    const ok = archive.records.filter((r) => r.success);
    const rejected = archive.records.filter((r) => !r.success && r.error!.type === 'http');
    const notRun = archive.records.filter((r) => !r.success && r.error!.type === 'not_run');
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(rejected).toHaveLength(1);
    expect(ok.length + rejected.length + notRun.length).toBe(16);
    const bad = rejected[0]!;
    expect(bad.http_status).toBe(401);
    expect(bad.error_body).toEqual({ detail: 'Invalid API key' });
    // Sent in order: the successes, then the rejected pair, then the rest never sent.
    const order = archive.records.map((r) => r.pair_id).sort();
    expect(order.indexOf(bad.pair_id)).toBe(ok.length);
    for (const r of notRun) {
      expect(order.indexOf(r.pair_id)).toBeGreaterThan(ok.length);
      expect(r.attempts).toBe(0);
      expect(r.error!.message).toContain(`HTTP 401) on pair ${bad.pair_id}`);
    }
    expect(String(archive.run.get('stop reason'))).toContain('getting a new one failed');
    expect(archive.run.get('not run')).toBe(notRun.length);
    await expect(summaryFigure(page, 'Not run')).toHaveText(String(notRun.length));
  });

  test('a second 401 right after a successful refresh stops the run instead of refreshing again', async ({ page }) => {
    const authorizeCalls: string[] = [];
    page.on('request', (r) => { if (r.url().endsWith('/v1/authorize')) authorizeCalls.push(r.method()); });
    await page.goto(`${origin()}/`);
    await connectDeepvue(page);
    await openBulk(page);
    await loadZip(page, 'faces.zip', await buildFixturesZip(), 16);

    // From the fourth call on, the API key that reaches the server is wrong whatever the browser sends,
    // so the real server answers 401 even to a freshly issued token.
    let calls = 0;
    await page.route('**/v1/facematch', async (route) => {
      calls++;
      if (calls <= 3) return route.continue();
      return route.continue({ headers: { ...route.request().headers(), 'x-api-key': 'revoked-key' } });
    });

    const downloadPromise = page.waitForEvent('download');
    await runButton(page).click();
    const archive = await openArchive(await downloadBytes(await downloadPromise));
    await expect(page.getByText(STOPPED_TEXT, { exact: true })).toBeVisible();
    const reason = 'The API rejected the new token too (HTTP 401), so the run was stopped.';
    await expect(page.getByRole('region', { name: 'Bulk run result' })).toContainText(reason);
    // Get token by hand, one refresh, and no more.
    expect(authorizeCalls).toHaveLength(2);
    expect(calls).toBe(5);

    expect(archive.records).toHaveLength(16);
    const byId = [...archive.records].sort((a, b) => a.pair_id.localeCompare(b.pair_id));
    for (const r of byId.slice(0, 3)) expect(r.success).toBe(true);
    const fourth = byId[3]!;
    expect(fourth.success).toBe(false);
    expect(fourth.http_status).toBe(401);
    expect(fourth.attempts).toBe(2);
    for (const r of byId.slice(4)) {
      expect(r.error?.type).toBe('not_run');
      expect(r.attempts).toBe(0);
    }
    expect(String(archive.run.get('stop reason'))).toContain('rejected the new token too');
    expect(archive.run.get('not run')).toBe(12);
  });
});

function finished(page: Page) {
  return page.getByText(FINISHED_TEXT, { exact: true });
}
