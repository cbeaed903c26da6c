import JSZip from 'jszip';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from './contracts.ts';
import { archiveFileName, buildArchiveInWorker } from './archive-client.ts';
import { notRunRecord, recordFromCall, recordJson, type PairEntry, type PairRecord } from './records.ts';
import { buildResultsZip, buildSummaryWorkbook, safeEndpoint, SUMMARY_COLUMNS, type ReportInput } from './report.ts';

const pair = (id: string, dir = 'set'): PairEntry => ({ pair_id: id, image1_path: `${dir}/${id}_image1.jpg`, image2_path: `${dir}/${id}_image2.png` });
const ok = (p: PairEntry, body: unknown, ms = 120.5): PairRecord => recordFromCall(p, { ok: true, status: 200, timeMs: ms, attempts: 1, body });

function input(records: PairRecord[], extra: Partial<ReportInput> = {}): ReportInput {
  return {
    records,
    skipped: [{ path: 'set/readme.txt', reason: 'The name does not follow the rule.' }],
    notices: ['1 stem occurs in several folders.'],
    contract: kwikid,
    endpoint: 'https://api.example.com/facematch',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:05:00.000Z',
    ...extra,
  };
}

const sheetRows = (wb: XLSX.WorkBook, name: string) => XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[name]!, { header: 1, defval: null });

/** Every text inside a ZIP, recursing into nested ZIPs (summary.xlsx is one). */
async function allTexts(bytes: Uint8Array): Promise<{ name: string; text: string }[]> {
  const zip = await JSZip.loadAsync(bytes);
  const out: { name: string; text: string }[] = [];
  for (const f of Object.values(zip.files)) {
    if (f.dir) continue;
    const data = await f.async('uint8array');
    if (data[0] === 0x50 && data[1] === 0x4b) out.push(...(await allTexts(data)).map((t) => ({ name: `${f.name}!${t.name}`, text: t.text })));
    else out.push({ name: f.name, text: new TextDecoder().decode(data) });
  }
  return out;
}

describe('summary.xlsx', () => {
  it('has the three sheets, the header row, one row per pair, an autofilter and column widths', async () => {
    const records = [
      ok(pair('a'), { facematch_result: 'True', confidence_score: 0.91, credits_consumed: 2 }),
      ok(pair('b'), { facematch_result: 'False', confidence_score: 0.12, credits_consumed: 2 }),
      recordFromCall(pair('c'), { ok: false, status: 401, timeMs: 30, attempts: 2, error: { type: 'http', message: 'The bearer token was rejected (HTTP 401).' } }),
      notRunRecord(pair('d')),
    ];
    const wb = XLSX.read(await buildSummaryWorkbook(input(records, { stopReason: 'Stopped by the user after 3 of 4 pairs had been sent.' })), { type: 'array', cellStyles: true });
    expect(wb.SheetNames).toEqual(['Summary', 'Run', 'Skipped files']);

    const rows = sheetRows(wb, 'Summary');
    expect(rows[0]).toEqual([...SUMMARY_COLUMNS]);
    expect(rows).toHaveLength(1 + records.length);
    expect(rows[1]).toEqual(['a', 'set/a_image1.jpg', 'set/a_image2.png', true, 200, 120.5, 'True', 0.91, 2, null, 1]);
    expect(rows[2]!.slice(6, 9)).toEqual(['False', 0.12, 2]);
    expect(rows[3]).toEqual(['c', 'set/c_image1.jpg', 'set/c_image2.png', false, 401, 30, null, null, null, 'http: The bearer token was rejected (HTTP 401).', 2]);
    expect(rows[4]!.slice(3, 6)).toEqual([false, null, null]);
    expect(rows[4]![9]).toMatch(/^not_run: The run was stopped/);

    const summary = wb.Sheets.Summary!;
    expect(summary['!autofilter']).toEqual({ ref: 'A1:K5' });
    expect(summary['!cols']?.length).toBe(SUMMARY_COLUMNS.length);
    expect(summary['!cols']?.[1]?.wch).toBeGreaterThan(30);

    const run = Object.fromEntries(sheetRows(wb, 'Run').map((r) => [r[0], r[1]]));
    expect(run).toMatchObject({
      endpoint: 'https://api.example.com/facematch', provider: 'KwikID',
      started: '2025-01-01T10:00:00.000Z', finished: '2025-01-01T10:05:00.000Z',
      pairs: 4, succeeded: 2, failed: 1, 'not run': 1, matches: 1, 'non-matches': 1,
      'mean response time (ms)': 90.3, 'p50 response time (ms)': 120.5, 'p95 response time (ms)': 120.5,
      'stop reason': 'Stopped by the user after 3 of 4 pairs had been sent.',
    });

    const skipped = sheetRows(wb, 'Skipped files');
    expect(skipped[0]).toEqual(['path', 'reason']);
    expect(skipped[1]).toEqual(['set/readme.txt', 'The name does not follow the rule.']);
    expect(skipped.flat()).toContain('1 stem occurs in several folders.');
  });

  it('writes normalised verdict columns for a Deepvue body (confidence 87.5 → 0.875, match → "True")', async () => {
    const records = [ok(pair('dv'), { data: { match: true, confidence: 87.5 } }), ok(pair('dv2'), { data: { match: false, confidence: 4 } })];
    const wb = XLSX.read(await buildSummaryWorkbook(input(records, { contract: deepvue })), { type: 'array' });
    const rows = sheetRows(wb, 'Summary');
    expect(rows[1]!.slice(6, 9)).toEqual(['True', 0.875, null]);
    expect(rows[2]!.slice(6, 9)).toEqual(['False', 0.04, null]);
    expect(Object.fromEntries(sheetRows(wb, 'Run').map((r) => [r[0], r[1]])).provider).toBe('Deepvue');
  });
});

describe('results ZIP', () => {
  it('holds summary.xlsx and one pretty JSON per pair under results/', async () => {
    const records = [ok(pair('test1'), { facematch_result: 'True', confidence_score: 0.85, credits_consumed: 2 }), notRunRecord(pair('test2'))];
    const zip = await JSZip.loadAsync(await buildResultsZip(input(records)));
    const files = Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name).sort();
    expect(files).toEqual(['results/test1.json', 'results/test2.json', 'summary.xlsx']);
    expect(await zip.file('results/test1.json')!.async('string')).toBe(recordJson(records[0]!));
    const wb = XLSX.read(await zip.file('summary.xlsx')!.async('uint8array'), { type: 'array' });
    expect(wb.SheetNames).toContain('Summary');
  });

  it('sanitises hostile pair ids into safe, unique entry names', async () => {
    const ids = ['../../etc/passwd', '/abs', 'batchA/customer01', 'batchA__customer01', 'CON', 'a:b*?"<>|', 'tab\there', '😀 ok'];
    const zip = await JSZip.loadAsync(await buildResultsZip(input(ids.map((id) => ok(pair(id), { facematch_result: 'True' })))));
    const names = Object.values(zip.files).filter((f) => !f.dir && f.name.startsWith('results/')).map((f) => f.name);
    expect(names).toHaveLength(ids.length);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(ids.length);
    for (const n of names) {
      const base = n.slice('results/'.length);
      // eslint-disable-next-line no-control-regex -- asserting control characters are gone
      expect(base).not.toMatch(/[/\\<>:"|?*\u0000-\u001f]|\.\./);
      expect(base.startsWith('.')).toBe(false);
    }
    expect(names).toContain('results/batchA__customer01.json');
    expect(names).toContain('results/batchA__customer01-2.json');
    expect(names).toContain('results/_CON.json');
    expect(names).toContain('results/😀 ok.json');
    // The pair_id inside the JSON is the original one.
    const evil = names.find((n) => n.includes('etc__passwd'))!;
    expect(JSON.parse(await zip.file(evil)!.async('string')).pair_id).toBe('../../etc/passwd');
  });

  it('never writes a token: not from the endpoint, not from an echoed error body', async () => {
    const token = 'eyJhbGciOi.SECRET-TOKEN-value_123';
    const secret = 'client-secret-"quoted"\\x';
    const records = [
      recordFromCall(pair('a'), { ok: false, status: 401, timeMs: 5, attempts: 1, error: { type: 'http', message: `Rejected token ${token}` }, errorBody: { detail: `Bearer ${token} is invalid`, [token]: secret } }),
      ok(pair('b'), { facematch_result: 'True', echo: { authorization: `Bearer ${token}`, key: secret } }),
    ];
    const bytes = await buildResultsZip(input(records, {
      endpoint: `https://user:${token}@api.example.com/facematch?token=${token}#${token}`,
      stopReason: `Stopped: ${token}`,
      secrets: [token, secret, ''],
    }));
    const texts = await allTexts(bytes);
    expect(texts.map((t) => t.name)).toContain('summary.xlsx!xl/worksheets/sheet1.xml');
    const raw = new TextDecoder('latin1').decode(bytes);
    for (const needle of [token, 'SECRET-TOKEN', 'client-secret']) {
      expect(raw).not.toContain(needle);
      for (const t of texts) expect(t.text, t.name).not.toContain(needle);
    }
    const wb = XLSX.read((await (await JSZip.loadAsync(bytes)).file('summary.xlsx')!.async('uint8array')), { type: 'array' });
    expect(Object.fromEntries(sheetRows(wb, 'Run').map((r) => [r[0], r[1]])).endpoint).toBe('https://api.example.com/facematch');
    expect(texts.find((t) => t.name === 'results/a.json')!.text).toContain('[redacted]');
  });

  it('strips userinfo, query and fragment from endpoints, also relative ones', () => {
    expect(safeEndpoint('https://u:p@h.example/v1/facematch?key=1#x')).toBe('https://h.example/v1/facematch');
    expect(safeEndpoint('/facematch?token=abc')).toBe('/facematch');
  });

  it('writes one results/*.json per record for 10,000 records (its speed is measured by npm run bench -- archive)', async () => {
    const records: PairRecord[] = [];
    for (let i = 0; i < 10_000; i++) {
      const p = pair(`customer${i}`);
      records.push(i % 10 === 9
        ? recordFromCall(p, { ok: false, status: 500, timeMs: 800 + (i % 97), attempts: 3, error: { type: 'http', message: 'The API failed on its side (HTTP 500). Try again later.' }, errorBody: { detail: 'Internal error' } })
        : ok(p, { facematch_result: i % 3 ? 'True' : 'False', confidence_score: (i % 100) / 100, credits_consumed: 2 }, 300 + (i % 503)));
    }
    const bytes = await buildResultsZip(input(records));
    const zip = await JSZip.loadAsync(bytes);
    expect(Object.values(zip.files).filter((f) => f.name.startsWith('results/') && !f.dir)).toHaveLength(10_000);
  });
});

describe('archive client', () => {
  it('names the archive facematch-bulk-<ms>.zip', () => {
    expect(archiveFileName(1778419687078)).toBe('facematch-bulk-1778419687078.zip');
    expect(archiveFileName()).toMatch(/^facematch-bulk-\d{13}\.zip$/);
  });

  it('builds in this thread when Worker is unavailable', async () => {
    expect(typeof Worker).toBe('undefined');
    const bytes = await buildArchiveInWorker(input([ok(pair('x'), { facematch_result: 'True' })]));
    const zip = await JSZip.loadAsync(bytes);
    expect(zip.file('results/x.json')).not.toBeNull();
    expect(zip.file('summary.xlsx')).not.toBeNull();
  });
});
