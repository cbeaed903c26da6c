import { describe, expect, it } from 'vitest';
import { kwikid } from '../contracts/contracts.ts';
import type { PairRecord } from '../run/records.ts';
import { robustnessOf, robustnessRows, ROBUSTNESS_COLUMNS } from './robustness.ts';

/** A KwikID record of a sweep: decided (match/score) or failed (no face). */
function rec(base: string, perturbation: { name: 'jpeg'; level: number } | null, match: boolean | null, score: number, expected?: 'same' | 'different'): PairRecord {
  const pair_id = perturbation ? `${base}~jpeg-${perturbation.level}` : base;
  const head = { pair_id, image1_path: `${base}_image1.jpg`, image2_path: `${base}_image2.jpg` };
  const tail = { base_pair_id: base, perturbation: perturbation ? { ...perturbation, side: 'image2' } : null, ...(expected ? { expected } : {}) };
  if (match === null) {
    return { ...head, success: false, http_status: 422, response_time_ms: 5, error: { type: 'http', message: 'No face found.' }, attempts: 1, ...tail } as PairRecord;
  }
  return { ...head, success: true, http_status: 200, response_time_ms: 5, body: { facematch_result: match ? 'True' : 'False', confidence_score: score }, attempts: 1, ...tail } as PairRecord;
}

describe('robustnessOf', () => {
  it('counts each level, its FNMR against the baseline, flips and score change, and names where FNMR leaves the baseline', () => {
    const records: PairRecord[] = [];
    // 20 same-person pairs: all matched at baseline (0.9); at quality 50 all still match (0.8);
    // at quality 10, 10 are not matched (0.3), 2 fail to acquire, 8 still match (0.7).
    for (let i = 0; i < 20; i++) {
      const id = `p${i}`;
      records.push(rec(id, null, true, 0.9, 'same'));
      records.push(rec(id, { name: 'jpeg', level: 50 }, true, 0.8, 'same'));
      records.push(i < 10 ? rec(id, { name: 'jpeg', level: 10 }, false, 0.3, 'same') : i < 12 ? rec(id, { name: 'jpeg', level: 10 }, null, 0, 'same') : rec(id, { name: 'jpeg', level: 10 }, true, 0.7, 'same'));
    }
    const r = robustnessOf(records, kwikid)!;
    expect(r.labelled).toBe(true);
    expect(r.baseline).toMatchObject({ pairs: 20, decided: 20, failuresToAcquire: 0 });
    expect(r.baseline.fnmr!.value).toBe(0);
    const [q50, q10] = r.curves[0]!.levels;
    expect(q50).toMatchObject({ label: 'JPEG quality 50', pairs: 20, decided: 20, failuresToAcquire: 0 });
    expect(q50!.flips!.value).toBe(0);
    expect(q50!.scoreChange!.mean).toBeCloseTo(-0.1, 10);
    expect(q10).toMatchObject({ pairs: 20, decided: 18, failuresToAcquire: 2 });
    expect(q10!.fnmr).toMatchObject({ k: 10, n: 18 });
    expect(q10!.flips).toMatchObject({ k: 10, n: 18 });
    expect(r.curves[0]!.sentence).toBe('FNMR leaves the baseline from JPEG quality 10: 0 % → 55.6 %.');
    // Sheet rows: baseline first, the sentence on the perturbation's first row.
    const rows = robustnessRows(r);
    expect(rows).toHaveLength(3);
    const col = (name: string) => ROBUSTNESS_COLUMNS.indexOf(name as (typeof ROBUSTNESS_COLUMNS)[number]);
    expect(rows.map((row) => row[col('level')])).toEqual([null, 50, 10]);
    expect(rows[1]![col('note')]).toBe(r.curves[0]!.sentence);
    expect(rows[2]![col('failures_to_acquire')]).toBe(2);
  });

  it('without labels: no FMR/FNMR, flips against the baseline, and none when nothing changed', () => {
    const records = [rec('a', null, true, 0.9), rec('a', { name: 'jpeg', level: 90 }, true, 0.9), rec('b', null, false, 0.1), rec('b', { name: 'jpeg', level: 90 }, false, 0.1)];
    const r = robustnessOf(records, kwikid)!;
    expect(r.labelled).toBe(false);
    expect(r.curves[0]!.levels[0]!.fnmr).toBeNull();
    expect(r.curves[0]!.levels[0]!.flips).toMatchObject({ k: 0, n: 2 });
    expect(r.curves[0]!.sentence).toBe("No rate leaves the baseline's 95 % interval at any level of JPEG quality tried.");
  });

  it('is null for records that are not a sweep', () => {
    const { base_pair_id: _b, perturbation: _p, ...plain } = rec('a', null, true, 0.9) as PairRecord & { base_pair_id: string; perturbation: null };
    expect(robustnessOf([plain as PairRecord], kwikid)).toBeNull();
  });
});
