import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { notRunRecord, recordFromCall, type PairRecord } from './records.ts';
import { percentile, summarise } from './stats.ts';

const pair = (id: string) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
const ok = (id: string, ms: number, body: unknown): PairRecord => recordFromCall(pair(id), { ok: true, status: 200, timeMs: ms, attempts: 1, body });

describe('summarise', () => {
  it('counts outcomes and verdicts and takes percentiles over records with a response', () => {
    const records: PairRecord[] = [
      ok('a', 100, { facematch_result: 'True', confidence_score: 0.9 }),
      ok('b', 300, { facematch_result: 'False', confidence_score: 0.1 }),
      ok('c', 200, { unexpected: true }),
      recordFromCall(pair('d'), { ok: false, status: 500, timeMs: 400, attempts: 3, error: { type: 'http', message: 'boom' } }),
      recordFromCall(pair('e'), { ok: false, status: null, timeMs: 30_000, attempts: 1, error: { type: 'timeout', message: 'slow' } }),
      notRunRecord(pair('f')),
    ];
    expect(summarise(records, kwikid)).toEqual({
      pairs: 6, succeeded: 3, failed: 2, notRun: 1, matches: 1, nonMatches: 1,
      meanMs: 250, p50Ms: 200, p95Ms: 400, p99Ms: 400,
    });
  });

  it('reads verdicts through the contract (Deepvue data.match)', () => {
    const s = summarise([ok('a', 10, { data: { match: true, confidence: 87.5 } }), ok('b', 20, { data: { match: false, confidence: 3 } })], deepvue);
    expect([s.matches, s.nonMatches]).toEqual([1, 1]);
  });

  it('gives null times when nothing answered', () => {
    const s = summarise([notRunRecord(pair('a'))], kwikid);
    expect([s.meanMs, s.p50Ms, s.p95Ms]).toEqual([null, null, null]);
  });

  it('uses nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});
