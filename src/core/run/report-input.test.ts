import 'fake-indexeddb/auto';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { readWorkbookXml, type XmlSheet } from '../../../test/xlsx-xml.ts';
import { readResultsArchive } from '../archive/archive-read.ts';
import { kwikid } from '../contracts/contracts.ts';
import type { FinishedRun, JobSnapshot } from './job.ts';
import { Journal, journalSettings } from './journal.ts';
import { createRecorder } from './journal-run.ts';
import { mergeArchives } from '../archive/merge.ts';
import { notRunRecord, type PairEntry, type PairRecord } from './records.ts';
import { buildResultsZip } from '../archive/report.ts';
import { idbJournalBackend } from '../../lib/journal-idb.ts';
import { reportInputOfRun, type RunLabels } from './report-input.ts';
import { soFarReportInput } from './so-far.ts';

const pairs: PairEntry[] = ['a', 'b', 'c', 'd'].map((id) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` }));
const ok = (p: PairEntry, score: number): PairRecord => ({
  pair_id: p.pair_id, image1_path: p.image1_path, image2_path: p.image2_path, success: true, http_status: 200, response_time_ms: 5,
  body: { facematch_result: score >= 0.5 ? 'True' : 'False', confidence_score: score }, attempts: 1,
});
const snapshot: JobSnapshot = { contract: kwikid, baseUrl: 'http://127.0.0.1:9', credentials: { token: 'shard-secret-token' }, timeoutMs: 7000, retries: 3, concurrency: 2, ratePerSecond: 5 };
const labels: RunLabels = { labels: [['a', 'same'], ['b', 'different'], ['c', 'same'], ['d', 'different']], source: 'labels.csv in pairs.zip' };
const input = { name: 'pairs.zip', size: 1234, fingerprint: 'fp-1' };

/** One shard's archive, as `facematch run --shard` or Bulk mode writes it. */
async function shard(indices: number[]): Promise<Uint8Array> {
  const records = pairs.map((p, i) => (indices.includes(i) ? ok(p, i % 2 ? 0.2 : 0.9) : null)).filter((r): r is PairRecord => r !== null);
  const run: FinishedRun = { records, snapshot, startedAt: '2026-12-06T03:00:00.000Z', finishedAt: '2026-12-06T03:01:00.000Z', stopped: false, secrets: ['shard-secret-token'], engine: 'instant' };
  return buildResultsZip(reportInputOfRun(run, { input, labels, skipped: [], notices: [] }));
}

function runSheet(sheets: Map<string, XmlSheet>): Map<string, string | undefined> {
  return new Map(sheets.get('Run')!.rows().map((r) => [r.get('field')!.text, r.get('value')?.text]));
}

describe('the one ReportInput builder', () => {
  it('a merged archive keeps the Evaluation sheet, expected/outcome and the Run sheet of its shards, and report.html its evaluation', async () => {
    const a = await readResultsArchive(await shard([0, 2]), 'shard-1.zip');
    const b = await readResultsArchive(await shard([1, 3]), 'shard-2.zip');
    const merged = await JSZip.loadAsync(await buildResultsZip(mergeArchives([a, b])));
    const sheets = readWorkbookXml(await merged.file('summary.xlsx')!.async('uint8array'));
    expect([...sheets.keys()]).toContain('Evaluation');
    expect(sheets.get('Summary')!.header.slice(-2)).toEqual(['expected', 'outcome']);
    const run = runSheet(sheets);
    expect(run.get('input ZIP')).toBe('pairs.zip');
    expect(run.get('app version')).toBeTruthy();
    expect(run.get('timeout (s)')).toBe('7');
    expect(run.get('retries')).toBe('3');
    expect(run.get('concurrency')).toBe('2');
    expect(run.get('rate limit (calls/s)')).toBe('5');
    // The engine mode and where the labels came from survive the merge (run.json states both).
    expect(run.get('engine mode')).toBe('instant');
    expect(sheets.get('Evaluation')!.xml).toContain('labels.csv in pairs.zip');
    const d = JSON.parse(await merged.file('results/d.json')!.async('string')) as PairRecord;
    expect([d.expected, d.outcome]).toEqual(['different', 'TN']);
    const html = await merged.file('report.html')!.async('string');
    expect(html).not.toContain('No labels were given');
    expect(JSON.stringify(await merged.file('run.json')!.async('string'))).not.toContain('shard-secret-token');
  });

  it('labels.csv\'s problems are among the archive\'s notices (Notices sheet and run.json), whichever host ran it', async () => {
    const problem = 'labels.csv in pairs.zip line 6: e is not a pair in the ZIP, so this label is not used.';
    const run: FinishedRun = { records: pairs.map((p) => ok(p, 0.9)), snapshot, startedAt: '2026-12-06T03:00:00.000Z', finishedAt: '2026-12-06T03:01:00.000Z', stopped: false, secrets: [], engine: 'instant' };
    const report = reportInputOfRun(run, { input, labels: { ...labels, problems: [problem] }, skipped: [], notices: ['a notice of the ZIP'] });
    expect(report.notices).toEqual(['a notice of the ZIP', problem]);
    expect(report.manifest!.notices).toEqual(['a notice of the ZIP', problem]);
    expect(report.manifest!.labels_source).toBe('labels.csv in pairs.zip');
    expect(report.manifest!.settings.engine).toBe('instant');
  });

  it('labels.csv\'s subject and group columns travel in the records (label_columns): a merged archive has the same Groups sheet and subject-bootstrap intervals', async () => {
    const grouped: RunLabels = {
      ...labels,
      attributes: { columns: ['subject1', 'subject2', 'capture'], rows: [['a', ['S1', 'S1', 'selfie']], ['b', ['S1', 'S2', 'id_card']], ['c', ['S3', 'S3', 'id_card']], ['d', ['S2', 'S3', 'selfie']]] },
    };
    const build = async (indices: number[]) => {
      const records = pairs.map((p, i) => (indices.includes(i) ? ok(p, i % 2 ? 0.2 : 0.9) : null)).filter((r): r is PairRecord => r !== null);
      const run: FinishedRun = { records, snapshot, startedAt: '2026-12-06T03:00:00.000Z', finishedAt: '2026-12-06T03:01:00.000Z', stopped: false, secrets: [], engine: 'instant' };
      return buildResultsZip(reportInputOfRun(run, { input, labels: grouped, skipped: [], notices: [] }));
    };
    const a = await readResultsArchive(await build([0, 2]), 'shard-1.zip');
    expect(a.records.find((r) => r.pair_id === 'a')!.label_columns).toEqual({ subject1: 'S1', subject2: 'S1', capture: 'selfie' });
    const b = await readResultsArchive(await build([1, 3]), 'shard-2.zip');
    const mergedInput = mergeArchives([a, b]);
    expect(mergedInput.evaluation?.attributes?.columns).toEqual(['subject1', 'subject2', 'capture']);
    const merged = await JSZip.loadAsync(await buildResultsZip(mergedInput));
    const sheets = readWorkbookXml(await merged.file('summary.xlsx')!.async('uint8array'));
    // The sheet's first table (the ratio table under it has other columns).
    const groups = sheets.get('Groups')!.rows().filter((r) => r.get('grouping')?.text === 'capture' && /^(id_card|selfie)$/.test(r.get('group')?.text ?? ''));
    // a (same, matched) and d (different, not matched) are selfies; b (different, not matched) and c (same, matched) ID cards.
    expect(groups.map((r) => [r.get('group')!.text, r.get('pairs')!.text, r.get('same')!.text, r.get('different')!.text])).toEqual([['id_card', '2', '1', '1'], ['selfie', '2', '1', '1']]);
    const evaluation = new Map(sheets.get('Evaluation')!.rows().map((r) => [r.get('metric')!.text, r.get('value')?.text]));
    expect(evaluation.get('intervals')).toBe('subject-bootstrap');
    // The Summary sheet keeps its declared columns: label_columns is in results/*.json only.
    expect(sheets.get('Summary')!.header.slice(-2)).toEqual(['expected', 'outcome']);
  });

  it('"Download results so far" has run.json with the run\'s settings and input, so it can be reopened and merged', async () => {
    const journal = new Journal(idbJournalBackend('so-far-run-json'));
    const run = await journal.start({
      id: journal.newId(), input: { ...input, lastModified: 1 }, pairs, skipped: [], notices: [],
      settings: journalSettings(snapshot, false), startedAt: '2026-12-06T03:00:00.000Z', labels,
    });
    const rec = createRecorder(journal, run);
    rec.record(ok(pairs[0]!, 0.9), 0);
    rec.record(ok(pairs[1]!, 0.2), 1);
    await rec.flush();
    const read = (await journal.read(run.id))!;
    const bytes = await buildResultsZip(soFarReportInput(read, Date.parse('2026-12-06T03:05:00.000Z')));
    const back = await readResultsArchive(bytes, 'so-far.zip');
    expect(back.run.manifest).not.toBeNull();
    expect(back.run.input?.fingerprint).toBe('fp-1');
    expect(back.run.stopped).toBe(true);
    expect(back.run.settings).toMatchObject({ timeout_ms: 7000, retries: 3, concurrency: 2, max_requests_per_second: 5 });
    expect(back.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['ok', 'ok', 'not_run', 'not_run']);
    expect(back.records[0]!.expected).toBe('same');
    // It merges with the archive of the pairs it did not have (records overlap-free).
    const rest = await readResultsArchive(await shard([2, 3]), 'rest.zip');
    const soFarDone = { ...back, records: back.records.slice(0, 2) };
    expect(mergeArchives([soFarDone, rest]).records.map((r) => r.pair_id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a not_run record is not done: the journal\'s progress does not count it', async () => {
    const journal = new Journal(idbJournalBackend('not-run-progress'));
    const run = await journal.start({
      id: journal.newId(), input: { ...input, lastModified: 1 }, pairs, skipped: [], notices: [],
      settings: journalSettings(snapshot, false), startedAt: '2026-12-06T03:00:00.000Z',
    });
    const rec = createRecorder(journal, run);
    rec.record(ok(pairs[0]!, 0.9), 0);
    for (let i = 1; i < 4; i++) rec.record(notRunRecord(pairs[i]!), i);
    await rec.flush();
    expect((await journal.banner())?.progress).toMatchObject({ done: 1, notRun: 3 });
  });
});
