import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { readResultsArchive } from '../core/archive/archive-read.ts';
import type { CallFn } from '../core/run/job.ts';
import type { PairEntry, PairRecord } from '../core/run/records.ts';
import { buildResultsZip, type ReportInput } from '../core/archive/report.ts';
import type { CallResult, ImagePart } from '../core/request/request.ts';
import type { OpenedZip } from '../core/zip/zip.ts';
import { kwikid } from '../core/contracts/contracts.ts';
import { createBulkStore } from './bulk.ts';
import { inThreadHost } from '../core/run/host.ts';
import { cardOf } from '../core/evaluation/evaluation-report.ts';
import { evalRows, evaluate } from '../core/evaluation/evaluation.ts';
import { createEvaluationStore, evaluationInputFor, evaluationLabels } from './evaluation.ts';
import { createSettingsStore } from './settings.ts';

const ORIGIN = 'http://127.0.0.1:8080';
/** Confidence the fake API gives pair i; it matches at 0.5 and above. Pairs p0–p2 are the same person. */
const SCORES = [0.9, 0.8, 0.45, 0.6, 0.2, 0.1];
const ZIP_LABELS = 'pair_id,expected\np0,same\np1,same\np2,same\np3,different\np4,different\np5,different\n';

function fakeZip(labelsCsv: string | null): OpenedZip {
  const pairs: PairEntry[] = SCORES.map((_, i) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.jpg`, image2_path: `p${i}_image2.jpg` }));
  const part = (name: string): ImagePart => ({ name, data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }) });
  return {
    pairs,
    skipped: labelsCsv === null ? [] : [{ path: 'labels.csv', reason: 'not an image pair' }],
    notices: [],
    entryCount: 2 * pairs.length,
    entries: [] as unknown as OpenedZip['entries'],
    readPair: async (p) => [part(`${p.pair_id}_image1.jpg`), part(`${p.pair_id}_image2.jpg`)],
    readText: async () => labelsCsv ?? '',
  };
}

const call: CallFn = async (_s, images) => {
  const i = Number(/^p(\d+)_/.exec(images[0].name)![1]);
  const score = SCORES[i]!;
  const result: CallResult = { ok: true, status: 200, timeMs: 10 + i, attempts: 1, body: { facematch_result: score >= 0.5 ? 'True' : 'False', confidence_score: score } };
  return result;
};

/** A Bulk store (fake API, spy download) and the evaluation store beside it, with a spy archive builder. */
function setup(labelsCsv: string | null = ZIP_LABELS) {
  const settings = createSettingsStore({ pageOrigin: ORIGIN, storage: () => undefined });
  const saved: { blob: Blob; fileName: string }[] = [];
  const built: ReportInput[] = [];
  const bulk = createBulkStore({
    settings: { snapshot: () => settings.getState().jobSnapshot() },
    host: inThreadHost({ call, publishMs: 0 }),
    openZip: async () => fakeZip(labelsCsv),
    download: { save: (blob, fileName) => saved.push({ blob, fileName }) },
  });
  const evaluation = createEvaluationStore({
    bulk,
    buildArchive: async (input) => {
      built.push(input);
      return buildResultsZip(input);
    },
  });
  return { bulk, evaluation, saved, built };
}

/** ZIP_LABELS with subjects and a capture column: p0, p2, p3 are selfies, p1, p4, p5 ID cards. */
const GROUPED_LABELS = 'pair_id,expected,subject1,subject2,capture\np0,same,A,A,selfie\np1,same,B,B,id_card\np2,same,C,C,selfie\np3,different,A,B,selfie\np4,different,B,C,id_card\np5,different,C,D,id_card\n';

/** The report card the app shows for the Bulk store's current labels, threshold and target FMR. */
function appCard(s: ReturnType<typeof setup>) {
  const b = s.bulk.getState();
  const e = s.evaluation.getState();
  const chosen = evaluationLabels(b);
  const input = evaluationInputFor(chosen, e.threshold, e.targetFmr)!;
  return cardOf(evaluate(evalRows(b.records, b.runContract!, chosen!.labels)), input);
}

const zipFile = () => new File([new Uint8Array(10)], 'pairs.zip', { type: 'application/zip' });
const csvFile = (text: string, name = 'my-labels.csv') => new File([text], name, { type: 'text/csv' });

async function reportHtml(blob: Blob): Promise<string> {
  const zip = await JSZip.loadAsync(await blob.arrayBuffer());
  return zip.file('report.html')!.async('string');
}

async function runOnce(s: ReturnType<typeof setup>) {
  await s.bulk.getState().loadFile(zipFile());
  await s.bulk.getState().run();
  expect(s.bulk.getState().phase).toBe('finished');
}

describe('createEvaluationStore', () => {
  it('downloads the run archive as built while nothing was chosen', async () => {
    const s = setup();
    await runOnce(s);
    expect(s.saved).toHaveLength(1);
    await s.evaluation.getState().download();
    expect(s.built).toHaveLength(0);
    expect(s.saved).toHaveLength(2);
    expect(s.saved[1]!.blob).toBe(s.saved[0]!.blob);
  });

  it('a chosen threshold rebuilds the archive once, with the threshold as "threshold used" in report.html', async () => {
    const s = setup();
    await runOnce(s);
    s.evaluation.getState().setThreshold(0.7);
    await s.evaluation.getState().download();
    expect(s.built).toHaveLength(1);
    expect(s.built[0]!.evaluation?.threshold).toBe(0.7);
    expect(s.built[0]!.evaluation?.labels).toHaveLength(6);
    const html = await reportHtml(s.saved.at(-1)!.blob);
    expect(html).toContain('Confusion matrix at threshold 0.7');
    // The same choice downloads the rebuilt archive again without a new build.
    await s.evaluation.getState().download();
    expect(s.built).toHaveLength(1);
    expect(s.saved.at(-1)!.blob).toBe(s.saved.at(-2)!.blob);
    // Back to the API's decision: rebuilt again, with no threshold.
    s.evaluation.getState().setThreshold(null);
    await s.evaluation.getState().download();
    expect(s.built).toHaveLength(2);
    expect(s.built[1]!.evaluation?.threshold).toBeNull();
  });

  it('clamps the threshold to the confidence scale and a new run starts from the API decision', async () => {
    const s = setup();
    await runOnce(s);
    s.evaluation.getState().setThreshold(1.4);
    expect(s.evaluation.getState().threshold).toBe(1);
    s.evaluation.getState().setThreshold(-1);
    expect(s.evaluation.getState().threshold).toBe(0);
    await s.bulk.getState().run();
    expect(s.evaluation.getState().threshold).toBeNull();
  });

  it('a labels CSV chosen beside the ZIP wins over its labels.csv, keeps line numbers in problems, and can be removed', async () => {
    const s = setup();
    await s.bulk.getState().loadFile(zipFile());
    expect(s.bulk.getState().labels?.source).toBe('labels.csv in pairs.zip');
    await s.evaluation.getState().chooseLabels(csvFile('pair_id,expected\np0,different\np1,same\nnobody,same\n'));
    const labels = s.bulk.getState().labels!;
    expect(labels.source).toBe('my-labels.csv');
    expect(labels.labels.get('p0')).toBe('different');
    expect(labels.same + labels.different).toBe(2);
    expect(labels.problems.join(' ')).toMatch(/my-labels\.csv line 4: nobody/);
    expect(s.evaluation.getState().zipLabels?.source).toBe('labels.csv in pairs.zip');
    // The run's archive uses the chosen labels.
    await s.bulk.getState().run();
    const rec = (await readResultsArchive(s.saved[0]!.blob)).records.find((r) => r.pair_id === 'p0')!;
    expect(rec.expected).toBe('different');
    expect(rec.outcome).toBe('FP');
    s.evaluation.getState().clearLabels();
    expect(s.bulk.getState().labels?.source).toBe('labels.csv in pairs.zip');
  });

  it('a labels CSV chosen before the ZIP is read against the ZIP once it loads', async () => {
    const s = setup(null);
    await s.evaluation.getState().chooseLabels(csvFile('pair_id;expected\r\np3;same\r\n'));
    expect(s.bulk.getState().labels).toBeNull();
    await s.bulk.getState().loadFile(zipFile());
    expect(s.bulk.getState().labels?.labels.get('p3')).toBe('same');
    expect(s.evaluation.getState().zipLabels).toBeNull();
  });

  it('compares with a previous archive, lists the planted flip, and Download adds the comparison', async () => {
    const s = setup();
    await runOnce(s);
    // The previous run: this run's records with p3's verdict flipped and p5 missing.
    const records: PairRecord[] = s.bulk.getState().records.map((r) => (r.pair_id === 'p3' && r.success
      ? { ...r, body: { facematch_result: 'False', confidence_score: 0.3 } }
      : r)).filter((r) => r.pair_id !== 'p5');
    const previous = await buildResultsZip({
      records, skipped: [], notices: [], contract: kwikid, endpoint: `${ORIGIN}/facematch`, startedAt: '2026-12-01T00:00:00Z', finishedAt: '2026-12-01T00:01:00Z',
    });
    await s.evaluation.getState().compareWith(new File([previous as Uint8Array<ArrayBuffer>], 'facematch-bulk-1.zip'));
    const c = s.evaluation.getState().comparison!;
    expect(c.flips.map((p) => p.pair_id)).toEqual(['p3']);
    expect(c.onlyAfter).toEqual(['p5']);
    await s.evaluation.getState().download();
    expect(s.built.at(-1)!.comparison).toBe(c);
    const zip = await JSZip.loadAsync(await s.saved.at(-1)!.blob.arrayBuffer());
    expect(await zip.file('report.html')!.async('string')).toContain('p3');
  });

  it('says which file could not be compared, in a sentence', async () => {
    const s = setup();
    await runOnce(s);
    await s.evaluation.getState().compareWith(new File(['not a zip'], 'facematch-bulk-2.zip'));
    expect(s.evaluation.getState().comparison).toBeNull();
    expect(s.evaluation.getState().compareError).toMatch(/^facematch-bulk-2\.zip is not a ZIP archive/);
  });

  it('the groups of labels.csv: the app\'s card counts them per capture, and a reopened archive shows the same groups and subject intervals', async () => {
    const s = setup(GROUPED_LABELS);
    await runOnce(s);
    // At the API's decision: p0 TP, p2 FN, p3 FP (selfies); p1 TP, p4 TN, p5 TN (ID cards).
    const expectCapture = (card: ReturnType<typeof appCard>) => {
      const capture = card.groups.find((g) => g.column === 'capture')!;
      expect(capture.groups.map((g) => [g.value, g.figures.pairs, g.figures.excluded.fmr.text, g.figures.excluded.fnmr.text])).toEqual([
        ['id_card', 3, '0 of 2 (≤ 65.8 % at 95 %)', '0 of 1 (≤ 79.3 % at 95 %)'],
        ['selfie', 3, expect.stringMatching(/^1 of 1 = 100.0 % /), expect.stringMatching(/^1 of 2 = 50.0 % /)],
      ]);
      expect(card.intervals.method).toBe('subject-bootstrap');
    };
    const live = appCard(s);
    expect(live.groupColumns).toEqual(['capture']);
    expectCapture(live);

    const t = setup();
    await t.bulk.getState().openResults(new File([s.saved[0]!.blob], 'facematch-bulk-9.zip', { type: 'application/zip' }));
    expect(t.bulk.getState().reopened).toBe(true);
    const reopened = appCard(t);
    expectCapture(reopened);
    expect(reopened.groups).toEqual(live.groups);
  });

  it('a typed target FMR gives its threshold in the app and in the downloaded archive; a bad one is named and changes nothing', async () => {
    const s = setup();
    await runOnce(s);
    s.evaluation.getState().setTargetFmr('40 %');
    expect(s.evaluation.getState().targetFmr).toBe(0.4);
    const target = appCard(s).targets[0]!;
    // Different-person confidences 0.6, 0.2, 0.1: at 0.45 one of three (33 %) still matches, so the lowest threshold is 0.45.
    expect([target.label, target.threshold, target.fmr.k, target.fmr.n, target.fnmr.k]).toEqual(['40 %', 0.45, 1, 3, 0]);
    expect(target.warning).toMatch(/Only 3 different-person pair\(s\) were decided: fewer than 8/);

    s.evaluation.getState().setTargetFmr('forty');
    expect(s.evaluation.getState().targetFmrProblem).toMatch(/^Target FMR must be a rate above 0 and under 100 %.*not "forty"/);
    expect(s.evaluation.getState().targetFmr).toBe(0.4);

    await s.evaluation.getState().download();
    expect(s.built.at(-1)!.evaluation?.targetFmrs).toEqual([0.4, 0.01, 0.001]);
    expect(await reportHtml(s.saved.at(-1)!.blob)).toContain('40 %');
  });

  it('a typed threshold moves the what-if; a value off the 0–1 scale gets a sentence and keeps the last one', () => {
    const s = setup();
    s.evaluation.getState().typeThreshold('0,45');
    expect(s.evaluation.getState().threshold).toBe(0.45);
    s.evaluation.getState().typeThreshold('1.5');
    expect(s.evaluation.getState().threshold).toBe(0.45);
    expect(s.evaluation.getState().thresholdProblem).toBe('Threshold must be a confidence from 0 to 1 (e.g. 0.62), not "1.5". A pair matches when its confidence is at or above it.');
    s.evaluation.getState().setThreshold(0.3);
    expect(s.evaluation.getState().thresholdProblem).toBeNull();
  });

  it('a reopened archive is rebuilt from its own results with the chosen threshold and its records’ labels', async () => {
    const s = setup();
    await runOnce(s);
    const archive = s.saved[0]!.blob;
    const t = setup();
    await t.bulk.getState().openResults(new File([archive], 'facematch-bulk-9.zip', { type: 'application/zip' }));
    expect(t.bulk.getState().reopened).toBe(true);
    t.evaluation.getState().setThreshold(0.4);
    await t.evaluation.getState().download();
    expect(t.built).toHaveLength(1);
    const input = t.built[0]!;
    expect(input.evaluation?.threshold).toBe(0.4);
    expect(new Map(input.evaluation!.labels).get('p2')).toBe('same');
    expect(input.records).toHaveLength(6);
    expect(input.manifest?.pair_ids).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    const reread = await readResultsArchive(t.saved.at(-1)!.blob);
    expect(reread.records.map((r) => r.outcome)).toEqual(['TP', 'TP', 'FN', 'FP', 'TN', 'TN']);
    expect(await reportHtml(t.saved.at(-1)!.blob)).toContain('Confusion matrix at threshold 0.4');
  });
});
