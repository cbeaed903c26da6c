import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { deepvue, kwikid, readVerdict } from '../contracts/contracts.ts';
import { ArchiveReadError, isResultsArchiveName, readResultsArchive } from './archive-read.ts';
import { notRunRecord, recordFromCall, type PairEntry, type PairRecord } from '../run/records.ts';
import { buildResultsZip, type ReportInput } from './report.ts';

const pair = (id: string): PairEntry => ({ pair_id: id, image1_path: `set/${id}_image1.jpg`, image2_path: `set/${id}_image2.png` });
const ok = (id: string, match: boolean, ms = 100): PairRecord => recordFromCall(pair(id), {
  ok: true, status: 200, timeMs: ms, attempts: 1,
  body: { facematch_result: match ? 'True' : 'False', confidence_score: match ? 0.9 : 0.1, credits_consumed: 1 },
});
const failed = (id: string): PairRecord => recordFromCall(pair(id), {
  ok: false, status: 500, timeMs: 12, attempts: 3, error: { type: 'http', message: 'The server failed (HTTP 500).' }, errorBody: { detail: 'boom' },
});

function input(records: PairRecord[], extra: Partial<ReportInput> = {}): ReportInput {
  return {
    records, skipped: [], notices: [], contract: kwikid, endpoint: 'http://127.0.0.1:8080/facematch',
    startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:01:00.000Z', ...extra,
  };
}

/** Ids that sort differently from input order, plus folder-prefixed and unsafe ones. */
const ids = ['pair10', 'pair2', 'Zed', 'alpha', 'batchA/customer01', 'batchB/customer01', 'con', 'a..b'];
const records = (): PairRecord[] => ids.map((id, i) => (i === 3 ? failed(id) : i === 5 ? notRunRecord(pair(id)) : ok(id, i % 2 === 0, 100 + i)));

async function expectReadError(data: Uint8Array, name: string, pattern: RegExp): Promise<void> {
  const err = await readResultsArchive(data, name).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ArchiveReadError);
  const message = (err as Error).message;
  expect(message).toContain(name);
  expect(message).toMatch(pattern);
  expect(message).not.toMatch(/\n\s+at |fflate|jszip|xlsx/i);
}

describe('readResultsArchive', () => {
  it('reads back every record of an archive built by the report builder, in input order, with every field', async () => {
    const recs = records();
    recs[0] = { ...recs[0]!, resumed: true };
    const archive = await buildResultsZip(input(recs));
    const read = await readResultsArchive(archive, 'facematch-bulk-1.zip');
    expect(read.records).toEqual(recs);
    expect(read.records.map((r) => r.pair_id)).toEqual(ids);
    expect(read.run.manifest).toBeNull();
    expect(read.run.contract).toBe(kwikid);
    expect(read.run.contractFromManifest).toBe(false);
    expect(read.run.warnings).toEqual([]);
  });

  it('reopens an archive whose records hold every kind of failure, no face included (the small or blurred selfies of a sweep)', async () => {
    const kinds = ['http', 'network', 'timeout', 'aborted', 'invalid_json', 'no_face'] as const;
    const recs = kinds.map((type, i) => recordFromCall(pair(`f${i}`), { ok: false, status: type === 'no_face' ? 422 : null, timeMs: 5, attempts: 1, error: { type, message: `Failed: ${type}.` } }));
    recs.push(notRunRecord(pair('f9')));
    const read = await readResultsArchive(await buildResultsZip(input(recs)), 'facematch-bulk-3.zip');
    expect(read.records).toEqual(recs);
    expect(read.records.map((r) => ('error' in r ? r.error?.type : null))).toEqual([...kinds, 'not_run']);
  });

  it('never decompresses summary.xlsx (a crafted workbook is not even read)', async () => {
    const files = unzipSync(await buildResultsZip(input(records())));
    files['summary.xlsx'] = strToU8('not a workbook at all');
    const read = await readResultsArchive(zipSync(files), 'facematch-bulk-2.zip');
    expect(read.records).toHaveLength(ids.length);
  });

  it('infers the Deepvue contract from the bodies when there is no run.json', async () => {
    const body = { code: 200, data: { match: true, confidence: 91.5 } };
    const rec = recordFromCall(pair('dv'), { ok: true, status: 200, timeMs: 50, attempts: 1, body });
    const read = await readResultsArchive(await buildResultsZip(input([rec], { contract: deepvue })), 'facematch-bulk-3.zip');
    expect(read.run.contract.id).toBe(deepvue.id);
  });

  it('reads run.json tolerantly: its pair order, input file, settings, counts and contract', async () => {
    const recs = records();
    const files = unzipSync(await buildResultsZip(input(recs)));
    // The manifest may list the input order even when the entries were re-zipped in another order.
    const shuffled: Record<string, Uint8Array> = {};
    for (const name of Object.keys(files).reverse()) shuffled[name] = files[name]!;
    shuffled['run.json'] = strToU8(JSON.stringify({
      app_version: '0.1.0', provider: 'kwikid', started_at: '2026-01-01T10:00:00.000Z', stopReason: 'Stopped by the user.',
      input: { name: 'regress.zip', size: 1234, fingerprint: 'fm1-16-abc' },
      settings: { baseUrl: 'http://127.0.0.1:8080', timeoutMs: 30000 },
      counts: { pairs: 8, succeeded: 6, failed: 1, not_run: 1 },
      rerun: 2,
      pairs: ids,
      skipped: [{ path: 'set/readme.txt', reason: 'Not an image.' }],
      some_future_key: { kept: true },
    }));
    const read = await readResultsArchive(zipSync(shuffled), 'facematch-bulk-4.zip');
    expect(read.records.map((r) => r.pair_id)).toEqual(ids);
    expect(read.run).toMatchObject({
      contractFromManifest: true, appVersion: '0.1.0', startedAt: '2026-01-01T10:00:00.000Z', stopReason: 'Stopped by the user.',
      input: { name: 'regress.zip', size: 1234, fingerprint: 'fm1-16-abc' },
      settings: { baseUrl: 'http://127.0.0.1:8080', timeoutMs: 30000 },
      counts: { pairs: 8, succeeded: 6, failed: 1, not_run: 1 }, rerun: 2,
      skipped: [{ path: 'set/readme.txt', reason: 'Not an image.' }],
    });
    expect(read.run.manifest?.some_future_key).toEqual({ kept: true });
  });

  it('reads an archive of the user\'s own definition with the definition its run.json records', async () => {
    const acme = {
      id: 'acme', label: 'Acme', path: '/v1/compare', request: { encoding: 'json', json: { a: '{{image1.base64}}', b: '{{image2.base64}}' } },
      verdict: { path: ['verdict'], matchValue: 'same' }, confidence: { path: ['score'], scale: 100 },
    };
    const rec = (id: string, verdict: string, score: number) => recordFromCall(pair(id), { ok: true, status: 200, timeMs: 50, attempts: 1, body: { verdict, score } });
    const files = unzipSync(await buildResultsZip(input([rec('p1', 'same', 91), rec('p2', 'different', 12)])));
    files['run.json'] = strToU8(JSON.stringify({ settings: { provider: 'acme', provider_definition: acme }, pair_ids: ['p1', 'p2'] }));
    const read = await readResultsArchive(zipSync(files), 'acme-run.zip');
    expect(read.run).toMatchObject({ contractFromManifest: true, contract: { id: 'acme', label: 'Acme', verdict: acme.verdict } });
    expect(read.records.map((r) => readVerdict(read.run.contract, r.success ? r.body : null)?.match)).toEqual([true, false]);
    expect(read.run.warnings).toEqual([]);

    // A recorded definition this version cannot read is named; the answers are then read with a preset.
    files['run.json'] = strToU8(JSON.stringify({ settings: { provider: 'acme', provider_definition: { ...acme, path: 'https://elsewhere.example/x' } } }));
    const old = await readResultsArchive(zipSync(files), 'acme-run.zip');
    expect(old.run.contractFromManifest).toBe(false);
    expect(old.run.warnings.some((w) => w.startsWith('run.json in acme-run.zip records the provider definition "acme", which this version cannot read ("path" must be a path on the Base URL'))).toBe(true);
  });

  it('keeps the records and warns when run.json is malformed or its pair list does not match', async () => {
    const files = unzipSync(await buildResultsZip(input(records())));
    const bad = await readResultsArchive(zipSync({ ...files, 'run.json': strToU8('{ nope') }), 'facematch-bulk-5.zip');
    expect(bad.records).toHaveLength(ids.length);
    expect(bad.run.warnings.join(' ')).toMatch(/run\.json in facematch-bulk-5\.zip is not valid JSON/);
    const short = await readResultsArchive(zipSync({ ...files, 'run.json': strToU8(JSON.stringify({ pairs: ['pair10'] })) }), 'facematch-bulk-6.zip');
    expect(short.records.map((r) => r.pair_id)).toEqual(ids);
    expect(short.run.warnings.join(' ')).toMatch(/lists 1 pairs but the archive holds 8 records/);
  });

  it('reads an archive that was extracted and compressed again as a folder (macOS extras ignored)', async () => {
    const files = unzipSync(await buildResultsZip(input(records())));
    const wrapped: Record<string, Uint8Array> = { '__MACOSX/facematch-bulk-7/results/._pair10.json': strToU8('junk') };
    for (const [name, data] of Object.entries(files)) wrapped[`facematch-bulk-7/${name}`] = data;
    const read = await readResultsArchive(zipSync(wrapped), 'facematch-bulk-7.zip');
    expect(read.records).toEqual(records());
  });

  it('refuses what is not a results archive with a sentence naming the file', async () => {
    await expectReadError(new Uint8Array(), 'empty.zip', /is empty/);
    await expectReadError(strToU8('hello'), 'notes.zip', /is not a ZIP archive/);
    await expectReadError(zipSync({ 'set/a_image1.jpg': strToU8('x') }), 'regress.zip', /holds no results\/\*\.json records/);
    const archive = await buildResultsZip(input(records()));
    await expectReadError(archive.subarray(0, archive.length - 30), 'facematch-bulk-8.zip', /truncated or damaged/);
  });

  it('names the entry of a damaged record and what is wrong with it', async () => {
    const files = unzipSync(await buildResultsZip(input(records())));
    const name = Object.keys(files).find((n) => n.startsWith('results/'))!;
    await expectReadError(zipSync({ ...files, [name]: strToU8('{"pair_id": ') }), 'facematch-bulk-9.zip', new RegExp(`${name.replace(/[.]/g, '\\.')} in facematch-bulk-9\\.zip is not valid JSON`));
    const noId = JSON.stringify({ ...records()[0], pair_id: 7 });
    await expectReadError(zipSync({ ...files, [name]: strToU8(noId) }), 'facematch-bulk-9.zip', /is not a result record: "pair_id" is missing or not text/);
    const noError = JSON.stringify({ ...records()[3], error: 'boom' });
    await expectReadError(zipSync({ ...files, [name]: strToU8(noError) }), 'facematch-bulk-9.zip', /"error" must hold a "type"/);
  });

  it('refuses an entry that declares more than a results archive holds, before decompressing it', async () => {
    const files = unzipSync(await buildResultsZip(input(records())));
    const err = await readResultsArchive(zipSync(files), 'facematch-bulk-10.zip', { maxEntryBytes: 100 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveReadError);
    expect((err as Error).message).toMatch(/results\/.+\.json in facematch-bulk-10\.zip is .+ uncompressed/);
  });

  it('recognises results archive names', () => {
    expect(isResultsArchiveName('facematch-bulk-1764600000000.zip')).toBe(true);
    expect(isResultsArchiveName('C:\\Downloads\\facematch-bulk-1 (1).zip')).toBe(true);
    expect(isResultsArchiveName('regress.zip')).toBe(false);
  });
});
