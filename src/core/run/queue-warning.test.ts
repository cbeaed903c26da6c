import { describe, expect, it } from 'vitest';
import { notRunRecord, recordFromCall, type PairRecord } from './records.ts';
import { queueTimeoutWarning } from './queue-warning.ts';

const pair = (i: number) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.jpg`, image2_path: `p${i}_image2.jpg` });
const ok = (i: number): PairRecord => recordFromCall(pair(i), { ok: true, status: 200, timeMs: 50, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } });
const timeout = (i: number): PairRecord => recordFromCall(pair(i), { ok: false, status: null, timeMs: 1000, attempts: 1, error: { type: 'timeout', message: 'No answer within 1 s.' } });
const http = (i: number): PairRecord => recordFromCall(pair(i), { ok: false, status: 503, timeMs: 5, attempts: 1, error: { type: 'http', message: 'HTTP 503' } });
const aborted = (i: number): PairRecord => recordFromCall(pair(i), { ok: false, status: null, timeMs: 5, attempts: 1, error: { type: 'aborted', message: 'cancelled' } });
const run = (...parts: [number, (i: number) => PairRecord][]) => { let i = 0; return parts.flatMap(([n, make]) => Array.from({ length: n }, () => make(i++))); };

describe('the warning when most failures are timeouts at Concurrency > 1', () => {
  it('says how many failures are timeouts at which Concurrency, and what to do', () => {
    const records = run([11, ok], [14, timeout], [6, http]);
    expect(queueTimeoutWarning(records, { concurrency: 16, timeoutMs: 1000 })).toBe(
      '14 of 20 failures are timeouts at Concurrency 16: the server may serve fewer calls at once, so the rest wait in its queue past the Timeout (1 s). Lower Concurrency or raise Timeout.',
    );
  });

  it('names the settings as the CLI\'s flags there', () => {
    expect(queueTimeoutWarning(run([3, timeout]), { concurrency: 16, timeoutMs: 1000 }, { concurrency: '--concurrency', timeout: '--timeout' }))
      .toBe('3 of 3 failures are timeouts at --concurrency 16: the server may serve fewer calls at once, so the rest wait in its queue past the --timeout (1 s). Lower --concurrency or raise --timeout.');
  });

  it('stays silent at Concurrency 1: nothing queues behind the run\'s own calls', () => {
    expect(queueTimeoutWarning(run([14, timeout], [6, http]), { concurrency: 1, timeoutMs: 1000 })).toBeNull();
  });

  it('stays silent when timeouts are not most of the failures, or only one call timed out', () => {
    expect(queueTimeoutWarning(run([10, timeout], [10, http]), { concurrency: 4, timeoutMs: 1000 })).toBeNull();
    expect(queueTimeoutWarning(run([30, ok], [1, timeout]), { concurrency: 4, timeoutMs: 1000 })).toBeNull();
    expect(queueTimeoutWarning(run([30, ok]), { concurrency: 4, timeoutMs: 1000 })).toBeNull();
  });

  it('does not count pairs cancelled by Stop or never sent as failures', () => {
    const records = [...run([3, timeout], [2, http], [20, aborted]), notRunRecord(pair(99))];
    expect(queueTimeoutWarning(records, { concurrency: 8, timeoutMs: 2500 })).toMatch(/^3 of 5 failures are timeouts at Concurrency 8: .*Timeout \(2\.5 s\)/);
  });
});
