import { describe, expect, it } from 'vitest';
import { contentFlagReason, excludedFromFlags, isExcludedRecord, type PairFlag } from './preflight.ts';
import { rerunSelection, stoppedAt } from '../run/journal-run.ts';
import { kwikid } from '../contracts/contracts.ts';
import { runJob } from '../run/job.ts';
import { notRunRecord, recordFromCall, type PairEntry, type PairRecord } from '../run/records.ts';

const pair: PairEntry = { pair_id: 'p2', image1_path: 'batch/p2_image1.jpg', image2_path: 'batch/p2_image2.jpg' };

describe('pre-flight content flags', () => {
  it('names each file that is not a JPEG or PNG and what it really is', () => {
    expect(contentFlagReason(pair, ['jpeg', 'png'])).toBeNull();
    expect(contentFlagReason(pair, ['jpeg', 'text'])).toBe('batch/p2_image2.jpg is a text file, not a JPEG or PNG.');
    expect(contentFlagReason(pair, ['empty', 'pdf'])).toBe(
      'batch/p2_image1.jpg is an empty file, not a JPEG or PNG; batch/p2_image2.jpg is a PDF document, not a JPEG or PNG.',
    );
    expect(contentFlagReason(pair, ['heic', 'jpeg'])).toBe('batch/p2_image1.jpg is a HEIC image, not a JPEG or PNG.');
  });
});

describe('excludedFromFlags: one map from every flag', () => {
  it('gives each flagged pair one reason carrying all its flags, content first', () => {
    const flags: PairFlag[] = [
      { index: 3, pair_id: 'p4', source: 'faces', reason: 'No face found in p4_image1.jpg.' },
      { index: 1, pair_id: 'p2', source: 'faces', reason: '2 faces found in p2_image1.jpg.' },
      { index: 1, pair_id: 'p2', source: 'content', reason: 'p2_image2.jpg is a text file, not a JPEG or PNG.' },
    ];
    expect([...excludedFromFlags(flags)]).toEqual([
      [1, 'Not sent: excluded before the run (Exclude flagged pairs). p2_image2.jpg is a text file, not a JPEG or PNG. 2 faces found in p2_image1.jpg.'],
      [3, 'Not sent: excluded before the run (Exclude flagged pairs). No face found in p4_image1.jpg.'],
    ]);
  });

  it('as the job\'s excluded map: each excluded pair gets exactly one not_run record with its reason, the others are sent', async () => {
    const pairs: PairEntry[] = ['p1', 'p2', 'p3'].map((id) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` }));
    const sent: string[] = [];
    const excluded = excludedFromFlags([{ index: 1, pair_id: 'p2', source: 'content', reason: 'p2_image2.jpg is a text file, not a JPEG or PNG.' }]);
    const result = await runJob({
      pairs,
      readPair: async (p) => [{ name: p.image1_path, data: new Blob(['a']) }, { name: p.image2_path, data: new Blob(['b']) }],
      snapshot: { contract: kwikid, baseUrl: 'http://x', credentials: { token: 't' }, timeoutMs: 1000, retries: 0, concurrency: 1, ratePerSecond: null },
      call: async (_s, images) => {
        sent.push(images[0].name);
        return { ok: true, status: 200, timeMs: 1, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } };
      },
      excluded,
    });
    expect(sent).toEqual(['p1_image1.jpg', 'p3_image1.jpg']);
    expect(result.records).toHaveLength(3);
    const p2 = result.records[1]!;
    expect(p2.success).toBe(false);
    expect(p2).toMatchObject({ pair_id: 'p2', error: { type: 'not_run', message: excluded.get(1) } });
  });
});

describe('after a run with excluded pairs', () => {
  it('"Run remaining" offers the pairs a stop left unsent, never those excluded before the run; "Re-run failed" only the failures', () => {
    const pair = (id: string): PairEntry => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
    const excluded = excludedFromFlags([{ index: 4, pair_id: 'p5', source: 'faces', reason: 'No face found in p5_image1.jpg.' }]).get(4)!;
    const records: PairRecord[] = [
      recordFromCall(pair('p1'), { ok: true, status: 200, timeMs: 1, attempts: 1, body: { facematch_result: 'True' } }),
      recordFromCall(pair('p2'), { ok: false, status: 500, timeMs: 1, attempts: 1, error: { type: 'http', message: 'HTTP 500' } }),
      notRunRecord(pair('p3')),
      recordFromCall(pair('p4'), { ok: false, status: null, timeMs: 1, attempts: 1, error: { type: 'aborted', message: 'Cancelled.' } }),
      notRunRecord(pair('p5'), excluded),
    ];
    expect(isExcludedRecord(records[4]!)).toBe(true);
    expect(isExcludedRecord(records[2]!)).toBe(false);
    expect(rerunSelection(records)).toEqual({ failed: [1], remaining: [2, 3] });
    // The stopped banner still counts every pair that was not sent.
    expect(stoppedAt(records)).toEqual({ done: 2, notRun: 3, total: 5 });
  });
});
