import { describe, expect, it } from 'vitest';
import { kwikid } from '../contracts/contracts.ts';
import { compareRuns } from './compare.ts';
import { buildReportHtml, compareSheetRows, evaluationOf, evaluationSheetRows, type EvaluationInput } from './evaluation-report.ts';
import { notRunRecord, recordFromCall, type PairRecord } from '../run/records.ts';
import { summarise } from '../run/stats.ts';
import { withOutcomes } from './evaluation.ts';

const pair = (id: string) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
const kw = (id: string, match: boolean, conf: number): PairRecord =>
  recordFromCall(pair(id), { ok: true, status: 200, timeMs: 100 + conf * 100, attempts: 1, body: { facematch_result: match ? 'True' : 'False', confidence_score: conf } });
const records = [kw('s1', true, 0.9), kw('s2', true, 0.7), kw('s3', false, 0.4), kw('d1', false, 0.1), kw('d2', true, 0.6), kw('d3', false, 0.2), kw('u1', true, 0.8)];
const input: EvaluationInput = {
  labels: [['s1', 'same'], ['s2', 'same'], ['s3', 'same'], ['d1', 'different'], ['d2', 'different'], ['d3', 'different']],
  labelsSource: 'labels.csv in pairs.zip',
  threshold: 0.65,
};

describe('Evaluation sheet', () => {
  const rows = evaluationSheetRows(evaluationOf(records, kwikid, input), input);
  const byMetric = new Map(rows.slice(1).map((r) => [r[0], r]));

  it('has the documented columns and metric names, with numbers as numbers', () => {
    expect(rows[0]).toEqual(['metric', 'value', 'ci_low', 'ci_high', 'n', 'note']);
    for (const m of ['FMR', 'FNMR', 'EER', 'EER threshold', 'FNMR@FMR=1%', 'FNMR@FMR=0.1%', 'TP', 'TN', 'FP', 'FN', 'errors', 'threshold used']) {
      expect(byMetric.has(m), m).toBe(true);
    }
    // At the API's decision: s1 s2 TP, s3 FN, d1 d3 TN, d2 FP.
    expect(byMetric.get('TP')!.slice(1, 2)).toEqual([2]);
    expect(byMetric.get('FN')![1]).toBe(1);
    expect(byMetric.get('FP')![1]).toBe(1);
    expect(byMetric.get('TN')![1]).toBe(2);
    expect(byMetric.get('FMR')!.slice(1, 5)).toEqual([1 / 3, expect.any(Number), expect.any(Number), 3]);
    expect(byMetric.get('threshold used')![1]).toBe(0.65);
    // Scores: same 0.9 0.7 0.4, different 0.6 0.2 0.1 → at 0.65: d2 becomes TN, FMR 0.
    expect(byMetric.get('FP at threshold used')![1]).toBe(0);
    expect(byMetric.get('FNMR@FMR=1%')![1]).toBeNull();
    expect(byMetric.get('FNMR@FMR=1%')![5]).toBe('needs ≥ 300 different-person pairs (has 3)');
  });
});

describe('Compare sheet', () => {
  it('puts flips first and lists pairs in one run only', () => {
    const c = compareRuns({ name: 'old.zip', records: [kw('a', true, 0.9), kw('b', true, 0.9), kw('gone', true, 0.9)], contract: kwikid },
      { name: 'new.zip', records: [kw('a', true, 0.8), kw('b', false, 0.3)], contract: kwikid });
    const rows = compareSheetRows(c);
    expect(rows[1]!.slice(0, 4)).toEqual(['b', 'flip', true, false]);
    expect(rows[3]!.slice(0, 2)).toEqual(['gone', 'only_before']);
  });
});

describe('report.html', () => {
  it('names each failing pair\'s error in a word and states a repeated error sentence once', async () => {
    const slow = 'No answer from http://127.0.0.1:8787/facematch within 1 s; the call was abandoned. Raise the timeout in the settings if the API is just slow.';
    const ids = Array.from({ length: 27 }, (_, i) => `t${i}`);
    const c = compareRuns({ name: 'old.zip', records: ids.map((id) => kw(id, true, 0.9)), contract: kwikid },
      { name: 'new.zip', records: ids.map((id) => recordFromCall(pair(id), { ok: false, status: null, timeMs: 1000, attempts: 1, error: { type: 'timeout', message: slow } })), contract: kwikid });
    const html = await buildReportHtml({ provider: 'KwikID', endpoint: 'e', startedAt: 's', finishedAt: 'f', records: [], comparison: c });
    expect(html.split(slow).length - 1).toBe(1);
    expect(html).toContain('<strong>timeout</strong> (27 pairs): ' + slow);
    expect(html).toMatch(/<tr><td>t0<\/td><td>match → error<\/td>(<td>[^<]*<\/td>){3}<td>timeout<\/td><\/tr>/);
  });

  it('is self-contained: the tables, every chart as inline SVG, no script, no outside resource', async () => {
    const c = compareRuns({ name: 'old.zip', records, contract: kwikid }, { name: 'new.zip', records: [kw('s1', false, 0.3)], contract: kwikid });
    const html = await buildReportHtml({
      provider: 'KwikID', endpoint: 'http://127.0.0.1/facematch', startedAt: 's', finishedAt: 'f', records,
      evaluation: { ev: evaluationOf(records, kwikid, input), input }, comparison: c,
    });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).toContain("default-src 'none'");
    const charts = [...html.matchAll(/<svg [^>]*data-chart="([a-z]+)"/g)].map((m) => m[1]);
    expect(charts).toEqual(['roc', 'det', 'scores', 'rates', 'latency', 'deltas']);
    expect(html).toContain('Confusion matrix at threshold 0.65');
    expect(html).toMatch(/Verdict flips \(1\)/);
  });

  it('escapes pair ids', async () => {
    const html = await buildReportHtml({ provider: 'K', endpoint: 'e', startedAt: 's', finishedAt: 'f', records: [], evaluation: {
      ev: evaluationOf([kw('<img src=x>', true, 0.9)], kwikid, { ...input, labels: [['<img src=x>', 'different']] }), input: { ...input, labels: [['<img src=x>', 'different']] },
    } });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x&gt;');
  });
});

describe('report.html as a report card', () => {
  const failedUnlabelled = recordFromCall(pair('x9'), { ok: false, status: 503, timeMs: 40, attempts: 2, error: { type: 'http', message: 'The API is unavailable (HTTP 503).' } });
  const all = [...records, failedUnlabelled, notRunRecord(pair('s4'))];
  const labelled: EvaluationInput = {
    ...input, threshold: null, labels: [...input.labels, ['s4', 'same']],
    attributes: { columns: ['capture'], rows: [['s1', ['selfie']], ['s2', ['id']], ['s3', ['selfie']], ['d1', ['id']], ['d2', ['selfie']], ['d3', ['id']], ['s4', ['id']]] },
  };
  const page = async () => {
    const c = compareRuns({ name: 'old.zip', records: all, contract: kwikid }, { name: 'new.zip', records: all.map((r) => (r.pair_id === 's3' ? kw('s3', true, 0.8) : r)), contract: kwikid });
    return buildReportHtml({
      // As report.ts passes them: records with expected/outcome (archiveRecords).
      provider: 'KwikID', endpoint: 'http://127.0.0.1/facematch', startedAt: 's', finishedAt: 'f', records: withOutcomes(all, kwikid, new Map(labelled.labels)), contract: kwikid, stats: summarise(all, kwikid),
      run: [['provider', 'KwikID'], ['input ZIP', 'pairs.zip'], ['timeout (s)', 30], ['app version', null]],
      evaluation: { ev: evaluationOf(all, kwikid, labelled), input: labelled }, comparison: c,
    });
  };

  it('opens on the run: its facts, counts by outcome, errors by type (the unlabelled failed pair included) and p50/p95/p99', async () => {
    const html = await page();
    expect(html.indexOf('id="run"')).toBeLessThan(html.indexOf('id="evaluation"'));
    expect(html).toMatch(/<th scope="row">input ZIP<\/th><td>pairs\.zip<\/td>/);
    expect(html).not.toContain('app version');
    expect(html).toMatch(/<caption>Pairs without a decision, by error type<\/caption>[\s\S]*?<td>http<\/td><td>1<\/td><td>1<\/td>[\s\S]*?<td>not_run<\/td><td>1<\/td><td>0<\/td>/);
    expect(html).toMatch(/<td>x9<\/td><td>unlabelled<\/td><td>http<\/td><td>The API is unavailable \(HTTP 503\)\.<\/td>/);
    expect(html).toMatch(/<th scope="col">p99 \(ms\)<\/th>/);
  });

  it('then both conventions, the groups, the target-FMR table and McNemar\'s sentence; still no script', async () => {
    const html = await page();
    // s4 was never sent: failures included counts it as a false non-match (2 of 4), excluded leaves it out (1 of 3).
    expect(html).toMatch(/<th scope="row">FNMR<\/th><td>1 of 3 = 33\.3 %[^<]*<\/td><td>2 of 4 = 50\.0 %/);
    expect(html).toContain('<caption>Error rates by group (failures excluded)</caption>');
    expect(html).toMatch(/<td>capture<\/td><td>selfie<\/td><td>3<\/td>/);
    expect(html).toContain('Lowest threshold meeting each target on these pairs');
    expect(html).toMatch(/new\.zip makes fewer errors than old\.zip \(2 vs 3 of 7 labelled pair\(s\)\); the difference is not statistically significant at 5 %/);
    expect(html).toContain('data-chart="det-compare"');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('@page{size:A4');
  });
});
