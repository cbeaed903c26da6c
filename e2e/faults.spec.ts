/**
 * A 200-pair bulk run against a server that injects faults (seeded, so the run is the same every
 * time): every pair ends in exactly one record, each fault shows up as its own record type with the
 * attempts it took, transient faults recovered by retries are successes, and summary.xlsx adds up.
 */
import type { Request } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { openArchive, downloadBytes, type ArchiveRecord } from './helpers/archive.ts';
import { loadZip, openBulk, runAndDownload, setNumber, summaryFigure } from './helpers/app.ts';
import { buildPairsZip } from './helpers/images.ts';

const FAULTS = '500:0.1,429:0.05,hang:0.05,reset:0.02,html502:0.02,badjson:0.02';
test.use({ serverOptions: { engine: 'instant', faults: FAULTS, faultSeed: 7 } });

const PAIRS = 200;
const TIMEOUT_S = 2;
const RETRIES = 2;

/** What the page saw for one POST /facematch, in the order the calls were made. */
interface Attempt {
  status: number | null;
  /** The server's x-facematch-fault header, 'none' for a normal answer, 'no-response' when the call failed. */
  fault: string;
}

/** The body the badjson fault cuts in half (server/routes/kwikid.ts's fault shape). */
const KWIKID_FAULT_SUCCESS = JSON.stringify({ confidence_score: 0.9731, facematch_result: 'True', credits_consumed: 1 });

test('200 pairs through injected faults: one record each, faults recorded by type, retried ones recovered, summary adds up', async ({ page }) => {
  test.setTimeout(180_000);
  const { buffer, stems } = await buildPairsZip(PAIRS);

  const attempts: Attempt[] = [];
  const isCall = (req: Request) => req.method() === 'POST' && new URL(req.url()).pathname === '/facematch';
  // Pushed synchronously so the list keeps the order of the calls (the runner never overlaps two).
  page.on('requestfinished', (req) => {
    if (!isCall(req)) return;
    const attempt: Attempt = { status: null, fault: 'pending' };
    attempts.push(attempt);
    void req.response().then((res) => {
      attempt.status = res?.status() ?? null;
      attempt.fault = res?.headers()['x-facematch-fault'] ?? 'none';
    });
  });
  page.on('requestfailed', (req) => {
    if (isCall(req)) attempts.push({ status: null, fault: 'no-response' });
  });

  await page.goto('/');
  await setNumber(page, 'Timeout (s)', TIMEOUT_S);
  await setNumber(page, 'Retries', RETRIES);
  await openBulk(page);
  await loadZip(page, 'faulty-200.zip', buffer, PAIRS);
  const started = Date.now();
  const download = await runAndDownload(page, 150_000);
  const runMs = Date.now() - started;
  const archive = await openArchive(await downloadBytes(download));

  // Exactly one record per loaded pair.
  expect(archive.records).toHaveLength(PAIRS);
  expect(new Set(archive.records.map((r) => r.pair_id))).toEqual(new Set(stems));
  for (const r of archive.records) {
    expect(r.image1_path).toBe(`batch/${r.pair_id}_image1.jpg`);
    expect(r.image2_path).toBe(`batch/${r.pair_id}_image2.jpg`);
  }

  const kind = (r: ArchiveRecord) => (r.success ? 'success' : `${r.error!.type}${r.http_status !== null ? ` ${r.http_status}` : ''}`);
  const groups = new Map<string, ArchiveRecord[]>();
  for (const r of archive.records) groups.set(kind(r), [...(groups.get(kind(r)) ?? []), r]);
  const group = (k: string) => groups.get(k) ?? [];
  console.log(`faults run: ${runMs} ms; ${[...groups].map(([k, v]) => `${k}: ${v.length}`).join(', ')}`);

  // Nothing was skipped and nothing is left unsent.
  expect(group('not_run')).toEqual([]);
  // Only the outcomes the injected faults can produce.
  const allowed = new Set(['success', 'http 500', 'http 429', 'http 502', 'http 503', 'timeout', 'invalid_json 200', 'network']);
  expect([...groups.keys()].filter((k) => !allowed.has(k))).toEqual([]);

  // HTTP 500 is not retried: one attempt, with the server's error body kept.
  expect(group('http 500').length).toBeGreaterThanOrEqual(5);
  for (const r of group('http 500')) {
    expect(r.error_body).toEqual({ message: 'Internal server error (injected fault).' });
    expect(r.error!.message).toContain('HTTP 500');
    expect(r.attempts).toBeGreaterThanOrEqual(1);
  }
  // A hang ends at the UI timeout as a timeout record with no status.
  expect(group('timeout').length).toBeGreaterThanOrEqual(3);
  for (const r of group('timeout')) {
    expect(r.http_status).toBeNull();
    expect(r.error!.message).toContain(`within ${TIMEOUT_S} s`);
    expect(r.response_time_ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 50);
  }
  // A 200 with half a JSON body is invalid_json, keeping the truncated text.
  expect(group('invalid_json 200').length).toBeGreaterThanOrEqual(1);
  for (const r of group('invalid_json 200')) {
    expect(r.error_body).toBe(KWIKID_FAULT_SUCCESS.slice(0, Math.floor(KWIKID_FAULT_SUCCESS.length / 2)));
    expect(r.error!.message).toContain('not JSON');
  }
  // Transient faults (429, 502, reset) that a retry got past are successes with more than one attempt…
  const recovered = group('success').filter((r) => r.attempts > 1);
  expect(recovered.length).toBeGreaterThanOrEqual(3);
  for (const r of group('success')) {
    expect(r.http_status).toBe(200);
    expect(r.body).toMatchObject({ facematch_result: expect.stringMatching(/^(True|False)$/), confidence_score: expect.any(Number) });
  }
  // …and those still failing after every retry used all the attempts.
  for (const k of ['http 429', 'http 502', 'http 503', 'network']) {
    for (const r of group(k)) expect(r.attempts, `${r.pair_id} (${k})`).toBe(1 + RETRIES);
  }
  for (const r of archive.records) {
    expect(r.attempts).toBeGreaterThanOrEqual(1);
    expect(r.attempts).toBeLessThanOrEqual(1 + RETRIES);
  }

  // The records agree with what actually went over the wire, call by call: the pairs are sent one
  // at a time in order, so the calls split into consecutive runs of each record's `attempts`.
  await expect.poll(() => attempts.length).toBe(archive.records.reduce((n, r) => n + r.attempts, 0));
  await expect.poll(() => attempts.filter((a) => a.fault === 'pending').length).toBe(0);
  let next = 0;
  for (const stem of stems) {
    const r = archive.byPair.get(stem)!;
    const calls = attempts.slice(next, next + r.attempts);
    next += r.attempts;
    const last = calls.at(-1)!;
    if (r.success) {
      expect(last.fault, `${r.pair_id}'s last call`).toBe('none');
      // Every earlier call of a recovered pair hit a transient fault.
      for (const c of calls.slice(0, -1)) expect(['429', 'html502', 'no-response']).toContain(c.fault);
    } else if (r.error!.type === 'http') {
      expect(last.status).toBe(r.http_status);
    } else if (r.error!.type === 'invalid_json') {
      expect(last.fault).toBe('badjson');
    } else if (r.error!.type === 'timeout') {
      expect(last.fault).toBe('no-response');
    }
  }
  const faultsSeen = new Set(attempts.map((a) => a.fault));
  for (const f of ['500', '429', 'html502', 'badjson', 'no-response', 'none']) expect(faultsSeen, `fault ${f} occurred`).toContain(f);

  // summary.xlsx: one row per pair mirroring the records, and Run counts that add up.
  expect(archive.summary).toHaveLength(PAIRS);
  for (const row of archive.summary) {
    const rec = archive.byPair.get(String(row.pair_id))!;
    expect(rec, `record for summary row ${String(row.pair_id)}`).toBeDefined();
    expect(row.success).toBe(rec.success);
    expect(row.attempts).toBe(rec.attempts);
    if (!rec.success) {
      expect(row.error_type).toBe(rec.error!.type);
      expect(row.error_message).toBe(rec.error!.message);
    }
  }
  const succeeded = group('success').length;
  const failed = PAIRS - succeeded;
  expect(archive.run.get('pairs')).toBe(PAIRS);
  expect(archive.run.get('succeeded')).toBe(succeeded);
  expect(archive.run.get('failed')).toBe(failed);
  expect(archive.run.get('not run')).toBe(0);
  expect(Number(archive.run.get('succeeded')) + Number(archive.run.get('failed')) + Number(archive.run.get('not run'))).toBe(PAIRS);

  // The finished panel shows the same figures.
  await expect(summaryFigure(page, 'Succeeded')).toHaveText(String(succeeded));
  await expect(summaryFigure(page, 'Failed')).toHaveText(String(failed));
  await expect(summaryFigure(page, 'Not run')).toHaveText('0');
});
