import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../contracts/contracts.ts';
import { notRunRecord, recordFromCall, recordJson, recordVerdict, recordForUnreadablePair } from './records.ts';
import type { CallResult, ErrorType } from '../request/request.ts';

const pair = { pair_id: 'test1', image1_path: 'fm-bulk-test/test1_image1.jpeg', image2_path: 'fm-bulk-test/test1_image2.jpeg' };

describe('recordFromCall', () => {
  it('rounds response_time_ms to 0.1 ms (results/*.json and summary.xlsx read the same value)', () => {
    const times = [919.5999999999767, 120.04999, 0.06, 4157];
    const got = times.map((timeMs) => recordFromCall(pair, { ok: true, status: 200, timeMs, attempts: 1, body: {} }).response_time_ms);
    expect(got).toEqual([919.6, 120, 0.1, 4157]);
    const failed = recordFromCall(pair, { ok: false, status: 500, timeMs: 33.333333, attempts: 3, error: { type: 'http', message: 'x' } });
    expect(JSON.parse(recordJson(failed)).response_time_ms).toBe(33.3);
  });

  it('writes a success in the document key order', () => {
    const rec = recordFromCall(pair, { ok: true, status: 200, timeMs: 4157, attempts: 1, body: { confidence_score: 0.85, facematch_result: 'True', credits_consumed: 2 } });
    expect(Object.keys(rec)).toEqual(['pair_id', 'image1_path', 'image2_path', 'success', 'http_status', 'response_time_ms', 'body', 'attempts']);
    expect(JSON.parse(recordJson(rec))).toEqual({
      pair_id: 'test1', image1_path: 'fm-bulk-test/test1_image1.jpeg', image2_path: 'fm-bulk-test/test1_image2.jpeg',
      success: true, http_status: 200, response_time_ms: 4157,
      body: { confidence_score: 0.85, facematch_result: 'True', credits_consumed: 2 }, attempts: 1,
    });
    expect(recordJson(rec).endsWith('}\n')).toBe(true);
    expect(recordJson(rec)).toContain('\n  "pair_id": "test1",\n');
  });

  const failures: { type: ErrorType; result: CallResult; keys: string[] }[] = [
    { type: 'http', result: { ok: false, status: 401, timeMs: 12, attempts: 1, error: { type: 'http', message: 'The bearer token was rejected (HTTP 401).' }, errorBody: { msg: 'bad token' } }, keys: ['error', 'error_body'] },
    { type: 'network', result: { ok: false, status: null, timeMs: 3, attempts: 3, error: { type: 'network', message: 'Could not reach it.' } }, keys: ['error'] },
    { type: 'timeout', result: { ok: false, status: null, timeMs: 30000, attempts: 1, error: { type: 'timeout', message: 'No answer within 30 s.' } }, keys: ['error'] },
    { type: 'aborted', result: { ok: false, status: null, timeMs: 40, attempts: 1, error: { type: 'aborted', message: 'The call was cancelled.' } }, keys: ['error'] },
    { type: 'invalid_json', result: { ok: false, status: 200, timeMs: 9, attempts: 1, error: { type: 'invalid_json', message: 'HTTP 200 arrived but its body is not JSON.' }, errorBody: '<html>' }, keys: ['error', 'error_body'] },
  ];

  for (const f of failures) {
    it(`writes a ${f.type} failure with error (and error_body) before attempts`, () => {
      const rec = recordFromCall(pair, f.result);
      expect(Object.keys(rec)).toEqual(['pair_id', 'image1_path', 'image2_path', 'success', 'http_status', 'response_time_ms', ...f.keys, 'attempts']);
      expect(rec.success).toBe(false);
      if (!rec.success) expect(rec.error.type).toBe(f.type);
      expect(rec.http_status).toBe(f.result.status);
      expect(rec.attempts).toBe(f.result.attempts);
      expect(recordVerdict(kwikid, rec)).toBeNull();
    });
  }

  it('writes not_run records (stopped or unreadable) with null status and time and 0 attempts', () => {
    for (const rec of [notRunRecord(pair), recordForUnreadablePair(pair, 'bomb.png is too large.')]) {
      expect(Object.keys(rec)).toEqual(['pair_id', 'image1_path', 'image2_path', 'success', 'http_status', 'response_time_ms', 'error', 'attempts']);
      expect(rec).toMatchObject({ success: false, http_status: null, response_time_ms: null, attempts: 0, error: { type: 'not_run' } });
    }
    expect(recordForUnreadablePair(pair, 'bomb.png is too large.').error.message).toBe('bomb.png is too large.');
  });

  it('normalises the verdict through the contract', () => {
    const dv = recordFromCall(pair, { ok: true, status: 200, timeMs: 1, attempts: 1, body: { data: { match: true, confidence: 87.5 } } });
    expect(recordVerdict(deepvue, dv)).toMatchObject({ match: true, confidence: 0.875, rawConfidence: 87.5 });
  });
});
