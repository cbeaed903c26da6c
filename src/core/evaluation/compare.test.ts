import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { compareRuns, describeChange, errorNotes } from './compare.ts';
import { recordFromCall, type PairRecord } from '../run/records.ts';
import { sweepPairs } from '../sweep/variants.ts';

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

describe('the errors of a compared list', () => {
  const slow = 'No answer from http://127.0.0.1:8787/facematch within 1 s; the call was abandoned. Raise the timeout in the settings if the API is just slow.';
  const timeout = (id: string): PairRecord => recordFromCall(pair(id), { ok: false, status: null, timeMs: 1000, attempts: 1, error: { type: 'timeout', message: slow } });
  const ids = Array.from({ length: 27 }, (_, i) => `p${i}`);
  const c = compareRuns(
    { name: 'old.zip', records: [...ids.map((id) => kw(id, true, 0.9, 100)), kw('x', true, 0.9, 100), kw('y', true, 0.9, 100)], contract: kwikid },
    { name: 'new.zip', records: [...ids.map(timeout), fail('x'), recordFromCall(pair('y'), { ok: true, status: 200, timeMs: 5, attempts: 1, body: {} })], contract: kwikid },
  );

  it('shows each side\'s error in a word: the error type, with the HTTP status; "no verdict" for an answer without one', () => {
    expect(c.newlyFailing).toHaveLength(29);
    expect(new Set(c.newlyFailing.filter((p) => p.pair_id.startsWith('p')).map((p) => p.after.errorKind))).toEqual(new Set(['timeout']));
    expect(c.newlyFailing.find((p) => p.pair_id === 'x')!.after.errorKind).toBe('http 503');
    expect(c.newlyFailing.find((p) => p.pair_id === 'y')!.after.errorKind).toBe('no verdict');
  });

  it('states each error sentence once, with how many pairs have it, most first', () => {
    expect(errorNotes(c.newlyFailing)).toEqual([
      { kind: 'timeout', message: slow, pairs: 27 },
      { kind: 'http 503', message: 'HTTP 503', pairs: 1 },
      { kind: 'no verdict', message: 'The answer has no verdict.', pairs: 1 },
    ]);
    expect(errorNotes(c.flips)).toEqual([]);
  });
});

describe('two sweeps compared', () => {
  const settings = (levels: number[]) => ({ steps: [{ perturbation: 'jpeg' as const, levels }], side: 'image2' as const });
  /** A sweep of pairs a (same person) and b (different people): `rejects` lists the ids the API says no match to; `fails`, those it answers 422. */
  const sweep = (levels: number[], rejects: readonly string[], fails: readonly string[] = []): PairRecord[] =>
    sweepPairs([pair('a'), pair('b')], settings(levels)).map((p) => {
      const rec = fails.includes(p.pair_id)
        ? recordFromCall(p, { ok: false, status: 422, timeMs: 5, attempts: 1, error: { type: 'http', message: 'HTTP 422: no face.' } })
        : recordFromCall(p, { ok: true, status: 200, timeMs: 5, attempts: 1, body: { facematch_result: p.base_pair_id === 'a' && !rejects.includes(p.pair_id) ? 'True' : 'False', confidence_score: 0.5 } });
      return { ...rec, expected: p.base_pair_id === 'a' ? 'same' : 'different' } as PairRecord;
    });

  it('join by variant id and put each perturbation level\'s FNMR, FMR and FTA of both runs side by side (a level one run did not try, on its own)', () => {
    const c = compareRuns(
      { name: 'before.zip', records: sweep([50, 15, 5], []), contract: kwikid },
      { name: 'after.zip', records: sweep([50, 15], ['a~jpeg-15'], ['b~jpeg-15']), contract: kwikid },
    );
    expect(c.flips.map((p) => p.pair_id)).toEqual(['a~jpeg-15']);
    expect(c.newlyFailing.map((p) => p.pair_id)).toEqual(['b~jpeg-15']);
    expect(c.onlyBefore).toEqual(['a~jpeg-5', 'b~jpeg-5']);
    expect(c.robustness!.map((r) => [r.label, r.before?.fnmr?.value, r.after?.fnmr?.value, r.before?.fta.value, r.after?.fta.value])).toEqual([
      ['baseline', 0, 0, 0, 0],
      ['JPEG quality 50', 0, 0, 0, 0],
      ['JPEG quality 15', 0, 1, 0, 0.5],
      ['JPEG quality 5', 0, undefined, 0, undefined],
    ]);
    // Not two sweeps: no side-by-side.
    expect(compareRuns({ name: 'x', records: [kw('a', true, 0.9, 1)], contract: kwikid }, { name: 'y', records: sweep([50], []), contract: kwikid }).robustness).toBeNull();
  });
});
