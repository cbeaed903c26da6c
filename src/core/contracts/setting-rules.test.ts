/**
 * One concurrency rule: what the settings panel and the CLI accept as typed, and what a run uses
 * from a value nobody typed (a stored snapshot, a journalled run), come from the same bounds
 * (src/cli/args.test.ts checks the CLI states and enforces them too).
 */
import { describe, expect, it } from 'vitest';
import type { JournalSettings } from '../run/journal.ts';
import { journalSnapshot } from '../run/so-far.ts';
import { NUMERIC_SETTINGS, clampConcurrency, clampRate, readNumericSetting } from './setting-rules.ts';

const settings = (over: Partial<JournalSettings>): { settings: JournalSettings } => ({
  settings: { contractId: 'kwikid', baseUrl: 'http://127.0.0.1:8080', credentials: {}, timeoutMs: 30_000, retries: 2, remembered: false, ...over },
});

describe('the concurrency rule', () => {
  it('keeps every value the panel accepts and moves anything else to one it accepts', () => {
    for (let n = -3; n <= 40; n += 0.5) {
      const typed = readNumericSetting('concurrency', String(n));
      const used = clampConcurrency(n);
      if (typed.ok) expect(used, `Concurrency ${n}`).toBe(n);
      expect(readNumericSetting('concurrency', String(used)).ok, `Concurrency ${n} runs as ${used}`).toBe(true);
    }
    expect(clampConcurrency(99)).toBe(NUMERIC_SETTINGS.concurrency.max);
    expect(clampConcurrency(0)).toBe(NUMERIC_SETTINGS.concurrency.min);
    expect(clampConcurrency('8')).toBe(1);
    expect(clampConcurrency(Number.NaN)).toBe(1);
  });

  it('a journalled run resumes within the same bounds, one at a time when it saved none', () => {
    expect(journalSnapshot(settings({ concurrency: 99 })).concurrency).toBe(NUMERIC_SETTINGS.concurrency.max);
    expect(journalSnapshot(settings({ concurrency: 4 })).concurrency).toBe(4);
    expect(journalSnapshot(settings({})).concurrency).toBe(1);
    expect(journalSnapshot(settings({ ratePerSecond: 5000 })).ratePerSecond).toBe(NUMERIC_SETTINGS.rate.max);
    expect(journalSnapshot(settings({ ratePerSecond: 0 })).ratePerSecond).toBeNull();
  });
});

describe('the rate rule', () => {
  it('keeps every rate the panel accepts; below its minimum is no limit', () => {
    for (let n = 0; n <= 1200; n += 7) {
      const typed = readNumericSetting('rate', String(n));
      if (typed.ok) expect(clampRate(n)).toBe(n);
    }
    expect(clampRate(2.5)).toBe(2);
    expect(clampRate(5000)).toBe(NUMERIC_SETTINGS.rate.max);
    expect(clampRate(0)).toBeNull();
    expect(clampRate(undefined)).toBeNull();
  });
});
