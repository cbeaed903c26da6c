import { describe, expect, it } from 'vitest';
import type { PairRecord } from '../core/run/records.ts';
import { createProgress, formatDuration, plainEvery } from './progress.ts';

const ok = { success: true } as PairRecord;
const failed = { success: false } as PairRecord;

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 120, write: (s: string) => { chunks.push(s); return true; } };
}

describe('progress', () => {
  it('prints one plain line every 5 % (at least every pair) and at the end when not on a terminal', () => {
    expect(plainEvery(16)).toBe(1);
    expect(plainEvery(1000)).toBe(50);
    const s = stream(false);
    let t = 0;
    const p = createProgress(1000, s, () => t);
    for (let i = 0; i < 1000; i++) {
      t += 10;
      p.record(i % 100 === 0 ? failed : ok);
    }
    p.stop();
    expect(s.chunks).toHaveLength(20);
    expect(s.chunks[0]).toBe('facematch: 50/1000 pairs (5%), 100.0 pairs/s, ETA 10s, 1 failed\n');
    expect(s.chunks[19]).toBe('facematch: 1000/1000 pairs (100%), 100.0 pairs/s, 10 failed\n');
  });

  it('prints a last line on stop when the run ended between two lines (a stop)', () => {
    const s = stream(false);
    let t = 0;
    const p = createProgress(1000, s, () => t);
    t = 1000;
    p.record(ok);
    p.stop();
    expect(s.chunks).toEqual(['facematch: 1/1000 pairs (0%), 1.0 pairs/s, ETA 16m39s, 0 failed\n']);
  });

  it('draws a bar with done/total, rate, ETA and failures on a terminal', () => {
    const s = stream(true);
    const p = createProgress(4, s);
    p.record(ok);
    p.record(failed);
    p.stop();
    const text = s.chunks.join('');
    expect(text).toContain('facematch');
    expect(text).toMatch(/2\/4 pairs \| [\d.]+\/s \| ETA \S+ \| 1 failed/);
  });

  it('formats durations', () => {
    expect(formatDuration(4_400)).toBe('4s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_900_000)).toBe('1h05m');
  });
});
