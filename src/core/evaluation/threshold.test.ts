import { describe, expect, it } from 'vitest';
import type { EvalRow } from './evaluation.ts';
import { apiDecisionPoint, parseThreshold } from './threshold.ts';
import { targetFmrsWith } from './target-fmr.ts';

const row = (match: boolean | null, score: number | null, expected: EvalRow['expected'] = 'same'): EvalRow => ({ pair_id: `p${Math.random()}`, expected, match, score, latencyMs: 1 });

describe("the API's decision point on its confidence", () => {
  it('is the lowest confidence it matched when every not-matched pair is below it (unlabelled pairs count too)', () => {
    const d = apiDecisionPoint([row(true, 0.9), row(true, 0.71), row(false, 0.69, null), row(false, 0.2, 'different'), row(null, null)]);
    expect(d).toMatchObject({ threshold: 0.71, lowestMatch: 0.71, highestNonMatch: 0.69 });
    expect(d.note).toBe('The API matched every pair with a confidence of 0.71 or more and none at 0.69 or less: its decision point lies between them.');
  });

  it('is not given when its decisions overlap on the confidence, or when it matched nothing', () => {
    const overlap = apiDecisionPoint([row(true, 0.6), row(false, 0.6), row(false, 0.1)]);
    expect(overlap.threshold).toBeNull();
    expect(overlap.note).toMatch(/follow no single threshold.*matched a pair at 0\.6 but not one at 0\.6/);
    expect(apiDecisionPoint([row(false, 0.4)]).threshold).toBeNull();
    expect(apiDecisionPoint([row(true, null)]).note).toMatch(/sent no confidence/);
  });
});

describe('typed threshold and target FMRs', () => {
  it('reads 0–1 with a point or a comma and names a bad value', () => {
    expect(parseThreshold(' 0,62 ')).toEqual({ value: 0.62 });
    expect(parseThreshold('1')).toEqual({ value: 1 });
    expect(parseThreshold('62 %')).toEqual({ problem: expect.stringMatching(/^Threshold must be a confidence from 0 to 1 \(e\.g\. 0\.62\), not "62 %"/) });
  });

  it("puts the user's target first and keeps the defaults once", () => {
    expect(targetFmrsWith(null)).toEqual([0.01, 0.001]);
    expect(targetFmrsWith(0.001)).toEqual([0.001, 0.01]);
    expect(targetFmrsWith(0.05)).toEqual([0.05, 0.01, 0.001]);
  });
});
