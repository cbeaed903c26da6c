import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../evaluation/compare.ts';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { VENDOR_PRESETS } from '../providers/vendor-presets.ts';
import { archiveFileName, buildArchiveInWorker } from './archive-client.ts';
import { notRunRecord, recordFromCall, recordJson, type PairEntry, type PairRecord } from '../run/records.ts';
import { buildResultsZip, buildSummaryWorkbook, reportContext, safeEndpoint, SHEETS, STORE_BELOW, summaryColumns, type ReportInput } from './report.ts';
import { openZip } from '../zip/zip.ts';
import { isDateFormat, readWorkbookXml, type XmlCell, type XmlSheet } from '../../../test/xlsx-xml.ts';

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
  const kwikRecords = () => [
    ok(pair('a'), { facematch_result: 'True', confidence_score: 0.91, credits_consumed: 2 }, 919.5999999999767),
    ok(pair('b'), { facematch_result: 'False', confidence_score: 0.12, credits_consumed: 2 }, 120.04999),
    recordFromCall(pair('c'), { ok: false, status: 401, timeMs: 30.123456, attempts: 2, error: { type: 'http', message: 'The bearer token was rejected (HTTP 401).' } }),
    notRunRecord(pair('d')),
  ];

  it('declares each Summary column once: header, width, number format and value', () => {
    const headers = summaryColumns(reportContext(input([]))).map((c) => c.header);
    expect(headers).toEqual([
      'input_order', 'pair_id', 'image1_path', 'image2_path', 'success', 'http_status', 'response_time_ms',
      'facematch_result', 'confidence_score', 'raw_score', 'threshold', 'credits_consumed', 'error_type', 'error_message', 'attempts',
    ]);
    expect(new Set(headers).size).toBe(headers.length);
    const dv = summaryColumns(reportContext(input([], { contract: deepvue }))).map((c) => c.header);
    expect(dv).toEqual([
      'input_order', 'pair_id', 'image1_path', 'image2_path', 'success', 'http_status', 'response_time_ms',
      'facematch_result', 'confidence_score', 'raw_score', 'threshold', 'confidence', 'transaction_id', 'error_type', 'error_message', 'attempts',
    ]);
  });

  it('writes numeric, boolean and text cells with their formats, read back from the raw XML', async () => {
    const records = kwikRecords();
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input(records, { stopReason: 'Stopped by the user after 3 of 4 pairs had been sent.' })));
    expect([...sheets.keys()]).toEqual(['Summary', 'Run', 'Notices', 'Skipped files']);
    const summary = sheets.get('Summary')!;
    expect(summary.header[0]).toBe('input_order');
    const rows = summary.rows();
    expect(rows).toHaveLength(records.length);

    const a = rows[0]!;
    expect(a.get('input_order')).toMatchObject({ t: 'n', text: '1' });
    expect(a.get('pair_id')).toMatchObject({ t: 'str', text: 'a' });
    expect(a.get('success')).toMatchObject({ t: 'b', text: '1' });
    expect(a.get('http_status')).toMatchObject({ t: 'n', text: '200' });
    expect(a.get('response_time_ms')).toMatchObject({ t: 'n', text: '919.6', numFmt: '0.0' });
    expect(a.get('facematch_result')).toMatchObject({ t: 'b', text: '1' });
    expect(a.get('confidence_score')).toMatchObject({ t: 'n', text: '0.91', numFmt: '0.00%' });
    expect(a.get('credits_consumed')).toMatchObject({ t: 'n', text: '2' });
    expect(a.has('error_type')).toBe(false);
    expect(rows[1]!.get('facematch_result')).toMatchObject({ t: 'b', text: '0' });
    expect(rows[1]!.get('input_order')!.text).toBe('2');

    const c = rows[2]!;
    expect(c.get('success')).toMatchObject({ t: 'b', text: '0' });
    expect(c.get('error_type')!.text).toBe('http');
    expect(c.get('error_message')!.text).toBe('The bearer token was rejected (HTTP 401).');
    expect(c.has('facematch_result')).toBe(false);
    expect(c.get('attempts')).toMatchObject({ t: 'n', text: '2' });
    expect(rows[3]!.get('error_type')!.text).toBe('not_run');
    expect(rows[3]!.get('error_message')!.text).toMatch(/^The run was stopped/);
    expect(rows[3]!.has('http_status')).toBe(false);

    // No response time with more than one decimal, in the sheet and in results/*.json.
    for (const cell of summary.column('response_time_ms')) if (cell) expect(cell.text).toMatch(/^\d+(\.\d)?$/);
    expect(records.map((r) => r.response_time_ms)).toEqual([919.6, 120, 30.1, null]);

    expect(a.get('raw_score')).toMatchObject({ t: 'n', text: '0.91' });
    expect(a.has('threshold')).toBe(false); // KwikID decides without a threshold it states
    expect(summary.xml).toContain('<autoFilter ref="A1:O5"/>');
    expect(summary.xml).toMatch(/<col [^>]*width="4\d[.\d]*"/);
  });

  it('Deepvue rows keep the confidence as sent (0–100) and the transaction_id beside the normalised one', async () => {
    const records = [
      ok(pair('dv'), { transaction_id: 'tx-123', data: { match: true, confidence: 83.96 } }),
      ok(pair('dv2'), { transaction_id: 'tx-456', data: { match: false, confidence: 4 } }),
    ];
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input(records, { contract: deepvue })));
    const rows = sheets.get('Summary')!.rows();
    expect(rows[0]!.get('facematch_result')).toMatchObject({ t: 'b', text: '1' });
    expect(rows[0]!.get('confidence_score')).toMatchObject({ t: 'n', text: '0.8396', numFmt: '0.00%' });
    expect(rows[0]!.get('confidence')).toMatchObject({ t: 'n', text: '83.96', numFmt: '0.00' });
    expect(rows[0]!.get('raw_score')).toMatchObject({ t: 'n', text: '83.96' });
    expect(rows[0]!.get('transaction_id')!.text).toBe('tx-123');
    expect(rows[1]!.get('facematch_result')).toMatchObject({ t: 'b', text: '0' });
    expect(rows[1]!.get('confidence_score')!.text).toBe('0.04');
    expect(rows[1]!.get('transaction_id')!.text).toBe('tx-456');
    expect(sheets.get('Summary')!.header).not.toContain('credits_consumed');
    expect(runFields(sheets).get('provider')!.text).toBe('Deepvue');
  });

  it('every provider has the same normalised columns: a Face++ row has its score as sent (0–100) and the threshold it stated in the answer, on 0–1', async () => {
    const facepp = VENDOR_PRESETS.find((c) => c.id === 'facepp')!;
    const body = { request_id: 'r-1', confidence: 91.2, thresholds: { '1e-3': 62.3, '1e-4': 69.1, '1e-5': 73.9 }, faces1: [{}], faces2: [{}] };
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input([ok(pair('fp'), body)], { contract: facepp })));
    const summary = sheets.get('Summary')!;
    expect(summary.header.slice(7, 11)).toEqual(['facematch_result', 'confidence_score', 'raw_score', 'threshold']);
    const row = summary.rows()[0]!;
    expect(row.get('facematch_result')).toMatchObject({ t: 'b', text: '1' });
    expect(row.get('confidence_score')).toMatchObject({ t: 'n', text: '0.912' });
    expect(row.get('raw_score')).toMatchObject({ t: 'n', text: '91.2' });
    expect(row.get('threshold')).toMatchObject({ t: 'n', text: '0.691', numFmt: '0.00%' });
  });

  it('the Run sheet states the settings, input ZIP, engine, version, credits, with date cells for start and finish', async () => {
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input(kwikRecords(), {
      stopReason: 'Stopped by the user after 3 of 4 pairs had been sent.',
      settings: { timeoutMs: 60_000, retries: 2, concurrency: 4, ratePerSecond: 10 },
      inputZip: { name: 'regression.zip', size: 123_456 },
      engine: 'real',
      appVersion: '1.2.3',
    })));
    const run = runFields(sheets);
    const started = run.get('started (UTC)')!;
    expect(started.t).toBe('n');
    expect(isDateFormat(started.numFmt)).toBe(true);
    // 2025-01-01T10:00:00Z as an Excel serial (days since 1899-12-30).
    expect(Number(started.text)).toBeCloseTo(45658 + 10 / 24, 9);
    expect(Number(run.get('finished (UTC)')!.text)).toBeCloseTo(45658 + 10 / 24 + 5 / 1440, 9);
    expect(isDateFormat(run.get('finished (UTC)')!.numFmt)).toBe(true);
    const num = (f: string) => { const c = run.get(f); expect(c?.t, f).toBe('n'); return Number(c!.text); };
    expect(num('duration (s)')).toBe(300);
    expect(num('timeout (s)')).toBe(60);
    expect(num('retries')).toBe(2);
    expect(num('concurrency')).toBe(4);
    expect(num('rate limit (calls/s)')).toBe(10);
    expect(run.get('input ZIP')!.text).toBe('regression.zip');
    expect(num('input ZIP size (bytes)')).toBe(123_456);
    expect(run.get('engine mode')!.text).toBe('real');
    expect(run.get('app version')!.text).toBe('1.2.3');
    expect(num('total credits consumed')).toBe(4);
    expect(num('pairs')).toBe(4);
    expect(num('succeeded')).toBe(2);
    expect(num('failed')).toBe(1);
    expect(num('not run')).toBe(1);
    expect(num('matches')).toBe(1);
    expect(num('non-matches')).toBe(1);
    expect(num('mean response time (ms)')).toBe(356.6);
    expect(num('p50 response time (ms)')).toBe(120);
    expect(run.get('stop reason')!.text).toBe('Stopped by the user after 3 of 4 pairs had been sent.');
  });

  it('a job run states the engine mode the reference server reported, and its settings snapshot', async () => {
    const { runJob } = await import('../run/job.ts');
    const { createArchiveBuilder } = await import('./archive.ts');
    const pairs = [pair('a'), pair('b')];
    const result = await runJob({
      pairs,
      readPair: async (p) => [{ name: `${p.pair_id}1.jpg`, data: new Blob([]) }, { name: `${p.pair_id}2.jpg`, data: new Blob([]) }],
      snapshot: { contract: kwikid, baseUrl: 'http://api.test', credentials: { token: 'tok-1234' }, timeoutMs: 30_000, retries: 1, concurrency: 2, ratePerSecond: 5 },
      call: async () => ({ ok: true, status: 200, timeMs: 3, attempts: 1, engine: 'instant', body: { facematch_result: 'True', confidence_score: 0.5, credits_consumed: 1 } }),
      archive: createArchiveBuilder({ input: { name: 'in.zip', size: 99 } }),
    });
    const archive = result.archive;
    expect(result.engine).toBe('instant');
    const run = runFields(readWorkbookXml(await (await JSZip.loadAsync(archive!)).file('summary.xlsx')!.async('uint8array')));
    expect(run.get('engine mode')!.text).toBe('instant');
    expect(run.get('timeout (s)')!.text).toBe('30');
    expect(run.get('retries')!.text).toBe('1');
    expect(run.get('concurrency')!.text).toBe('2');
    expect(run.get('rate limit (calls/s)')!.text).toBe('5');
    expect(run.get('input ZIP')!.text).toBe('in.zip');
    expect(run.get('total credits consumed')!.text).toBe('2');
  });

  it('counts the pairs re-run (previous_error) and resumed on the Run sheet', async () => {
    const [a, b, c, d] = kwikRecords();
    const records = [{ ...a!, resumed: true as const }, { ...b!, previous_error: { type: 'http' as const, message: 'HTTP 500', http_status: 500 } }, c!, d!];
    const run = runFields(readWorkbookXml(await buildSummaryWorkbook(input(records))));
    expect(Number(run.get('pairs re-run')!.text)).toBe(1);
    expect(Number(run.get('pairs resumed')!.text)).toBe(1);
  });

  it('leaves the Run rows it was not given empty, and says "none" for an unlimited rate', async () => {
    const run = runFields(readWorkbookXml(await buildSummaryWorkbook(input([], { settings: { timeoutMs: 1500, retries: 0, ratePerSecond: null } }))));
    expect(run.get('timeout (s)')!.text).toBe('1.5');
    expect(run.get('rate limit (calls/s)')!.text).toBe('none');
    for (const f of ['concurrency', 'input ZIP', 'engine mode', 'app version', 'total credits consumed', 'stop reason']) expect(run.has(f), f).toBe(false);
  });

  it('puts notices on their own sheet and keeps the Skipped files sheet to skipped files', async () => {
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input([notRunRecord(pair('x'))])));
    const notices = sheets.get('Notices')!;
    expect(notices.header).toEqual(['notice']);
    expect(notices.column('notice').map((c) => c?.text)).toEqual(['1 stem occurs in several folders.']);
    const skipped = sheets.get('Skipped files')!;
    expect(skipped.header).toEqual(['path', 'reason']);
    expect(skipped.rows().map((r) => [r.get('path')?.text, r.get('reason')?.text])).toEqual([['set/readme.txt', 'The name does not follow the rule.']]);
    const empty = readWorkbookXml(await buildSummaryWorkbook(input([], { notices: [], skipped: [] })));
    expect(empty.get('Notices')!.column('notice')[0]!.text).toBe('There are no notices.');
    expect(empty.get('Skipped files')!.column('reason')[0]!.text).toBe('No files were skipped.');
  });

  it('the Compare sheet types before_match/after_match as booleans, as the Summary sheet types facematch_result', async () => {
    const before = [ok(pair('a'), { facematch_result: 'True', confidence_score: 0.9 }), ok(pair('b'), { facematch_result: 'True', confidence_score: 0.8 }), ok(pair('c'), { facematch_result: 'False', confidence_score: 0.1 })];
    const after = [ok(pair('a'), { facematch_result: 'True', confidence_score: 0.85 }), ok(pair('b'), { facematch_result: 'False', confidence_score: 0.3 }), notRunRecord(pair('c'))];
    const comparison = compareRuns({ name: 'old.zip', records: before, contract: kwikid }, { name: 'new.zip', records: after, contract: kwikid });
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input(after, { comparison })));
    const rows = new Map(sheets.get('Compare')!.rows().map((r) => [r.get('pair_id')?.text, r]));
    expect(rows.get('b')!.get('before_match')).toMatchObject({ t: 'b', text: '1' });
    expect(rows.get('b')!.get('after_match')).toMatchObject({ t: 'b', text: '0' });
    expect(rows.get('a')!.get('after_match')).toMatchObject({ t: 'b', text: '1' });
    expect(rows.get('c')!.get('before_match')).toMatchObject({ t: 'b', text: '0' });
    expect(rows.get('c')!.has('after_match')).toBe(false); // never sent: no verdict, an empty cell
    expect(sheets.get('Summary')!.rows()[0]!.get('facematch_result')!.t).toBe(rows.get('a')!.get('before_match')!.t);
  });

  it('a sheet declared in SHEETS is written in its place', () => {
    expect(SHEETS.map((s) => s.name)).toEqual(['Summary', 'Run', 'Notices', 'Skipped files', 'Evaluation', 'Groups', 'Compare', 'Robustness']);
  });
});

/** The Run sheet as field → value cell. */
function runFields(sheets: Map<string, XmlSheet>): Map<string, XmlCell> {
  const out = new Map<string, XmlCell>();
  for (const row of sheets.get('Run')!.rows()) {
    const field = row.get('field')!.text;
    const value = row.get('value');
    if (value) out.set(field, value);
  }
  return out;
}

describe('results ZIP', () => {
  it('holds summary.xlsx and one pretty JSON per pair under results/', async () => {
    const records = [ok(pair('test1'), { facematch_result: 'True', confidence_score: 0.85, credits_consumed: 2 }), notRunRecord(pair('test2'))];
    const zip = await JSZip.loadAsync(await buildResultsZip(input(records)));
    const files = Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name).sort();
    expect(files).toEqual(['report.html', 'results/test1.json', 'results/test2.json', 'summary.xlsx']);
    expect(await zip.file('results/test1.json')!.async('string')).toBe(recordJson(records[0]!));
    expect(readWorkbookXml(await zip.file('summary.xlsx')!.async('uint8array')).has('Summary')).toBe(true);
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
    const sheets = readWorkbookXml(await (await JSZip.loadAsync(bytes)).file('summary.xlsx')!.async('uint8array'));
    expect(runFields(sheets).get('endpoint')!.text).toBe('https://api.example.com/facematch');
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

describe('archive entries', () => {
  it('stores a small pair JSON as it is and deflates a large one; both read back to the same record', async () => {
    const small = ok(pair('small'), { facematch_result: 'True', confidence_score: 0.9 });
    const large = recordFromCall(pair('large'), {
      ok: false, status: 500, timeMs: 12, attempts: 1,
      error: { type: 'http', message: 'The API failed on its side (HTTP 500).' },
      errorBody: { detail: 'x'.repeat(STORE_BELOW * 2) },
    });
    const opened = await openZip(await buildResultsZip(input([small, large])), 'facematch-bulk-1.zip');
    const method = (name: string) => opened.entries.find((e) => e.name === name)!.method;
    expect(method('results/small.json')).toBe(0);
    expect(method('results/large.json')).toBe(8);
    expect(JSON.parse(await opened.readText('results/small.json'))).toEqual(small);
    expect(JSON.parse(await opened.readText('results/large.json'))).toEqual(large);
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

describe('labelled archive', () => {
  const records = () => [
    ok(pair('s1'), { facematch_result: 'True', confidence_score: 0.9 }),
    ok(pair('s2'), { facematch_result: 'False', confidence_score: 0.4 }),
    ok(pair('d1'), { facematch_result: 'False', confidence_score: 0.1 }),
    ok(pair('d2'), { facematch_result: 'True', confidence_score: 0.7 }),
    notRunRecord(pair('d3')),
    ok(pair('u1'), { facematch_result: 'True', confidence_score: 0.8 }),
  ];
  const evaluation = {
    labels: [['s1', 'same'], ['s2', 'same'], ['d1', 'different'], ['d2', 'different'], ['d3', 'different']] as const,
    labelsSource: 'labels.csv in pairs.zip',
    threshold: 0.75,
  };

  it('records gain expected and outcome after the seed keys; Summary gains the two columns', async () => {
    const recs = records();
    const zip = await JSZip.loadAsync(await buildResultsZip(input(recs, { evaluation })));
    const s2 = JSON.parse(await zip.file('results/s2.json')!.async('string')) as Record<string, unknown>;
    expect(Object.keys(s2)).toEqual([...Object.keys(recs[1]!), 'expected', 'outcome']);
    expect([s2.expected, s2.outcome]).toEqual(['same', 'FN']);
    const u1 = JSON.parse(await zip.file('results/u1.json')!.async('string')) as Record<string, unknown>;
    expect([u1.expected, u1.outcome]).toEqual([null, null]);
    const sheets = readWorkbookXml(await zip.file('summary.xlsx')!.async('uint8array'));
    const summary = sheets.get('Summary')!;
    expect(summary.header.slice(-3)).toEqual(['attempts', 'expected', 'outcome']);
    expect(summary.column('outcome').map((c) => c?.text)).toEqual(['TP', 'FN', 'TN', 'FP', 'error', undefined]);
  });

  it('the Evaluation sheet has one numeric row per figure', async () => {
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input(records(), { evaluation })));
    const ev = sheets.get('Evaluation')!;
    expect(ev.header).toEqual(['metric', 'value', 'ci_low', 'ci_high', 'n', 'note']);
    const rows = new Map(ev.rows().map((r) => [r.get('metric')!.text, r]));
    for (const m of ['FMR', 'FNMR', 'EER', 'EER threshold', 'TP', 'TN', 'FP', 'FN', 'errors', 'threshold used']) {
      expect(rows.get(m)?.get('value')?.t, m).toBe('n');
    }
    expect(rows.get('FMR')!.get('value')!.text).toBe('0.5');
    expect(rows.get('FMR')!.get('value')!.numFmt).toBe('0.00%');
    expect(rows.get('FMR')!.get('n')!.text).toBe('2');
    expect(rows.get('errors')!.get('value')!.text).toBe('1');
    expect(rows.get('threshold used')!.get('value')!.text).toBe('0.75');
    // Only 2 different-person pairs with a score: FNMR@FMR=1% has no value and says why.
    expect(rows.get('FNMR@FMR=1%')!.get('value')).toBeUndefined();
    expect(rows.get('FNMR@FMR=1%')!.get('note')!.text).toBe('needs ≥ 300 different-person pairs (has 2)');
    expect(sheets.has('Compare')).toBe(false);
  });

  it('the Evaluation sheet counts failures to acquire both ways, as typed percentages', async () => {
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input(records(), { evaluation })));
    const rows = new Map(sheets.get('Evaluation')!.rows().map((r) => [r.get('metric')!.text, r]));
    const cell = (m: string, col = 'value') => rows.get(m)?.get(col);
    // At 0.75: s1 TP, s2 FN, d1 and d2 TN, d3 never sent (a failure to acquire).
    expect([cell('FTA same-person')!.text, cell('FTA same-person', 'n')!.text]).toEqual(['0', '2']);
    expect(cell('FTA different-person')).toMatchObject({ t: 'n', numFmt: '0.00%' });
    expect(Number(cell('FTA different-person')!.text)).toBeCloseTo(1 / 3, 12);
    expect([cell('FMR failures excluded')!.text, cell('FMR failures excluded', 'n')!.text]).toEqual(['0', '2']);
    expect([cell('FMR failures included')!.text, cell('FMR failures included', 'n')!.text]).toEqual(['0', '3']);
    expect([cell('FNMR failures included')!.text, cell('FNMR failures excluded')!.text]).toEqual(['0.5', '0.5']);
    expect(cell('FNMR failures included', 'note')!.text).toMatch(/a same-person pair without a decision counts as a false non-match/);
    expect(cell('intervals')!.text).toBe('wilson');
    expect(cell('threshold for FMR ≤ 1 %')).toMatchObject({ t: 'n', text: '0.9' });
    expect(cell('threshold for FMR ≤ 1 %', 'note')!.text).toMatch(/Only 2 different-person pair\(s\) were decided: fewer than 300/);
    expect(cell('FNMR at FMR ≤ 1 %')).toMatchObject({ t: 'n', text: '0.5', numFmt: '0.00%' });
    expect(sheets.has('Groups')).toBe(false);
  });

  it('a labels.csv column becomes the Groups sheet: one typed row per group, then the ratios', async () => {
    const attributes = { columns: ['capture'], rows: [['s1', ['selfie']], ['s2', ['selfie']], ['d1', ['id']], ['d2', ['id']], ['d3', ['id']]] as [string, string[]][] };
    const sheets = readWorkbookXml(await buildSummaryWorkbook(input(records(), { evaluation: { ...evaluation, attributes } })));
    const groups = sheets.get('Groups')!;
    expect(groups.header.slice(0, 9)).toEqual(['grouping', 'group', 'pairs', 'same', 'different', 'FTA', 'FTA_low', 'FTA_high', 'FMR']);
    const [id, selfie] = groups.rows();
    expect([id!.get('group')!.text, id!.get('pairs')!.text, id!.get('FMR_n')!.text]).toEqual(['id', '3', '2']);
    expect(id!.get('pairs')).toMatchObject({ t: 'n', numFmt: '0' });
    expect(id!.get('FTA')).toMatchObject({ t: 'n', numFmt: '0.00%' });
    expect(Number(id!.get('FTA')!.text)).toBeCloseTo(1 / 3, 12);
    expect(id!.get('FNMR')).toBeUndefined();
    expect([selfie!.get('group')!.text, selfie!.get('FNMR')!.text, selfie!.get('FNMR_n')!.text]).toEqual(['selfie', '0.5', '2']);
    const all = groups.rows().map((r) => r.get('grouping')?.text);
    expect(all.slice(2)).toContain('grouping');
  });

  it('report.html is at the archive root with the evaluation charts', async () => {
    const zip = await JSZip.loadAsync(await buildResultsZip(input(records(), { evaluation })));
    const html = await zip.file('report.html')!.async('string');
    expect(html).toContain('Confusion matrix at threshold 0.75');
    expect([...html.matchAll(/data-chart="([a-z]+)"/g)].map((m) => m[1])).toEqual(['roc', 'det', 'scores', 'rates', 'latency']);
  });
});
