import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { notRunRecord, recordFromCall } from '../run/records.ts';
import { outcomeGroup, outcomeText } from './outcome.ts';

const pair = { pair_id: 'p', image1_path: 'p_image1.jpg', image2_path: 'p_image2.jpg' };

describe('outcomeText', () => {
  it('puts verdicts and failures in words', () => {
    const ok = (body: unknown) => recordFromCall(pair, { ok: true, status: 200, timeMs: 1, attempts: 1, body });
    const fail = (status: number | null, type: 'http' | 'timeout' | 'network' | 'aborted' | 'invalid_json', message = 'x') =>
      recordFromCall(pair, { ok: false, status, timeMs: 1, attempts: 1, error: { type, message } });
    expect(outcomeText(kwikid, ok({ facematch_result: 'True' })).text).toBe('MATCH');
    expect(outcomeText(kwikid, ok({ facematch_result: 'False' })).text).toBe('NO MATCH');
    expect(outcomeText(deepvue, ok({ data: { match: true } })).text).toBe('MATCH');
    expect(outcomeText(kwikid, ok({})).text).toBe('No verdict in the answer');
    expect(outcomeText(kwikid, fail(500, 'http')).text).toBe('HTTP 500: server error');
    expect(outcomeText(kwikid, fail(429, 'http')).text).toBe('HTTP 429: rate-limited');
    expect(outcomeText(kwikid, fail(null, 'timeout', 'No answer from http://x/facematch within 60 s; the call was abandoned.')).text).toBe('Timed out after 60 s');
    expect(outcomeText(kwikid, fail(null, 'timeout', 'No answer within 1.5 s.')).text).toBe('Timed out after 1.5 s');
    expect(outcomeText(kwikid, fail(200, 'invalid_json')).text).toBe('HTTP 200: not JSON');
    expect(outcomeText(kwikid, fail(null, 'network')).text).toBe('Network error');
    expect(outcomeText(kwikid, fail(null, 'aborted')).text).toBe('Cancelled');
    expect(outcomeText(kwikid, notRunRecord(pair)).text).toBe('Not sent');
    expect([ok({}), fail(500, 'http'), notRunRecord(pair)].map(outcomeGroup)).toEqual(['succeeded', 'failed', 'not_run']);
  });
});
