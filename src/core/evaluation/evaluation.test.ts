import { describe, expect, it } from 'vitest';
import { kwikid } from '../contracts/contracts.ts';
import {
  atThreshold, confusionAt, detPoints, eerOf, evalRows, evaluate, fnmrAtFmr, operatingPoints, outcomeAt, rate, wilson, withOutcomes,
  type EvalRow,
} from './evaluation.ts';
import { recordFromCall, notRunRecord, type PairRecord } from '../run/records.ts';

let seq = 0;
const row = (expected: 'same' | 'different' | null, match: boolean | null, score: number | null = null): EvalRow =>
  ({ pair_id: `p${seq++}`, expected, match, score, latencyMs: 100 });

describe('confusion matrix at the API decision', () => {
  it('all correct: TP and TN only, FMR and FNMR 0 with a rule-of-three style bound', () => {
    const rows = [row('same', true), row('same', true), row('different', false), row('different', false), row('different', false)];
    const e = evaluate(rows);
    expect(e.api.confusion).toEqual({ tp: 2, tn: 3, fp: 0, fn: 0, errors: 0, unlabelled: 0 });
    expect(e.api.fmr.value).toBe(0);
    // Wilson upper bound for 0 of 3: z²/(3+z²) = 3.8415/6.8415 = 0.5615 (hand-computed).
    expect(e.api.fmr.high).toBeCloseTo(0.5615, 4);
    expect(e.api.fmr.text).toBe('0 of 3 (≤ 56.1 % at 95 %)');
    expect(e.api.fnmr.text).toBe('0 of 2 (≤ 65.8 % at 95 %)');
  });

  it('all wrong: FP and FN only, both rates 1', () => {
    const rows = [row('same', false), row('different', true), row('different', true)];
    const e = evaluate(rows);
    expect(e.api.confusion).toEqual({ tp: 0, tn: 0, fp: 2, fn: 1, errors: 0, unlabelled: 0 });
    expect([e.api.fmr.value, e.api.fnmr.value]).toEqual([1, 1]);
    expect(e.api.fmr.high).toBe(1);
    expect(e.api.fmr.text).toMatch(/^2 of 2 = 100\.0 % \(95 % CI/);
  });

  it('errors and unlabelled pairs are counted apart, never as non-matches', () => {
    const rows = [row('same', null), row('different', null), row(null, true), row('same', true)];
    expect(confusionAt(rows, null)).toEqual({ tp: 1, tn: 0, fp: 0, fn: 0, errors: 2, unlabelled: 1 });
    const e = evaluate(rows);
    expect(e.api.fmr.n).toBe(0);
    expect(e.api.fmr.text).toBe('no different-person pairs were decided');
    expect(e.labelled).toBe(3);
    expect(e.unlabelled).toBe(1);
  });

  it('one class empty: FMR has no trials, EER and FNMR@FMR are not given', () => {
    const rows = [row('same', true, 0.9), row('same', false, 0.3)];
    const e = evaluate(rows);
    expect(e.api.fmr.value).toBeNull();
    expect(e.api.fnmr.value).toBe(0.5);
    expect(e.points).toEqual([]);
    expect(e.eer).toBeNull();
    expect(e.eerNote).toBe('needs different-person pairs with a confidence score');
    expect(e.fnmrAt.map((f) => f.note)).toEqual([
      'needs ≥ 30 different-person pairs (has 0)', 'needs ≥ 300 different-person pairs (has 0)', 'needs ≥ 3000 different-person pairs (has 0)',
    ]);
  });
});

describe('threshold what-if', () => {
  it('a score equal to the threshold is a match (ties at the threshold)', () => {
    const rows = [row('same', false, 0.5), row('different', false, 0.5), row('different', false, 0.49)];
    expect(rows.map((r) => outcomeAt(r, 0.5))).toEqual(['TP', 'FP', 'TN']);
    expect(rows.map((r) => outcomeAt(r, 0.51))).toEqual(['FN', 'TN', 'TN']);
    expect(rows.map((r) => outcomeAt(r, null))).toEqual(['FN', 'TN', 'TN']);
    expect(atThreshold(rows, 0.5).confusion).toMatchObject({ tp: 1, fp: 1, tn: 1, fn: 0 });
  });

  it('a pair with no confidence keeps the API decision; an error stays an error', () => {
    const rows = [row('same', true, null), row('same', null, null)];
    expect(rows.map((r) => outcomeAt(r, 0.99))).toEqual(['TP', 'error']);
  });
});

describe('Wilson interval', () => {
  // Reference: scipy 1.17 binomtest(k, n).proportion_ci(method='wilson') — /tmp script described at the top of the next block.
  it.each([
    [0, 10, 0, 0.27753279986288926],
    [3, 200, 0.00511423779325831, 0.04316572879269026],
    [10, 10, 0.7224672001371109, 1],
    [1, 4, 0.04558726080970055, 0.6993581574175981],
  ])('%i of %i', (k, n, low, high) => {
    const ci = wilson(k, n)!;
    expect(ci.low).toBeCloseTo(low, 12);
    expect(ci.high).toBeCloseTo(high, 12);
  });

  it('words a rate with errors and one without', () => {
    expect(rate(3, 200, 'x').text).toBe('3 of 200 = 1.50 % (95 % CI 0.511 %–4.32 %)');
    expect(wilson(0, 0)).toBeNull();
  });
});

/*
 * Reference values: an independent brute-force script (Python 3, scipy 1.17), run by hand:
 *   gen = [0.95, 0.91, 0.88, 0.85, 0.80, 0.72, 0.66, 0.55, 0.49, 0.40]
 *   imp = [0.05, 0.10, 0.12, 0.15, 0.22, 0.30, 0.35, 0.41, 0.48, 0.52, 0.60, 0.70]
 *   ts  = sorted(set(gen + imp)) + [inf]
 *   pts = [(t, sum(s >= t for s in imp)/len(imp), sum(s < t for s in gen)/len(gen)) for t in ts]
 *   EER: first point with FNMR >= FMR, crossing of the straight segment from the previous point
 *   DET: (norm.ppf(FMR), norm.ppf(FNMR)) for points with both rates in (0, 1)
 * It printed: EER 0.2 between t = 0.52 (|FMR-FNMR| = 0.05) and t = 0.55 (0.0333), and the DET rows below.
 */
describe('EER and DET for a fixed score list', () => {
  const gen = [0.95, 0.91, 0.88, 0.85, 0.80, 0.72, 0.66, 0.55, 0.49, 0.40];
  const imp = [0.05, 0.10, 0.12, 0.15, 0.22, 0.30, 0.35, 0.41, 0.48, 0.52, 0.60, 0.70];
  const points = operatingPoints(gen, imp);

  it('starts accepting all and ends rejecting all', () => {
    expect(points[0]).toEqual({ threshold: 0.05, fmr: 1, fnmr: 0 });
    expect(points.at(-1)).toEqual({ threshold: Infinity, fmr: 0, fnmr: 1 });
    expect(points).toHaveLength(23);
  });

  it('EER matches the reference', () => {
    const eer = eerOf(points)!;
    expect(eer.value).toBeCloseTo(0.2, 12);
    expect(eer.threshold).toBe(0.55);
  });

  it('DET points match the reference (normal-deviate axes)', () => {
    const ref = [
      [0.41, -0.2104283942, -1.2815515655],
      [0.48, -0.4307272993, -1.2815515655],
      [0.49, -0.6744897502, -1.2815515655],
      [0.52, -0.6744897502, -0.8416212336],
      [0.55, -0.9674215661, -0.8416212336],
      [0.60, -0.9674215661, -0.5244005127],
      [0.66, -1.3829941271, -0.5244005127],
      [0.70, -1.3829941271, -0.2533471031],
    ];
    const det = detPoints(points);
    expect(det).toHaveLength(ref.length);
    det.forEach((p, k) => {
      expect(p.threshold).toBe(ref[k]![0]);
      expect(p.x).toBeCloseTo(ref[k]![1]!, 9);
      expect(p.y).toBeCloseTo(ref[k]![2]!, 9);
    });
  });

  it('perfect separation gives EER 0 at the lowest genuine score; reversed scores give EER 1', () => {
    expect(eerOf(operatingPoints([0.8, 0.9], [0.1, 0.2]))).toEqual({ value: 0, threshold: 0.8 });
    expect(eerOf(operatingPoints([0.1, 0.2], [0.8, 0.9]))!.value).toBe(1);
  });

  it('FNMR@FMR is given only with >= 3/FMR impostor pairs', () => {
    // 40 impostors at 0.00..0.39, 10 genuine at 0.30..0.39: at FMR <= 10 % (4 of 40) the lowest
    // threshold is 0.36 (impostors 0.36..0.39), where genuine 0.30..0.35 (6 of 10) are rejected.
    const impostors = Array.from({ length: 40 }, (_, k) => k / 100);
    const genuine = Array.from({ length: 10 }, (_, k) => 0.3 + k / 100);
    const at = fnmrAtFmr(operatingPoints(genuine, impostors), impostors.length);
    expect(at[0]).toMatchObject({ label: '10%', value: 0.6, threshold: 0.36, note: null });
    expect(at[1]).toMatchObject({ label: '1%', value: null, note: 'needs ≥ 300 different-person pairs (has 40)' });
  });
});

describe('rows from records', () => {
  it('reads decision, confidence and latency through the contract', () => {
    const pair = (id: string) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
    const records: PairRecord[] = [
      recordFromCall(pair('a'), { ok: true, status: 200, timeMs: 120, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.91 } }),
      recordFromCall(pair('b'), { ok: false, status: 422, timeMs: 30, attempts: 1, error: { type: 'http', message: 'no face' } }),
      notRunRecord(pair('c')),
    ];
    const rows = evalRows(records, kwikid, new Map([['a', 'same'], ['b', 'different']]));
    expect(rows).toEqual([
      { pair_id: 'a', expected: 'same', match: true, score: 0.91, latencyMs: 120 },
      { pair_id: 'b', expected: 'different', match: null, score: null, latencyMs: 30 },
      { pair_id: 'c', expected: null, match: null, score: null, latencyMs: null },
    ]);
  });
});

describe('withOutcomes', () => {
  it('appends expected and outcome after the seed keys, null for unlabelled pairs', () => {
    const pair = (id: string) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
    const records: PairRecord[] = [
      recordFromCall(pair('a'), { ok: true, status: 200, timeMs: 120, attempts: 1, body: { facematch_result: 'False', confidence_score: 0.2 } }),
      recordFromCall(pair('b'), { ok: false, status: 500, timeMs: 30, attempts: 1, error: { type: 'http', message: 'x' } }),
      recordFromCall(pair('c'), { ok: true, status: 200, timeMs: 120, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } }),
    ];
    const out = withOutcomes(records, kwikid, new Map([['a', 'same'], ['b', 'different']]));
    expect(Object.keys(out[0]!)).toEqual([...Object.keys(records[0]!), 'expected', 'outcome']);
    expect(Object.keys(out[1]!)).toEqual([...Object.keys(records[1]!), 'expected', 'outcome']);
    expect(out.map((r) => [r.expected, r.outcome])).toEqual([['same', 'FN'], ['different', 'error'], [null, null]]);
    expect(withOutcomes(records, kwikid, null)).toEqual(records);
  });
});
