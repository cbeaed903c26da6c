import { strFromU8, unzipSync } from 'fflate';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { openArchiveStream, type ArchiveStreamBegin } from './archive-stream.ts';
import { deepvue, kwikid, type ProviderContract } from '../contracts/contracts.ts';
import { notRunRecord, recordFromCall, type PairEntry, type PairRecord } from '../run/records.ts';
import { buildResultsZip, REDACTED, type ReportInput } from './report.ts';
import type { Expected } from '../pairing/labels.ts';
import { readWorkbookXml } from '../../../test/xlsx-xml.ts';

const pair = (id: string): PairEntry => ({ pair_id: id, image1_path: `set/${id}_image1.jpg`, image2_path: `set/${id}_image2.png` });
const ok = (id: string, body: unknown, ms = 120.5): PairRecord => recordFromCall(pair(id), { ok: true, status: 200, timeMs: ms, attempts: 1, body });
const failed = (id: string, status: number, message: string, body?: unknown): PairRecord =>
  recordFromCall(pair(id), { ok: false, status, timeMs: 33.25, attempts: 2, error: { type: 'http', message }, ...(body !== undefined ? { errorBody: body } : {}) });

/** A run with the cells a Summary row can hold: numbers, booleans, text that needs escaping, empty cells. */
function records(n: number, secret: string): PairRecord[] {
  const out: PairRecord[] = [];
  for (let i = 0; i < n; i++) {
    const id = i === 7 ? 'p3' : `p${i}`; // a duplicate pair_id: the second entry is named p3-2.json
    if (i % 5 === 4) out.push(failed(id, 422, ` No face <found> in "image2" & more\u0001\n`, { detail: 'x'.repeat(3000) }));
    else if (i % 7 === 6) out.push(notRunRecord(pair(id)));
    else if (i === 2) out.push(ok(id, { facematch_result: 'True', confidence_score: 0.875, credits_consumed: 1, echo: `Bearer ${secret}` }));
    else out.push(ok(id, { facematch_result: i % 2 ? 'True' : 'False', confidence_score: i / n, credits_consumed: 1, transaction_id: `t-${i}`, confidence: 87.5 }, 100 + i / 3));
  }
  return out;
}

function reportInput(recs: PairRecord[], contract: ProviderContract, secrets: string[], labels?: [string, Expected][]): ReportInput {
  return {
    records: recs, skipped: [{ path: 'set/readme.txt', reason: 'The name does not follow the rule.' }], notices: ['A notice.'],
    contract, endpoint: 'https://api.example.com/facematch', startedAt: '2025-01-01T10:00:00.000Z', finishedAt: '2025-01-01T10:05:00.000Z',
    secrets, settings: { timeoutMs: 30_000, retries: 2, concurrency: 1, ratePerSecond: null },
    ...(labels ? { evaluation: { labels, labelsSource: 'labels.csv', threshold: null } } : {}),
  };
}

/** Chart element ids are numbered per process (the chart library's counter), not per archive. */
const normalise = (name: string, text: string) => (name === 'report.html' ? text.replace(/zr\d+-(cls-)?[c]?\d+/g, 'zr-id') : text);

/** name → text of every entry but the workbook. */
function entries(zip: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, data] of Object.entries(unzipSync(zip))) if (name !== 'summary.xlsx') out.set(name, normalise(name, strFromU8(data)));
  return out;
}

const workbookOf = (zip: Uint8Array) => unzipSync(zip, { filter: (f) => f.name === 'summary.xlsx' })['summary.xlsx']!;

/**
 * Two archives hold the same: every entry byte for byte, and every sheet the same cells (type,
 * value, number format) and the same markup apart from cell-format numbers (the streamed
 * workbook declares a format for a numeric column even when all its cells stayed empty).
 */
function expectSameArchive(streamedZip: Uint8Array, wholeZip: Uint8Array) {
  const a = entries(streamedZip);
  const b = entries(wholeZip);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, text] of b) expect(a.get(name), name).toBe(text);
  const sa = readWorkbookXml(workbookOf(streamedZip));
  const sb = readWorkbookXml(workbookOf(wholeZip));
  expect([...sa.keys()]).toEqual([...sb.keys()]);
  const unstyled = (xml: string) => xml.replace(/ s="\d+"/g, '');
  for (const [name, sheet] of sb) {
    const other = sa.get(name)!;
    expect([...other.cells.values()], name).toEqual([...sheet.cells.values()]);
    expect(unstyled(other.xml), name).toBe(unstyled(sheet.xml));
  }
}

async function streamed(input: ReportInput, begin: Partial<ArchiveStreamBegin> = {}, rebuilt = false, batch = 3): Promise<Uint8Array> {
  const stream = await openArchiveStream({
    contract: input.contract, secrets: input.secrets ?? [], total: input.records.length,
    labels: input.evaluation ? input.evaluation.labels : null, ...begin,
  });
  for (let i = 0; i < input.records.length; i += batch) stream.add(input.records.slice(i, i + batch));
  const { records: _r, ...end } = input;
  const bytes = await stream.finish(end);
  expect(stream.rebuilt, 'built from scratch at the end').toBe(rebuilt);
  return bytes;
}

describe('the results archive written as the run goes', () => {
  const secret = 'tok-secret-123';

  it.each([
    ['KwikID', kwikid, undefined],
    ['Deepvue', deepvue, undefined],
    ['KwikID with labels', kwikid, [['p0', 'same'], ['p1', 'different'], ['p4', 'same']] as [string, Expected][]],
  ])('has exactly the entries and bytes of the archive built at the end (%s)', async (_name, contract, labels) => {
    const input = reportInput(records(40, secret), contract, [secret], labels);
    const zip = await streamed(input);
    expectSameArchive(zip, await buildResultsZip(input));
    // What a user checks: the secret is gone, the duplicate pair got its own file, the text kept.
    const a = entries(zip);
    expect([...a.values()].join('\n')).not.toContain(secret);
    expect(a.get('results/p2.json')).toContain(REDACTED);
    expect(a.has('results/p3-2.json')).toBe(true);
    const summary = readWorkbookXml(workbookOf(zip)).get('Summary')!;
    expect(summary.rows()).toHaveLength(40);
    // A reader that walks the ZIP entry by entry (as some spreadsheet tools do) reads it too.
    const book = XLSX.read(workbookOf(zip), { type: 'array' });
    expect(XLSX.utils.sheet_to_json(book.Sheets.Summary!)).toHaveLength(40);
    expect(summary.column('error_message')[4]?.text).toContain(' No face <found> in "image2" & more');
  });

  it('builds the whole archive instead when a secret appeared during the run (a refreshed token)', async () => {
    const renewed = 'renewed-token-456';
    const recs = records(12, secret);
    recs[3] = ok('p3', { facematch_result: 'True', confidence_score: 0.9, credits_consumed: 1, echo: renewed });
    const input = reportInput(recs, kwikid, [secret, renewed]);
    const zip = await streamed(input, { secrets: [secret] }, true);
    expect([...entries(zip).values()].join('\n')).not.toContain(renewed);
    expectSameArchive(zip, await buildResultsZip(input));
  });

  it('builds the whole archive instead when the labels changed, so outcomes follow the labels chosen last', async () => {
    const input = reportInput(records(10, secret), kwikid, [secret], [['p0', 'different']]);
    const zip = await streamed(input, { labels: [['p0', 'same']] }, true);
    expect(JSON.parse(entries(zip).get('results/p0.json')!)).toMatchObject({ expected: 'different' });
    expectSameArchive(zip, await buildResultsZip(input));
  });

  it('keeps every record when fewer arrived than announced (a run that ended early)', async () => {
    const input = reportInput(records(9, secret), kwikid, [secret]);
    const zip = await streamed(input, { total: 20 }, true);
    expect([...entries(zip).keys()].filter((k) => k.startsWith('results/'))).toHaveLength(9);
    expectSameArchive(zip, await buildResultsZip(input));
  });
});
