/**
 * Run-level figures for a bulk run: counts, verdicts and response-time percentiles.
 * Shared by the Bulk UI (live counters) and summary.xlsx (sheet "Run").
 */
import type { ProviderContract } from '../contracts/contracts.ts';
import { recordVerdict, type PairRecord } from './records.ts';

export interface RunStats {
  /** Records counted (one per loaded pair). */
  pairs: number;
  /** A 2xx JSON answer arrived. */
  succeeded: number;
  /** A call was made (or attempted) and did not succeed: http, network, timeout, aborted, invalid_json. */
  failed: number;
  /** Never sent: unreadable from the ZIP or left over after a stop. */
  notRun: number;
  /** Succeeded with a verdict of "match" through the contract. */
  matches: number;
  /** Succeeded with a verdict of "no match". Successes whose body has no verdict count in neither. */
  nonMatches: number;
  /** Response time over records with an HTTP response (any status); null when there is none. */
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export function summarise(records: readonly PairRecord[], contract: ProviderContract): RunStats {
  let succeeded = 0, failed = 0, notRun = 0, matches = 0, nonMatches = 0;
  const times: number[] = [];
  for (const rec of records) {
    if (rec.success) {
      succeeded++;
      const v = recordVerdict(contract, rec);
      if (v) {
        if (v.match) matches++;
        else nonMatches++;
      }
    } else if (rec.error.type === 'not_run') {
      notRun++;
    } else {
      failed++;
    }
    if (rec.http_status !== null && rec.response_time_ms !== null && Number.isFinite(rec.response_time_ms)) {
      times.push(rec.response_time_ms);
    }
  }
  times.sort((a, b) => a - b);
  const mean = times.length ? times.reduce((s, t) => s + t, 0) / times.length : null;
  return {
    pairs: records.length, succeeded, failed, notRun, matches, nonMatches,
    meanMs: mean, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), p99Ms: percentile(times, 99),
  };
}

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}
