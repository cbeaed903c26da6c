import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { correctness, hasExpected, recordCorrectness, recordOutcome } from './correctness.ts';
import { withOutcomes } from './evaluation.ts';
import type { Expected } from '../pairing/labels.ts';
import { notRunRecord, recordFromCall, type PairRecord } from '../run/records.ts';

const pair = (id: string) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
const answer = (id: string, match: boolean) => recordFromCall(pair(id), { ok: true, status: 200, timeMs: 1, attempts: 1, body: { facematch_result: match ? 'True' : 'False', confidence_score: match ? 0.9 : 0.2 } });
const failed = (id: string) => recordFromCall(pair(id), { ok: false, status: 500, timeMs: 1, attempts: 1, error: { type: 'http', message: 'x' } });

describe('correctness', () => {
  it('correct is TP or TN, wrong is FP or FN; errors and unlabelled pairs are neither', () => {
    expect(['TP', 'TN', 'FP', 'FN', 'error', null, undefined].map((o) => correctness(o as never))).toEqual(['correct', 'correct', 'wrong', 'wrong', null, null, null]);
  });

  it('a live run (labels from the ZIP) gets the outcome the archive writes', () => {
    const records: PairRecord[] = [answer('tp', true), answer('fn', false), answer('fp', true), answer('tn', false), failed('err'), notRunRecord(pair('nr')), answer('unl', true)];
    const labels = new Map<string, Expected>([['tp', 'same'], ['fn', 'same'], ['fp', 'different'], ['tn', 'different'], ['err', 'same'], ['nr', 'different']]);
    const archived = withOutcomes(records, kwikid, labels);
    expect(records.map((r) => recordOutcome(kwikid, r, labels))).toEqual(archived.map((r) => r.outcome));
    expect(records.map((r) => recordCorrectness(kwikid, r, labels))).toEqual(['correct', 'wrong', 'wrong', 'correct', null, null, null]);
    // The archive's records carry their outcome: it is used as it is, without the labels.
    expect(archived.map((r) => recordCorrectness(kwikid, r, null))).toEqual(['correct', 'wrong', 'wrong', 'correct', null, null, null]);
  });

  it('offers Correct / Wrong only when some record has an expected label', () => {
    const records = [answer('a', true), answer('b', false)];
    expect(hasExpected(records, null)).toBe(false);
    expect(hasExpected(records, new Map([['zzz', 'same' as const]]))).toBe(false);
    expect(hasExpected(records, new Map([['b', 'different' as const]]))).toBe(true);
    // An archive's record with `expected: null` (an unlabelled pair of a labelled run) has none.
    expect(hasExpected(withOutcomes(records, kwikid, new Map([['zzz', 'same' as const]])), null)).toBe(false);
    expect(hasExpected(withOutcomes(records, kwikid, new Map([['a', 'same' as const]])), null)).toBe(true);
  });

  it('uses the contract\'s verdict (Deepvue)', () => {
    const rec = recordFromCall(pair('d'), { ok: true, status: 200, timeMs: 1, attempts: 1, body: { data: { match: false, confidence: 12 } } });
    expect(recordCorrectness(deepvue, rec, new Map([['d', 'same' as const]]))).toBe('wrong');
    expect(recordCorrectness(deepvue, rec, new Map([['d', 'different' as const]]))).toBe('correct');
  });
});
