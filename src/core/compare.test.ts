import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from './contracts.ts';
import { compareRuns, describeChange } from './compare.ts';
import { recordFromCall, type PairRecord } from './records.ts';

const pair = (id: string) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
const kw = (id: string, match: boolean, conf: number, ms: number): PairRecord =>
  recordFromCall(pair(id), { ok: true, status: 200, timeMs: ms, attempts: 1, body: { facematch_result: match ? 'True' : 'False', confidence_score: conf } });
const fail = (id: string): PairRecord =>
  recordFromCall(pair(id), { ok: false, status: 503, timeMs: 10, attempts: 3, error: { type: 'http', message: 'HTTP 503' } });

describe('compareRuns', () => {
  const before = [kw('a', true, 0.9, 100), kw('b', true, 0.8, 200), kw('c', false, 0.2, 300), fail('d'), kw('e', true, 0.7, 400), kw('gone', true, 0.9, 500)];
  const after = [kw('a', true, 0.95, 150), kw('b', false, 0.4, 250), fail('c'), kw('d', false, 0.1, 350), kw('e', true, 0.7, 450), kw('new', false, 0.1, 550)];
  const c = compareRuns({ name: 'old.zip', records: before, contract: kwikid }, { name: 'new.zip', records: after, contract: kwikid });

  it('lists flips, newly failing and recovered pairs, joined by pair_id', () => {
    expect(c.flips.map((p) => [p.pair_id, describeChange(p)])).toEqual([['b', 'match → no match']]);
    expect(c.newlyFailing.map((p) => [p.pair_id, describeChange(p), p.after.error])).toEqual([['c', 'no match → error', 'http: HTTP 503']]);
    expect(c.recovered.map((p) => p.pair_id)).toEqual(['d']);
  });

  it('lists pairs in only one run instead of dropping them', () => {
    expect(c.onlyBefore).toEqual(['gone']);
    expect(c.onlyAfter).toEqual(['new']);
  });

  it('summarises confidence deltas (after − before) and latency percentiles', () => {
    // deltas: a +0.05, b −0.4, e 0 → sorted [−0.4, 0, 0.05]; nearest-rank median is 0.
    expect(c.deltas.n).toBe(3);
    expect(c.deltas.min).toBeCloseTo(-0.4, 12);
    expect(c.deltas.max).toBeCloseTo(0.05, 12);
    expect(c.deltas.median).toBe(0);
    expect(c.deltas.mean).toBeCloseTo(-0.35 / 3, 12);
    // before answered: 10 (d), 100..500 → [10,100,200,300,400,500]: p50 = 200, p95 = 500.
    expect(c.latency.before).toEqual({ n: 6, p50: 200, p95: 500 });
    expect(c.latency.after).toEqual({ n: 6, p50: 250, p95: 550 });
  });

  it('reads each run through its own contract', () => {
    const dv = recordFromCall(pair('a'), { ok: true, status: 200, timeMs: 5, attempts: 1, body: { data: { match: false, confidence: 30 } } });
    const x = compareRuns({ name: 'k', records: [kw('a', true, 0.9, 1)], contract: kwikid }, { name: 'd', records: [dv], contract: deepvue });
    expect(x.flips).toHaveLength(1);
    expect(x.pairs[0]!.delta).toBeCloseTo(-0.6, 12);
  });
});
